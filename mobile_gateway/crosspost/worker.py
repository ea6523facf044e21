"""The cross-posting worker: fetch the feeds that are due, post their new entries.

``mobile-gateway crosspost run`` calls :func:`run_once` (for cron); ``--loop`` calls
:func:`run_loop`. Several workers may run at once, on several machines:

- a worker takes a feed with a lease (a conditional UPDATE: one worker wins), so two
  workers rarely fetch the same feed at once;
- each entry becomes an echo exactly once all the same, because the entry's row
  (:class:`CrosspostEntry`, unique per feed and entry key) is inserted in the same
  transaction as its echo: a second worker's insert fails and it posts nothing.

Entries the feed had before the subscription (older than it, or undated on the first
fetch that worked) are recorded as seen and not posted. At most ``max_entries`` are
posted per fetch, oldest first; the rest wait for the next fetch. After a failure the
feed waits twice as long each time (up to ``max_backoff``); every wait is jittered.
No Flask here: the functions take a SQLAlchemy session.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..echo import echoes
from ..storage.models import CrosspostEntry, FeedSubscription, User, utcnow
from . import entries as feed_entries
from .fetching import FetchError, FetchSettings, fetch

__all__ = ["FeedReport", "WorkerSettings", "post_entries", "run_loop", "run_once"]

log = logging.getLogger(__name__)

#: Feeds taken per query of the due ones.
BATCH = 50
#: How the loop waits between rounds (tests replace it).
_sleep = time.sleep


@dataclass(frozen=True)
class WorkerSettings:
    """How the worker paces itself (``CROSSPOST_*`` settings)."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    interval: float = 15 * 60
    max_backoff: float = 24 * 60 * 60
    max_entries: int = 10

    @classmethod
    def from_config(cls, config) -> WorkerSettings:
        """Read the ``CROSSPOST_*`` settings of an app config."""
        return cls(
            fetch=FetchSettings.from_config(config),
            interval=float(config["CROSSPOST_INTERVAL"]),
            max_backoff=float(config["CROSSPOST_MAX_BACKOFF"]),
            max_entries=int(config["CROSSPOST_MAX_ENTRIES_PER_FETCH"]),
        )

    @property
    def lease(self) -> timedelta:
        """How long a worker holds a feed: the longest a fetch may take, and some."""
        return timedelta(seconds=self.fetch.deadline + 2 * self.fetch.timeout + 60)


@dataclass(frozen=True)
class FeedReport:
    """What one fetch of one feed did."""

    subscription_id: int
    url: str
    status: str
    posted: int = 0
    error: str | None = None


def _jittered(seconds: float, rng: random.Random) -> timedelta:
    """Return *seconds* give or take a tenth."""
    return timedelta(seconds=seconds * rng.uniform(0.9, 1.1))


def _take(session: Session, subscription_id: int, now: datetime, settings: WorkerSettings):
    """Lease the feed if it is still due and free; return it, or None if another worker has it."""
    taken = session.execute(
        sa.update(FeedSubscription)
        .where(
            FeedSubscription.id == subscription_id,
            FeedSubscription.next_fetch_at <= now,
            sa.or_(FeedSubscription.leased_until.is_(None), FeedSubscription.leased_until < now),
        )
        .values(leased_until=now + settings.lease)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if taken != 1:
        return None
    return session.get(FeedSubscription, subscription_id, populate_existing=True)


def _finish(session: Session, subscription_id: int, **values) -> None:
    """Record the outcome of a fetch and release the lease."""
    session.execute(
        sa.update(FeedSubscription)
        .where(FeedSubscription.id == subscription_id)
        .values(leased_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _is_past(entry: feed_entries.Entry, subscribed_at: datetime, first: bool) -> bool:
    """Return whether *entry* was in the feed before the subscription."""
    if entry.published is not None:
        return entry.published < subscribed_at
    return first


def _oldest_first(items: list[feed_entries.Entry]) -> list[feed_entries.Entry]:
    """Return the entries oldest first (by date when all have one, else feed order reversed)."""
    if items and all(entry.published is not None for entry in items):
        return sorted(items, key=lambda entry: entry.published)
    return list(reversed(items))


def post_entries(
    session: Session,
    subscription: FeedSubscription,
    items: list[feed_entries.Entry],
    *,
    first: bool,
    most: int,
    now: datetime | None = None,
) -> int:
    """Post the entries not seen before as echoes of the subscriber; return how many.

    Each entry is claimed by inserting its row; the echo is stored in the same
    transaction. A claim another worker made first fails here, and that entry is skipped.
    """
    subscription_id, user_id = subscription.id, subscription.user_id
    created_at = subscription.created_at
    keys = {entry.key for entry in items}
    seen = set(
        session.scalars(
            sa.select(CrosspostEntry.entry_key).where(
                CrosspostEntry.subscription_id == subscription_id,
                CrosspostEntry.entry_key.in_(keys),
            )
        )
    )
    user = session.get(User, user_id)
    posted = 0
    for entry in _oldest_first(items):
        if entry.key in seen:
            continue
        seen.add(entry.key)
        past = _is_past(entry, created_at, first)
        if not past and posted >= most:
            break  # the rest wait for the next fetch
        claim = CrosspostEntry(subscription_id=subscription_id, entry_key=entry.key)
        session.add(claim)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()  # another worker has claimed it
            continue
        if past:
            session.commit()
            continue
        try:
            echo = echoes.post(session, user, feed_entries.echo_body(entry), now=now)
        except echoes.PostingClosed:
            session.rollback()  # posted when posting opens again
            break
        except echoes.EchoError:
            session.commit()  # nothing to post (an empty entry): seen, skipped
            continue
        claim.echo_id = echo.id
        session.execute(
            sa.update(FeedSubscription)
            .where(FeedSubscription.id == subscription_id)
            .values(posted_count=FeedSubscription.posted_count + 1)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        posted += 1
    return posted


def _fail(session, subscription, settings, now, rng, message: str) -> FeedReport:
    """Record a failed fetch and back off."""
    failures = subscription.failures + 1
    delay = min(settings.interval * 2 ** min(failures, 16), settings.max_backoff)
    _finish(
        session,
        subscription.id,
        last_fetched_at=now,
        last_status="error",
        last_error=message[:200],
        failures=failures,
        next_fetch_at=now + _jittered(delay, rng),
    )
    return FeedReport(subscription.id, subscription.url, "error", error=message)


def _process(session, subscription, settings, now, rng) -> FeedReport:
    """Fetch one leased feed and post what is new."""
    try:
        fetched = fetch(
            subscription.url, settings.fetch, subscription.etag, subscription.last_modified
        )
        items = feed_entries.parse(fetched.body) if fetched.modified else []
    except (FetchError, feed_entries.FeedUnreadable) as exc:
        return _fail(session, subscription, settings, now, rng, str(exc))
    first = subscription.synced_at is None
    posted = 0
    if fetched.modified:
        posted = post_entries(
            session, subscription, items, first=first, most=settings.max_entries, now=utcnow()
        )
    etag = fetched.etag if fetched.etag and len(fetched.etag) <= 255 else None
    modified = fetched.last_modified
    modified = modified if modified and len(modified) <= 64 else None
    _finish(
        session,
        subscription.id,
        etag=etag,
        last_modified=modified,
        synced_at=subscription.synced_at or now,
        last_fetched_at=now,
        last_status="ok" if fetched.modified else "not_modified",
        last_error=None,
        failures=0,
        next_fetch_at=now + _jittered(settings.interval, rng),
    )
    status = "ok" if fetched.modified else "not_modified"
    return FeedReport(subscription.id, subscription.url, status, posted)


def run_once(
    session: Session,
    settings: WorkerSettings,
    *,
    now: Callable[[], datetime] = utcnow,
    rng: random.Random | None = None,
) -> list[FeedReport]:
    """Fetch every feed that is due now (and free); return what each fetch did."""
    rng = rng or random.Random()
    reports = []
    started = now()
    done: set[int] = set()
    while True:
        due = [
            ident
            for ident in session.scalars(
                sa.select(FeedSubscription.id)
                .where(
                    FeedSubscription.next_fetch_at <= started,
                    sa.or_(
                        FeedSubscription.leased_until.is_(None),
                        FeedSubscription.leased_until < started,
                    ),
                )
                .order_by(FeedSubscription.next_fetch_at, FeedSubscription.id)
                .limit(BATCH)
            )
            if ident not in done
        ]
        session.rollback()  # end the read transaction before the fetches
        if not due:
            return reports
        for ident in due:
            done.add(ident)
            subscription = _take(session, ident, started, settings)
            if subscription is None:
                continue
            report = _process(session, subscription, settings, now(), rng)
            log.info("feed %s %s: %s %s", ident, report.status, report.posted, report.error or "")
            reports.append(report)


def run_loop(
    make_session: Callable[[], Session],
    settings: WorkerSettings,
    *,
    rounds: int | None = None,
    sleep: Callable[[float], None] | None = None,
    report: Callable[[FeedReport], None] = lambda r: None,
    rng: random.Random | None = None,
) -> int:
    """Run :func:`run_once` again and again, sleeping (jittered) until feeds are due.

    :param rounds: stop after this many rounds (None: never).
    :returns: the number of rounds run.
    """
    rng = rng or random.Random()
    done = 0
    while rounds is None or done < rounds:
        with make_session() as session:
            for item in run_once(session, settings, rng=rng):
                report(item)
            next_due = session.scalar(sa.select(sa.func.min(FeedSubscription.next_fetch_at)))
        done += 1
        if rounds is not None and done >= rounds:
            break
        wait = settings.interval
        if next_due is not None:
            wait = (next_due - utcnow()).total_seconds()
        (sleep or _sleep)(max(1.0, min(wait, 60.0)) * rng.uniform(0.9, 1.1))
    return done
