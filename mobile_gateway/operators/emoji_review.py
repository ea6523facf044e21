"""What a change of the emoji layer would do, told before anything is written.

A **change** maps keys to their new layer row (``None``: remove the layer row).
:func:`review` says, writing nothing, what it would do:

- its problems, each saying exactly why the change is refused: a carrier code mapped
  twice (:class:`carrier_emoji.TableError`), any problem of a row on its own
  (:mod:`.emoji_checks`), a localsrc number taken twice, and any **round trip that held
  and would not hold any more**: for every code that round-tripped in the current table
  (decode, then encode, gives the same bytes, in every byte form of its carrier), the
  candidate table must give the same bytes, except for the codes the change moves on
  purpose;
- whether it affects **output** (stored echoes are internal text, so old echoes render
  differently at once) or **input** (posts decode differently from now on), or both;
- a **preview**: a sample echo with the emoji as every page codec writes it, before and
  after, built with the candidate :class:`~carrier_emoji.EmojiIndex`
  (:mod:`.emoji_preview`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import carrier_emoji
from carrier_emoji import EmojiIndex, EmojiRow, notations

from ..phone.i18n import gettext as _
from .emoji_checks import (
    ROUND_TRIP_CODECS,
    check_localsrc,
    check_row,
    code_bytes,
    holding,
    listing,
    round_trips,
    row_warnings,
)
from .emoji_layer import (
    CARRIER_LABELS,
    FIELDS,
    effective_index,
    effective_row,
    shipped_by_key,
    shipped_index,
)
from .emoji_notation import describe_key, format_code
from .emoji_preview import PAGE_CODECS, PreviewLine, page_bytes, preview_lines

__all__ = ["INPUT_CODECS", "Review", "RowChange", "review"]

#: Codecs whose decoding the input check compares (every form a post arrives in).
INPUT_CODECS = tuple(c for c, _c in ROUND_TRIP_CODECS if c != "x-sjis-softbank-webcode") + (
    "x-utf8-unicode",
)


@dataclass
class RowChange:
    """One key's row before and after (effective rows; layer rows for the audit log)."""

    key: str
    layer_before: EmojiRow | None
    layer_after: EmojiRow | None
    before: EmojiRow | None
    after: EmojiRow | None

    @property
    def fields_changed(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose effective value changes."""
        empty = EmojiRow(self.key)
        before, after = self.before or empty, self.after or empty
        return [
            (n, getattr(before, n), getattr(after, n))
            for n in FIELDS[1:]
            if getattr(before, n) != getattr(after, n)
        ]


@dataclass
class Review:
    """What a change would do; ``ok`` when it may be saved."""

    rows: list[RowChange]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    input: list[str] = field(default_factory=list)
    preview: dict[str, list[PreviewLine]] = field(default_factory=dict)
    index: EmojiIndex | None = None
    version: int | None = None
    #: Carrier codes whose round trip the change moves on purpose (not checked).
    moved: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing refuses the change."""
        return not self.problems and self.index is not None

    @property
    def effect(self) -> str:
        """Say in one line whether the change affects output, input, both, or neither."""
        if self.output and self.input:
            return _(
                "output and input: stored echoes render differently at once, and posts"
                " from now on decode differently"
            )
        if self.output:
            return _("output: stored echoes (internal text) render differently at once")
        if self.input:
            return _("input: applies to posts from now on; stored echoes render as before")
        return _("neither output nor input changes")


def review(
    layer: Mapping[str, EmojiRow],
    change: Mapping[str, EmojiRow | None],
    version: int = 0,
    preview: bool = True,
) -> Review:
    """Tell what *change* would do to the table made of the shipped rows and *layer*."""
    shipped = shipped_by_key()
    rows = []
    for key, new in change.items():
        if new is not None and new.key != key:
            raise ValueError(f"row of {key!r} carries the key {new.key!r}")
        rows.append(
            RowChange(
                key,
                layer.get(key),
                new,
                effective_row(layer, key),
                new if new is not None else shipped.get(key),
            )
        )
    result = Review(rows, version=version)
    for row_change in rows:
        if row_change.after is not None:
            result.problems.extend(check_row(row_change.after, shipped))
            result.warnings.extend(row_warnings(row_change.after))
        elif row_change.before is not None:
            result.warnings.append(
                _(
                    "%(emoji)s leaves the table: stored echoes with it get the text fallback",
                    emoji=describe_key(row_change.key),
                )
            )
    try:
        old = effective_index(layer)
    except carrier_emoji.TableError as error:  # the database was edited by hand
        result.warnings.append(
            _(
                "the table in force is inconsistent (%(error)s); compared with the shipped one",
                error=error,
            )
        )
        old = shipped_index()
    candidate_layer = {k: v for k, v in layer.items() if k not in change}
    candidate_layer.update({k: v for k, v in change.items() if v is not None})
    merged = carrier_emoji.merge(carrier_emoji.shipped_rows(), candidate_layer.values())
    try:
        new = EmojiIndex(merged, version + 1)
    except carrier_emoji.TableError as error:
        result.problems.extend(_codes_taken_twice(merged) or [_("table: %(error)s", error=error)])
        return result
    check_localsrc(new, {r.key for r in rows}, result.problems)
    for carrier, code in sorted(_moved_codes(rows)):
        result.moved.append(f"{CARRIER_LABELS[carrier]} {code:04X}")
        if code not in new.by_code[carrier]:
            result.warnings.append(
                _(
                    "%(carrier)s %(code)s is then no emoji: posts with it are refused",
                    carrier=CARRIER_LABELS[carrier],
                    code=format_code(code),
                )
            )
    _check_round_trips(old, new, rows, result.problems)
    _impact(old, new, rows, result)
    if preview:
        for row_change in rows:
            result.preview[row_change.key] = preview_lines(row_change.key, old, new)
    if not result.problems:
        result.index = new
    return result


def _codes_taken_twice(rows) -> list[str]:
    """Say which carrier codes *rows* give two emoji (what :class:`EmojiIndex` refuses)."""
    seen: dict[tuple[str, int], str] = {}
    found = []
    for row in rows:
        for carrier in notations.CARRIERS:
            code = row.code(carrier)
            if code is None:
                continue
            other = seen.setdefault((carrier, code), row.key)
            if other != row.key:
                found.append(
                    _(
                        "%(carrier)s code %(code)s is mapped twice: %(one)s and %(other)s",
                        carrier=carrier,
                        code=format_code(code),
                        one=describe_key(other),
                        other=describe_key(row.key),
                    )
                )
    return found


def _moved_codes(rows: Iterable[RowChange]) -> set[tuple[str, int]]:
    """(carrier, code) pairs whose round-trip row the change moves on purpose."""
    moved = set()
    for row_change in rows:
        for carrier in notations.CARRIERS:
            before = row_change.before.code(carrier) if row_change.before else None
            after = row_change.after.code(carrier) if row_change.after else None
            if before != after:
                moved |= {(carrier, c) for c in (before, after) if c is not None}
    return moved


def _decoded(codec: str, data: bytes, index: EmojiIndex) -> str:
    try:
        return carrier_emoji.decode(data, codec, index=index)
    except UnicodeError:
        return _("(refused as invalid)")


def _check_round_trips(old: EmojiIndex, new: EmojiIndex, rows, problems: list[str]) -> None:
    moved = _moved_codes(rows)
    held = round_trips(old)
    broken = []
    for codec, carrier in ROUND_TRIP_CODECS:
        codes = sorted(c for k, _carrier, c in held if k == codec and (carrier, c) not in moved)
        for code in sorted(set(codes) - set(holding(new, codec, carrier, codes))):
            data = code_bytes(codec, carrier, code)
            now = _decoded(codec, data, new)
            try:
                again = carrier_emoji.encode(now, codec, index=new).hex(" ").upper()
            except UnicodeError:
                again = _("an error")
            broken.append(
                _(
                    "%(codec)s %(code)s (decodes to %(text)r, encodes back as %(again)s)",
                    codec=codec,
                    code=format_code(code),
                    text=now,
                    again=again,
                )
            )
    if broken:
        problems.append(
            _("round trips that hold now would break: %(codes)s", codes=listing(broken))
        )


def _impact(old: EmojiIndex, new: EmojiIndex, rows: list[RowChange], result: Review) -> None:
    """Fill in what the change does to output (stored echoes) and to input (new posts)."""
    keys = {r.key for r in rows}
    keys |= {row.key for row in old.rows if row.fit in keys}
    keys |= {row.key for row in new.rows if row.fit in keys}
    for key in sorted(keys):
        for codec in PAGE_CODECS:
            before, after = page_bytes(key, codec, old), page_bytes(key, codec, new)
            if before != after:
                result.output.append(
                    _(
                        "%(emoji)s on %(codec)s: %(before)s -> %(after)s",
                        emoji=describe_key(key),
                        codec=codec,
                        before=before.hex(" ").upper(),
                        after=after.hex(" ").upper(),
                    )
                )
    codes = set(_moved_codes(rows))
    for row_change in rows:
        for row in (row_change.before, row_change.after):
            if row is not None:
                codes |= {(c, row.code(c)) for c in notations.CARRIERS if row.code(c)}
    for codec in INPUT_CODECS:
        spec = carrier_emoji.spec_for(codec)
        if spec.carrier is None:
            points = {r.google for rc in rows for r in (rc.before, rc.after) if r and r.google}
            forms = [(f"U+{p:05X}", chr(p).encode()) for p in sorted(points)]
        else:
            forms = [
                (f"{code:04X}", code_bytes(codec, carrier, code))
                for carrier, code in sorted(codes)
                if carrier == spec.carrier
            ]
        for label, data in forms:
            before, after = _decoded(codec, data, old), _decoded(codec, data, new)
            if before != after:
                result.input.append(f"{codec} {label}: {before!r} -> {after!r}")
