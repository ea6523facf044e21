"""Importing carrier gateway ranges from a file, with a plan to look at first (dry run).

Import files have the format of ``carrier-ip-ranges.tsv``: tab-separated, a header line,
columns ``carrier``, ``cidr``, ``source``, ``date``. Rows for ``other`` (EMOBILE) and
``crawler`` are counted and skipped: they are not gateways of a carrier whose subscriber
id we read (the crawler flag comes from the User-Agent, see :mod:`..phone.terminals`).
"""

from __future__ import annotations

import csv
import io
import ipaddress
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..phone.i18n import gettext as _
from ..storage.models import CarrierRange
from .carrier_ranges import CARRIERS, RangeError, find_overlaps, parse_network
from .client_address import IPNetwork

__all__ = ["SKIPPED_KINDS", "ImportPlan", "ParsedFile", "apply_plan", "parse_file", "plan_import"]

#: Kinds of rows an import file may hold that are reported and skipped.
SKIPPED_KINDS = ("other", "crawler")
#: Columns an import file must have.
REQUIRED_COLUMNS = ("carrier", "cidr")


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
        parsed.errors.append(
            (1, _("header lacks the column(s) %(columns)s", columns=", ".join(missing)))
        )
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
            parsed.notes.append(
                (line, _("%(cidr)s read as %(network)s", cidr=cidr, network=network.compressed))
            )
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
        """Return the plan as lines for an operator, in the language in force."""
        parsed = self.parsed
        skipped = ", ".join(f"{count} {kind}" for kind, count in sorted(parsed.skipped.items()))
        counts = dict(rows=parsed.rows, ranges=len(parsed.ranges), duplicates=parsed.duplicates)
        if skipped:
            first = _(
                "read %(rows)d rows: %(ranges)d ranges, %(duplicates)d duplicates,"
                " skipped: %(skipped)s (not carrier gateways)",
                skipped=skipped,
                **counts,
            )
        else:
            first = _(
                "read %(rows)d rows: %(ranges)d ranges, %(duplicates)d duplicates, skipped: none",
                **counts,
            )
        lines = [first]
        lines += [
            _("line %(line)d: error: %(message)s", line=line, message=message)
            for line, message in parsed.errors
        ]
        lines += [
            _("line %(line)d: note: %(message)s", line=line, message=message)
            for line, message in parsed.notes
        ]
        lines += [f"+ {carrier} {network.compressed}" for carrier, network in self.add]
        lines += [f"- {carrier} {network.compressed}" for carrier, network in self.remove]
        lines.append(
            _(
                "add %(add)d, remove %(remove)d, unchanged %(unchanged)d",
                add=len(self.add),
                remove=len(self.remove),
                unchanged=self.unchanged,
            )
        )
        if self.overlaps:
            lines.append(_("%(count)d overlap(s) across carriers:", count=len(self.overlaps)))
            lines += [
                "  "
                + _(
                    "%(one)s overlaps %(other)s",
                    one=" ".join((a[0], a[1].compressed)),
                    other=" ".join((b[0], b[1].compressed)),
                )
                for a, b in self.overlaps
            ]
        else:
            lines.append(_("no overlaps across carriers"))
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
    carriers = {carrier for carrier, _network in wanted}
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
        raise RangeError(
            _(
                "the file has %(count)d error(s); nothing imported",
                count=len(plan.parsed.errors),
            )
        )
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
