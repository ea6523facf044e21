"""Importing and exporting the operators' emoji layer as CSV.

CSV (UTF-8, a header line, one row per emoji; :func:`export_csv`, :func:`plan_import`)::

    key,docomo,au,softbank,docomo_fit,au_fit,softbank_fit,google,name_ja,fit,localsrc
    ☀️,F89F,F660,F98B,,,,FE000,太陽,,44
    U+1016A6,F94A,,,,,,,,☀️,

- ``key``: the emoji itself, or its code points (``U+2600 U+FE0F``); carrier-only emoji
  are written as their one code point (``U+1016A6`` = DoCoMo F94A);
- ``docomo``, ``au``, ``softbank``: the round-trip Shift_JIS code, hex (``F89F``);
  ``U+E63E`` (the carrier's private-use code point) and ``$Gj`` (SoftBank) are read too;
- ``docomo_fit``, ``au_fit``, ``softbank_fit``: one-way best-fit Shift_JIS code, used when
  the carrier has no round-trip code, or two codes joined by ``+`` for a sequence of two
  emoji (``F98B+F98A``: SoftBank's sun then cloud for ⛅);
- ``google``: Google's private-use code point, hex (``FE000``), decoded one way;
- ``name_ja``: the name of the text fallback (``[太陽]``);
- ``fit``: for a carrier-only emoji, the standard emoji it means;
- ``localsrc``: au's emoji number (``<img localsrc="44">``).

An empty cell means "none". A column left out of the header keeps each row's current
value, so ``key,name_ja`` renames without touching codes. An import with ``replace``
also removes the layer rows the file does not list.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from carrier_emoji import EmojiRow

from ..phone.i18n import gettext as _
from ..phone.i18n import ngettext
from .emoji_changes import apply
from .emoji_layer import (
    CODE_FIELDS,
    FIELDS,
    LayerError,
    effective_row,
    load_layer,
    read_version,
    shipped_by_key,
)
from .emoji_notation import describe_key, format_code, key_text, parse_key, row_from_fields
from .emoji_review import Review, review

__all__ = ["CSV_COLUMNS", "ImportPlan", "export_csv", "import_csv", "plan_import"]

#: The CSV columns: the fields of an :class:`EmojiRow`, in order.
CSV_COLUMNS = FIELDS


def export_csv(layer: Mapping[str, EmojiRow], out: io.TextIOBase) -> int:
    """Write the layer as CSV (columns in the module docstring); return the row count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for key in sorted(layer):
        row = layer[key]
        values = []
        for name in CSV_COLUMNS:
            value = getattr(row, name)
            if name == "key":
                value = key_text(value)
            elif name in CODE_FIELDS or name == "google":
                value = format_code(value)
            elif name == "fit" and value:
                value = key_text(value)
            values.append("" if value is None else value)
        writer.writerow(values)
    return len(layer)


@dataclass
class ImportPlan:
    """What an import would do: per-key row changes, counts, and problems."""

    change: dict[str, EmojiRow | None] = field(default_factory=dict)
    expected: dict[str, EmojiRow | None] = field(default_factory=dict)
    read: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    review: Review | None = None

    @property
    def ok(self) -> bool:
        """Whether the import may be run."""
        return not self.problems and (self.review is None or self.review.ok)

    def summary(self) -> str:
        """Counts in one line, in the language in force."""
        return ngettext(
            "%(num)d row read: %(added)d added, %(changed)d changed, %(removed)d removed,"
            " %(unchanged)d unchanged",
            "%(num)d rows read: %(added)d added, %(changed)d changed, %(removed)d removed,"
            " %(unchanged)d unchanged",
            self.read,
            added=len(self.added),
            changed=len(self.changed),
            removed=len(self.removed),
            unchanged=len(self.unchanged),
        )


def plan_import(
    session: Session,
    text: str,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Read CSV *text* and tell what importing it would change (writes nothing).

    :param progress: called with the number of rows read so far, every row.
    """
    plan = ImportPlan()
    layer = load_layer(session)
    version = read_version(session) or 0
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if "key" not in columns or unknown:
        if unknown:
            problem = _(
                "header: unknown columns %(unknown)s; columns are %(columns)s",
                unknown=", ".join(unknown),
                columns=",".join(CSV_COLUMNS),
            )
        else:
            problem = _(
                "header: no key column; columns are %(columns)s", columns=",".join(CSV_COLUMNS)
            )
        plan.problems.append(problem)
        return plan
    lines: dict[str, int] = {}
    for record in reader:
        plan.read += 1
        line = reader.line_num
        if progress:
            progress(plan.read)
        try:
            key = parse_key(record.get("key") or "")
        except LayerError as error:
            plan.problems.extend(_on_line(line, p) for p in error.problems)
            continue
        if key in lines:
            plan.problems.append(
                _(
                    "line %(line)d: %(emoji)s is also on line %(other)d",
                    line=line,
                    emoji=describe_key(key),
                    other=lines[key],
                )
            )
            continue
        lines[key] = line
        base = effective_row(layer, key) or EmojiRow(key)
        row, problems = row_from_fields({k: v for k, v in record.items() if k != "key"}, base)
        if problems:
            plan.problems.extend(_on_line(line, p) for p in problems)
            continue
        if row == layer.get(key) or (key not in layer and row == shipped_by_key().get(key)):
            plan.unchanged.append(key)
            continue
        (plan.changed if key in layer or key in shipped_by_key() else plan.added).append(key)
        plan.change[key] = row
    if replace:
        for key in layer:
            if key not in lines:
                plan.removed.append(key)
                plan.change[key] = None
    plan.expected = {key: layer.get(key) for key in plan.change}
    if plan.change and not plan.problems:
        plan.review = review(layer, plan.change, version, preview=False)
        plan.problems.extend(plan.review.problems)
    return plan


def _on_line(line: int, problem: str) -> str:
    return _("line %(line)d: %(problem)s", line=line, problem=problem)


def import_csv(session: Session, plan: ImportPlan, actor: str, *, reason: str) -> Review | None:
    """Run a checked import plan (one audit entry per key, each with *reason*); None when it
    changes nothing.
    """
    if not plan.ok:
        raise LayerError(plan.problems)
    if not plan.change:
        return None
    return apply(session, plan.change, actor, "import", expected=plan.expected, reason=reason)
