"""Subscriber ids: which carrier's gateway vouches for the id a request sends, and the rest.

:func:`check_subscriber` runs before every view and sets ``g.trusted_subscriber_id``: the
terminal's subscriber id when its carrier's gateway ranges (:mod:`.carrier_ranges`) hold
the client address, else None (also for crawlers). An id from elsewhere is logged as a
short keyed hash (:func:`subscriber_hash`), never in clear, and counted per carrier and day
(``untrusted_subscriber_counts``). The counts are buffered in memory and written every
``GATEWAY_STATS_FLUSH_SECONDS`` (by the next refused id, or when stats are read), so a
flood of forged headers costs no write per request; a process that stops loses at most the
counts of that interval.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask, current_app, g

from ..storage import db
from ..storage.models import UntrustedSubscriberCount, utcnow
from ..storage.upsert import insert_on_conflict
from .carrier_ranges import CARRIERS, get_index

__all__ = ["CarrierStats", "check_subscriber", "init_app", "subscriber_hash", "untrusted_stats"]

log = logging.getLogger(__name__)

#: Characters of the keyed hash written to the log instead of an untrusted subscriber id.
LOG_HASH_CHARS = 12
#: Key under ``app.extensions``.
_COUNTER = "mobile_gateway.untrusted_counter"


def subscriber_hash(secret_key: str | bytes, carrier: str, subscriber_id: str) -> str:
    """Return the keyed form of a subscriber id: hex HMAC-SHA256 keyed with *secret_key*.

    Bindings store it (:mod:`mobile_gateway.accounts.easy_login`), rate-limit keys and logs
    use it: an id never appears in clear.
    """
    key = secret_key if isinstance(secret_key, bytes) else secret_key.encode("utf-8")
    message = f"easy-login\x00{carrier}\x00{subscriber_id}".encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# Counting subscriber ids from outside the ranges. ------------------------------------------
class _UntrustedCounter:
    """Counts per (carrier, UTC day) kept in memory and added to the database now and then."""

    def __init__(self, flush_seconds: float) -> None:
        self.flush_seconds = flush_seconds
        self._pending: dict[tuple[str, date], list] = {}
        self._flushed_at = time.monotonic()
        self._lock = threading.Lock()

    def record(self, engine: sa.Engine, carrier: str, address: str | None, now: datetime) -> None:
        """Count one request; write the counts if the last write is old enough."""
        with self._lock:
            entry = self._pending.setdefault((carrier, now.date()), [0, now, address])
            entry[0] += 1
            entry[1], entry[2] = now, address
            due = time.monotonic() - self._flushed_at >= self.flush_seconds
        if due:
            self.flush(engine)

    def flush(self, engine: sa.Engine) -> None:
        """Add the counts kept in memory to the database."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._flushed_at = time.monotonic()
        if not pending:
            return
        table = UntrustedSubscriberCount.__table__
        try:
            with engine.begin() as connection:
                for (carrier, day), (count, seen_at, address) in pending.items():
                    statement = insert_on_conflict(connection, table).values(
                        carrier=carrier,
                        day=day,
                        count=count,
                        last_seen_at=seen_at,
                        last_address=address,
                    )
                    connection.execute(
                        statement.on_conflict_do_update(
                            index_elements=[table.c.carrier, table.c.day],
                            set_={
                                "count": table.c.count + statement.excluded.count,
                                "last_seen_at": statement.excluded.last_seen_at,
                                "last_address": statement.excluded.last_address,
                            },
                        )
                    )
        except Exception:
            log.exception("could not write the untrusted subscriber id counts; kept for later")
            with self._lock:
                for key, (count, seen_at, address) in pending.items():
                    entry = self._pending.setdefault(key, [0, seen_at, address])
                    entry[0] += count


@dataclass(frozen=True)
class CarrierStats:
    """Subscriber ids refused for one carrier."""

    carrier: str
    total: int
    today: int
    last_seen_at: datetime | None
    last_address: str | None


def untrusted_stats(app: Flask | None = None, *, today: date | None = None) -> list[CarrierStats]:
    """Return the refused-id counts per carrier (this process's pending counts written first)."""
    app = app or current_app
    engine = db.get_engine(app)
    app.extensions[_COUNTER].flush(engine)
    today = today or utcnow().date()
    table = UntrustedSubscriberCount.__table__
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table)).all()
    result = []
    for carrier in CARRIERS:
        mine = [row for row in rows if row.carrier == carrier]
        latest = max(mine, key=lambda row: row.last_seen_at, default=None)
        result.append(
            CarrierStats(
                carrier,
                sum(row.count for row in mine),
                sum(row.count for row in mine if row.day == today),
                latest.last_seen_at if latest else None,
                latest.last_address if latest else None,
            )
        )
    return result


def check_subscriber() -> None:
    """Set ``g.trusted_subscriber_id``: the subscriber id, if it came through its carrier."""
    g.trusted_subscriber_id = None
    terminal = g.terminal
    subscriber_id = terminal.subscriber_id
    if not subscriber_id or terminal.is_crawler:
        return
    address = g.get("client_address")
    if get_index().contains(terminal.carrier, address):
        g.trusted_subscriber_id = subscriber_id
        return
    secret = current_app.config["SECRET_KEY"]
    short = subscriber_hash(secret, terminal.carrier, subscriber_id)[:LOG_HASH_CHARS]
    log.warning(
        "%s subscriber id from %s, outside the carrier's gateway ranges: ignored (id hash %s)",
        terminal.carrier,
        address,
        short,
    )
    current_app.extensions[_COUNTER].record(db.get_engine(), terminal.carrier, address, utcnow())


def init_app(app: Flask) -> None:
    """Set up the per-process counter and check subscriber ids on every request."""
    app.extensions[_COUNTER] = _UntrustedCounter(float(app.config["GATEWAY_STATS_FLUSH_SECONDS"]))
    app.before_request(check_subscriber)
