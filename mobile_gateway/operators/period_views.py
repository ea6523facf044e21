"""The operators' page of the service period: when posting is open, and reading after it.

In the console's language (:func:`.console.speaks`): English or Japanese.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, request

from ..echo import service_period
from ..phone.i18n import gettext as _
from ..storage import db
from ..storage.models import utcnow
from .console import page, private, require_operator, speaks

__all__ = ["bp"]

bp = speaks(Blueprint("admin_period", __name__, url_prefix="/admin/service-period"))
bp.before_request(require_operator)
bp.after_request(private)


class _BadMoment(ValueError):
    """A date field that is no date and time."""


def _moment(value: str, label: str) -> datetime | None:
    """Read a ``datetime-local`` field (Japan time); empty means open-ended."""
    value = value.strip()
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        raise _BadMoment(
            _(
                "%(field)s: %(value)r is not a date and time such as 2009-07-01T00:00",
                field=label,
                value=value,
            )
        ) from None


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(service_period.JST).strftime("%Y-%m-%dT%H:%M")


@bp.route("", methods=("GET", "POST"))
def form():
    """Show and set when posting is open, and whether reading stays open after the end."""
    session = db.get_session()
    error = None
    message = None
    if request.method == "POST":
        try:
            service_period.set_period(
                session,
                _moment(g.form.get("start", ""), _("start")),
                _moment(g.form.get("end", ""), _("end")),
                g.form.get("reading_after_end", "open"),
            )
            message = _("Saved.")
        except (service_period.ServicePeriodError, _BadMoment) as exc:
            session.rollback()
            error = str(exc)
    period = service_period.get_period(session)
    now = utcnow()
    return page(
        "service_period.html",
        400 if error else 200,
        period=period,
        start=_local(period.start),
        end=_local(period.end),
        posting_open=period.posting_open(now),
        reading_open=period.reading_open(now),
        choices=service_period.READING_AFTER_END,
        choice_labels={"open": _("stays open"), "closed": _("closes")},
        error=error,
        message=message,
    )
