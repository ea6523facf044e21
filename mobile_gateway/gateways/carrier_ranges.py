"""Carrier gateway IP ranges: where a subscriber id header may come from.

A carrier adds its subscriber id header (``X-DCMGUID``, ``X-UP-SUBNO``, ``X-JPHONE-UID``)
at its gateway; anyone else can write the same header. So an id is believed only when the
request's client address (:mod:`.client_address`) lies in that carrier's gateway ranges
(:mod:`.subscriber_ids`). The product ships no ranges: operators import them
(:mod:`.range_import`, ``mobile-gateway ranges import``), add or remove them (CLI and
``/admin/ranges``), and they live in the ``carrier_ranges`` table.

Each process keeps the ranges in memory (:class:`RangeIndex`, bisect over merged intervals)
and reads them again after ``GATEWAY_RANGES_TTL`` seconds; a change made in this process
takes effect at once (:func:`invalidate`), in other processes within the TTL.
"""

from __future__ import annotations

import bisect
import ipaddress
import itertools
import threading
import time
from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..phone.i18n import gettext as _
from ..storage import db
from ..storage.models import CarrierRange, DomainError
from .client_address import IPNetwork, parse_address

__all__ = [
    "CARRIERS",
    "RangeError",
    "RangeIndex",
    "add_range",
    "carriers_containing",
    "find_overlaps",
    "get_index",
    "init_app",
    "invalidate",
    "list_ranges",
    "parse_network",
    "read_ranges",
    "remove_range",
]

#: Carriers whose gateway ranges are kept.
CARRIERS = ("docomo", "au", "softbank", "willcom")
#: Key under ``app.extensions``.
_CACHE = "mobile_gateway.carrier_ranges"


class RangeError(DomainError):
    """A range or an import file was refused; ``str()`` says why."""


def parse_network(carrier: str, cidr: str) -> IPNetwork:
    """Return *cidr* of *carrier* as a network, or raise :class:`RangeError`."""
    if carrier not in CARRIERS:
        raise RangeError(
            _(
                "unknown carrier %(carrier)r (one of %(carriers)s)",
                carrier=carrier,
                carriers=", ".join(CARRIERS),
            )
        )
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        raise RangeError(_("not an IP network: %(cidr)r", cidr=cidr)) from None


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
            self._starts[key] = [start for start, _end in merged]
            self._ends[key] = [end for _start, end in merged]
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
                with engine.begin() as connection:  # reads end with COMMIT (db.close_session)
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


def init_app(app: Flask) -> None:
    """Set up the per-process cache of the ranges."""
    app.extensions[_CACHE] = _RangeCache(float(app.config["GATEWAY_RANGES_TTL"]))


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
        raise RangeError(
            _("%(range)s is already stored", range=" ".join((carrier, network.compressed)))
        ) from None
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
        raise RangeError(
            _("%(range)s is not stored", range=" ".join((carrier, network.compressed)))
        )
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
