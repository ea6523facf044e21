"""The service period: when posting is open, and whether reading stays open after it.

The original Echo ran as a one-month trial. The operator sets a start and an end (either
may be left open); before the start and after the end nobody can post. After the end,
reading stays open or closes, as set. Before the start reading is open (there is nothing
to hide). Settings live in the ``service_settings`` table, so every app instance agrees.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..phone.i18n import gettext as _
from ..storage.models import DomainError, ServiceSetting, utcnow

__all__ = [
    "JST",
    "READING_AFTER_END",
    "ServicePeriod",
    "ServicePeriodError",
    "current_period",
    "forget",
    "get_period",
    "posting_open",
    "reading_open",
    "set_period",
]

#: Japan Standard Time (no daylight saving): how times are shown and naive times are read.
JST = timezone(timedelta(hours=9), "JST")
#: Allowed values of ``reading_after_end``.
READING_AFTER_END = ("open", "closed")

_KEY_START = "service_period.start"
_KEY_END = "service_period.end"
_KEY_READING = "service_period.reading_after_end"


class ServicePeriodError(DomainError):
    """The period given is not usable."""


def _format(moment: datetime) -> str:
    """Show *moment* in Japanese time, e.g. ``2009年7月1日 0:00``."""
    local = moment.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"


@dataclass(frozen=True)
class ServicePeriod:
    """When the service is open; ``None`` means open-ended on that side."""

    start: datetime | None = None
    end: datetime | None = None
    #: ``"open"`` or ``"closed"``: whether echoes can still be read after ``end``.
    reading_after_end: str = "open"

    def has_started(self, now: datetime) -> bool:
        """Return whether *now* (naive: Japan time) is at or after the start."""
        return self.start is None or _aware(now) >= self.start

    def has_ended(self, now: datetime) -> bool:
        """Return whether *now* (naive: Japan time) is at or after the end."""
        return self.end is not None and _aware(now) >= self.end

    def posting_open(self, now: datetime) -> bool:
        """Return whether users may post at *now*."""
        return self.has_started(now) and not self.has_ended(now)

    def reading_open(self, now: datetime) -> bool:
        """Return whether users may read echoes at *now*."""
        return not self.has_ended(now) or self.reading_after_end == "open"

    def closed_message(self, now: datetime) -> str | None:
        """Return why posting is closed at *now*, for the user, or None when it is open."""
        if not self.has_started(now):
            return f"Echoは{_format(self.start)}に始まります。それまでは投稿できません"
        if self.has_ended(now):
            return f"Echoの提供は{_format(self.end)}に終了しました。投稿はできません"
        return None


def _parse(value: str | None) -> datetime | None:
    """Read a stored timestamp (ISO 8601, UTC), or None for an empty one."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(timezone.utc)


_SETTINGS = sa.select(ServiceSetting.key, ServiceSetting.value).where(
    ServiceSetting.key.in_((_KEY_START, _KEY_END, _KEY_READING))
)


def get_period(session: Session) -> ServicePeriod:
    """Return the configured period (open from the beginning and forever when unset)."""
    rows = dict(session.connection().execute(_SETTINGS).all())
    reading = rows.get(_KEY_READING, "open")
    return ServicePeriod(
        start=_parse(rows.get(_KEY_START)),
        end=_parse(rows.get(_KEY_END)),
        reading_after_end=reading if reading in READING_AFTER_END else "open",
    )


def _store(session: Session, key: str, value: str) -> None:
    """Insert or update one setting (without committing)."""
    row = session.get(ServiceSetting, key)
    if row is None:
        session.add(ServiceSetting(key=key, value=value))
    else:
        row.value = value


def set_period(
    session: Session,
    start: datetime | None,
    end: datetime | None,
    reading_after_end: str = "open",
) -> ServicePeriod:
    """Store and commit a new period; naive datetimes are taken as Japan time."""
    start = None if start is None else _aware(start)
    end = None if end is None else _aware(end)
    if start is not None and end is not None and end <= start:
        raise ServicePeriodError(_("The end must be after the start."))
    if reading_after_end not in READING_AFTER_END:
        raise ServicePeriodError(
            _(
                "reading_after_end must be one of %(choices)s",
                choices=", ".join(READING_AFTER_END),
            )
        )
    _store(session, _KEY_START, "" if start is None else start.isoformat())
    _store(session, _KEY_END, "" if end is None else end.isoformat())
    _store(session, _KEY_READING, reading_after_end)
    session.commit()
    _kept.pop(session.get_bind(), None)
    return ServicePeriod(start, end, reading_after_end)


#: Seconds a process keeps the period it read for the pages (:func:`current_period`): a
#: change made elsewhere is in force everywhere within this; here, at once.
KEEP_SECONDS = 1.0
#: Engine -> (when read, period).
_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def current_period(session: Session) -> ServicePeriod:
    """Return the period as pages read it: from the database at most once a second.

    Every page asks whether reading is open; a second's delay for an operator's change is
    documented (:data:`KEEP_SECONDS`). Posting reads the database itself (:func:`get_period`).
    """
    key = session.get_bind()
    now = time.monotonic()
    kept = _kept.get(key)
    if kept is not None and now - kept[0] < KEEP_SECONDS:
        return kept[1]
    period = get_period(session)
    _kept[key] = (now, period)
    return period


def forget() -> None:
    """Make every page read the period from the database again (the settings were edited
    by hand)."""
    _kept.clear()


def _aware(moment: datetime) -> datetime:
    """Return *moment* in UTC, reading a naive value as Japan time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=JST)
    return moment.astimezone(timezone.utc)


def posting_open(session: Session, now: datetime | None = None) -> bool:
    """Return whether posting is open at *now* (default: the current time)."""
    return get_period(session).posting_open(now or utcnow())


def reading_open(session: Session, now: datetime | None = None) -> bool:
    """Return whether reading is open at *now* (default: the current time)."""
    return get_period(session).reading_open(now or utcnow())
