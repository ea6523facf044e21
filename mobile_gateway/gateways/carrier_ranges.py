"""Carrier gateway IP ranges: where a subscriber id header may come from.

A carrier adds its subscriber id header (``X-DCMGUID``, ``X-UP-SUBNO``, ``X-JPHONE-UID``)
at its gateway; anyone else can write the same header. So an id is believed only when the
request's client address (:mod:`.client_address`) lies in that carrier's gateway ranges.
The product ships no ranges: operators import them (``mobile-gateway ranges import``), add
or remove them (CLI and ``/admin/ranges``), and they live in the ``carrier_ranges`` table.

- :func:`check_subscriber` runs before every view and sets ``g.trusted_subscriber_id``:
  the terminal's subscriber id when its carrier's ranges hold the client address, else
  None (also for crawlers). An id from elsewhere is logged as a short keyed hash, never
  in clear, and counted per carrier and day (``untrusted_subscriber_counts``).
- Each process keeps the ranges in memory (:class:`RangeIndex`, bisect over merged
  intervals) and reads them again after ``GATEWAY_RANGES_TTL`` seconds; a change made in
  this process takes effect at once, in other processes within the TTL.
- The untrusted counts are buffered in memory and written every
  ``GATEWAY_STATS_FLUSH_SECONDS`` (by the next refused id, or when stats are read), so a
  flood of forged headers costs no write per request; a process that stops loses at most
  the counts of that interval.

Import files have the format of ``carrier-ip-ranges.tsv``: tab-separated, a header line,
columns ``carrier``, ``cidr``, ``source``, ``date``. Rows for ``other`` (EMOBILE) and
``crawler`` are counted and skipped: they are not gateways of a carrier whose subscriber
id we read (the crawler flag comes from the User-Agent, see :mod:`.terminals`).
"""

from __future__ import annotations

import bisect
import csv
import io
import ipaddress
import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts import easy_login
from ..storage import db
from ..storage.models import CarrierRange, DomainError, UntrustedSubscriberCount, utcnow
from .client_address import IPNetwork, parse_address
from .rate_limits import insert_on_conflict

__all__ = [
    "CARRIERS",
    "SKIPPED_KINDS",
    "ImportPlan",
    "ParsedFile",
    "RangeError",
    "RangeIndex",
    "add_range",
    "apply_plan",
    "carriers_containing",
    "check_subscriber",
    "find_overlaps",
    "get_index",
    "init_app",
    "invalidate",
    "list_ranges",
    "parse_network",
    "plan_import",
    "read_ranges",
    "remove_range",
    "untrusted_stats",
]

log = logging.getLogger(__name__)

#: Carriers whose gateway ranges are kept.
CARRIERS = ("docomo", "au", "softbank", "willcom")
#: Kinds of rows an import file may hold that are reported and skipped.
SKIPPED_KINDS = ("other", "crawler")
#: Columns an import file must have.
REQUIRED_COLUMNS = ("carrier", "cidr")
#: Characters of the keyed hash written to the log instead of an untrusted subscriber id.
LOG_HASH_CHARS = 12
#: Keys under ``app.extensions``.
_CACHE = "mobile_gateway.gateway_ranges"
_COUNTER = "mobile_gateway.untrusted_counter"


class RangeError(DomainError):
    """A range or an import file was refused; ``str()`` says why."""


def parse_network(carrier: str, cidr: str) -> IPNetwork:
    """Return *cidr* of *carrier* as a network, or raise :class:`RangeError`."""
    if carrier not in CARRIERS:
        raise RangeError(f"unknown carrier {carrier!r} (one of {', '.join(CARRIERS)})")
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        raise RangeError(f"not an IP network: {cidr!r}") from None


# Looking addresses up. -----------------------------------------------------------------------
class RangeIndex:
    """Every carrier's ranges, merged into sorted intervals per IP version, for bisecting."""

    def __init__(self, ranges: Iterable[tuple[str, IPNetwork]]) -> None:
        spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
        count = 0
        for carrier, network in ranges:
            first = int(network.network_address)
            spans.setdefault((carrier, network.version), []).append(
                (first, first + network.num_addresses - 1)
            )
            count += 1
        self._starts: dict[tuple[str, int], list[int]] = {}
        self._ends: dict[tuple[str, int], list[int]] = {}
        for key, intervals in spans.items():
            merged: list[list[int]] = []
            for start, end in sorted(intervals):
                if merged and start <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            self._starts[key] = [start for start, _ in merged]
            self._ends[key] = [end for _, end in merged]
        #: How many ranges went in (before merging).
        self.size = count

    def contains(self, carrier: str, address: str | None) -> bool:
        """Return whether *carrier*'s ranges hold *address* (a string; None holds nothing)."""
        ip = parse_address(address)
        if ip is None:
            return False
        key = (carrier, ip.version)
        starts = self._starts.get(key)
        if not starts:
            return False
        value = int(ip)
        position = bisect.bisect_right(starts, value) - 1
        return position >= 0 and value <= self._ends[key][position]

    def carriers_containing(self, address: str | None) -> list[str]:
        """Return the carriers whose ranges hold *address*."""
        return [carrier for carrier in CARRIERS if self.contains(carrier, address)]


def read_ranges(connection: sa.Connection) -> RangeIndex:
    """Build an index of the ranges stored in the database."""
    rows = connection.execute(sa.select(CarrierRange.carrier, CarrierRange.cidr))
    return RangeIndex((carrier, ipaddress.ip_network(cidr)) for carrier, cidr in rows)


class _RangeCache:
    """The index of one app, read again from the database once it is older than *ttl*."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._index: RangeIndex | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def get(self, engine: sa.Engine) -> RangeIndex:
        """Return a fresh enough index, reading the ranges if need be."""
        index = self._index
        if index is not None and time.monotonic() - self._loaded_at < self.ttl:
            return index
        with self._lock:
            if self._index is None or time.monotonic() - self._loaded_at >= self.ttl:
                with engine.connect() as connection:
                    self._index = read_ranges(connection)
                self._loaded_at = time.monotonic()
            return self._index

    def invalidate(self) -> None:
        """Forget the index; the next lookup reads the database."""
        self._index = None


def get_index(app: Flask | None = None) -> RangeIndex:
    """Return the current app's range index (cached per process)."""
    app = app or current_app
    return app.extensions[_CACHE].get(db.get_engine(app))


def invalidate(app: Flask | None = None) -> None:
    """Make this process read the ranges again on the next lookup (after a change)."""
    (app or current_app).extensions[_CACHE].invalidate()


def carriers_containing(address: str | None) -> list[str]:
    """Return the carriers whose gateway ranges hold *address*."""
    return get_index().carriers_containing(address)


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


# The request hook. ---------------------------------------------------------------------------
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
    short = easy_login.subscriber_hash(secret, terminal.carrier, subscriber_id)[:LOG_HASH_CHARS]
    log.warning(
        "%s subscriber id from %s, outside the carrier's gateway ranges: ignored (id hash %s)",
        terminal.carrier,
        address,
        short,
    )
    current_app.extensions[_COUNTER].record(db.get_engine(), terminal.carrier, address, utcnow())


def init_app(app: Flask) -> None:
    """Set up the per-process cache and counter and check subscriber ids on every request."""
    app.extensions[_CACHE] = _RangeCache(float(app.config["GATEWAY_RANGES_TTL"]))
    app.extensions[_COUNTER] = _UntrustedCounter(float(app.config["GATEWAY_STATS_FLUSH_SECONDS"]))
    app.before_request(check_subscriber)


# Managing ranges. ----------------------------------------------------------------------------
def list_ranges(session: Session, carrier: str | None = None) -> list[CarrierRange]:
    """Return the stored ranges (of *carrier*), by carrier then address."""
    query = sa.select(CarrierRange)
    if carrier is not None:
        query = query.where(CarrierRange.carrier == carrier)
    rows = session.scalars(query).all()
    return sorted(rows, key=lambda row: (CARRIERS.index(row.carrier), _sort_key(row.cidr)))


def _sort_key(cidr: str) -> tuple:
    """Order networks by version, then address, then size."""
    network = ipaddress.ip_network(cidr)
    return (network.version, int(network.network_address), network.prefixlen)


def add_range(session: Session, carrier: str, cidr: str, source: str | None = None) -> CarrierRange:
    """Store one range and commit; refuse a bad one or one already stored."""
    network = parse_network(carrier, cidr)
    row = CarrierRange(carrier=carrier, cidr=network.compressed, source=source)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise RangeError(f"{carrier} {network.compressed} is already stored") from None
    return row


def remove_range(session: Session, carrier: str, cidr: str) -> None:
    """Delete one stored range and commit; refuse one that is not stored."""
    network = parse_network(carrier, cidr)
    row = session.scalar(
        sa.select(CarrierRange).where(
            CarrierRange.carrier == carrier, CarrierRange.cidr == network.compressed
        )
    )
    if row is None:
        raise RangeError(f"{carrier} {network.compressed} is not stored")
    session.delete(row)
    session.commit()


def find_overlaps(
    ranges: Iterable[tuple[str, IPNetwork]],
) -> list[tuple[tuple[str, IPNetwork], tuple[str, IPNetwork]]]:
    """Return the pairs of ranges of *different* carriers that share addresses."""
    spans = sorted(
        (net.version, int(net.network_address), int(net.broadcast_address), carrier, net)
        for carrier, net in ranges
    )
    pairs = []
    for i, (version, _start, end, carrier, network) in enumerate(spans):
        for other_version, other_start, _end, other_carrier, other in itertools.islice(
            spans, i + 1, None
        ):
            if other_version != version or other_start > end:
                break
            if other_carrier != carrier:
                pairs.append(((carrier, network), (other_carrier, other)))
    return pairs


@dataclass
class ParsedFile:
    """What an import file holds."""

    #: (carrier, network) -> (source, date) of the first row naming it.
    ranges: dict[tuple[str, IPNetwork], tuple[str | None, str | None]] = field(default_factory=dict)
    #: Data rows read.
    rows: int = 0
    #: Rows repeating a (carrier, network) already read.
    duplicates: int = 0
    #: Rows skipped by kind (``other``, ``crawler``).
    skipped: Counter = field(default_factory=Counter)
    #: (line number, message) of every unreadable row.
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: (line number, message) of rows read with a change (host bits set).
    notes: list[tuple[int, str]] = field(default_factory=list)


def parse_file(stream: io.TextIOBase) -> ParsedFile:
    """Read an import file (the ``carrier-ip-ranges.tsv`` format)."""
    parsed = ParsedFile()
    reader = csv.reader(stream, delimiter="\t")
    header = next(reader, None)
    columns = [name.strip().lower() for name in header or ()]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        parsed.errors.append((1, f"header lacks the column(s) {', '.join(missing)}"))
        return parsed
    for row in reader:
        line = reader.line_num
        if not row or not "".join(row).strip() or row[0].startswith("#"):
            continue
        parsed.rows += 1
        values = dict(zip(columns, (value.strip() for value in row)))
        carrier = values.get("carrier", "").lower()
        if carrier in SKIPPED_KINDS:
            parsed.skipped[carrier] += 1
            continue
        cidr = values.get("cidr", "")
        try:
            network = parse_network(carrier, cidr)
        except RangeError as error:
            parsed.errors.append((line, str(error)))
            continue
        if network.compressed != cidr:
            parsed.notes.append((line, f"{cidr} read as {network.compressed}"))
        key = (carrier, network)
        if key in parsed.ranges:
            parsed.duplicates += 1
            continue
        parsed.ranges[key] = (values.get("source") or None, values.get("date") or None)
    return parsed


@dataclass
class ImportPlan:
    """What an import changes, and what the result would look like."""

    parsed: ParsedFile
    add: list[tuple[str, IPNetwork]]
    remove: list[tuple[str, IPNetwork]]
    unchanged: int
    #: Overlaps across carriers in the ranges stored after the import.
    overlaps: list

    def report(self) -> list[str]:
        """Return the plan as lines for an operator."""
        parsed = self.parsed
        skipped = ", ".join(f"{count} {kind}" for kind, count in sorted(parsed.skipped.items()))
        lines = [
            f"read {parsed.rows} rows: {len(parsed.ranges)} ranges, "
            f"{parsed.duplicates} duplicates, skipped: {skipped or 'none'}"
            + (" (not carrier gateways)" if skipped else ""),
        ]
        lines += [f"line {line}: error: {message}" for line, message in parsed.errors]
        lines += [f"line {line}: note: {message}" for line, message in parsed.notes]
        lines += [f"+ {carrier} {network.compressed}" for carrier, network in self.add]
        lines += [f"- {carrier} {network.compressed}" for carrier, network in self.remove]
        lines.append(f"add {len(self.add)}, remove {len(self.remove)}, unchanged {self.unchanged}")
        if self.overlaps:
            lines.append(f"{len(self.overlaps)} overlap(s) across carriers:")
            lines += [
                f"  {a[0]} {a[1].compressed} overlaps {b[0]} {b[1].compressed}"
                for a, b in self.overlaps
            ]
        else:
            lines.append("no overlaps across carriers")
        return lines


def plan_import(session: Session, parsed: ParsedFile, *, replace: bool = False) -> ImportPlan:
    """Compare an import file with the stored ranges.

    :param replace: also remove stored ranges of the carriers in the file that the file
        does not list (carriers absent from the file keep theirs).
    """
    stored = {
        (row.carrier, ipaddress.ip_network(row.cidr))
        for row in session.scalars(sa.select(CarrierRange))
    }
    wanted = set(parsed.ranges)
    add = sorted(wanted - stored, key=_plan_key)
    carriers = {carrier for carrier, _ in wanted}
    remove = (
        sorted((key for key in stored - wanted if key[0] in carriers), key=_plan_key)
        if replace
        else []
    )
    after = (stored - set(remove)) | wanted
    return ImportPlan(parsed, add, remove, len(wanted & stored), find_overlaps(after))


def _plan_key(item: tuple[str, IPNetwork]) -> tuple:
    carrier, network = item
    return (CARRIERS.index(carrier), network.version, int(network.network_address))


def apply_plan(session: Session, plan: ImportPlan) -> None:
    """Carry out *plan* in one transaction; refuse a file with errors."""
    if plan.parsed.errors:
        raise RangeError(f"the file has {len(plan.parsed.errors)} error(s); nothing imported")
    for carrier, network in plan.remove:
        session.execute(
            sa.delete(CarrierRange).where(
                CarrierRange.carrier == carrier, CarrierRange.cidr == network.compressed
            )
        )
    for carrier, network in plan.add:
        source, source_date = plan.parsed.ranges[(carrier, network)]
        session.add(
            CarrierRange(
                carrier=carrier, cidr=network.compressed, source=source, source_date=source_date
            )
        )
    session.commit()
