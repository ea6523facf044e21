"""The operators' emoji layer: look-ups, validated changes, an audit log with revert, CSV.

The effective emoji table is the shipped table (:func:`carrier_emoji.shipped_rows`) with
the layer's rows merged over it by key (:func:`carrier_emoji.merge`). A layer row is a
whole :class:`~carrier_emoji.EmojiRow`: it replaces the shipped row of its key, or adds
one; removing it brings the shipped row back. ``table.py`` is never edited. No Flask
here: every function takes a SQLAlchemy session (or a layer) first.

A **change** maps keys to their new layer row (``None``: remove the layer row).
:func:`review` says, writing nothing, what it would do:

- its problems, each saying exactly why the change is refused: a carrier code mapped
  twice (:class:`carrier_emoji.TableError`), a code outside the carrier's emoji cells,
  a carrier-only key whose code is another one, a ``fit`` that is no standard emoji, a
  text fallback the Shift_JIS carriers cannot show (``[name]`` must encode in CP932),
  a localsrc number out of range or taken twice, and any **round trip that held and
  would not hold any more**: for every code that round-tripped in the current table
  (decode, then encode, gives the same bytes, in every byte form of its carrier), the
  candidate table must give the same bytes, except for the codes the change moves on
  purpose;
- whether it affects **output** (stored echoes are internal text, so old echoes render
  differently at once) or **input** (posts decode differently from now on), or both;
- a **preview**: a sample echo with the emoji as every page codec writes it, before and
  after, built with the candidate :class:`~carrier_emoji.EmojiIndex`.

:func:`apply` takes the table version's row lock first (an ``UPDATE`` that bumps it),
reviews again against the layer as it is then, and writes the rows and one audit entry
per key (who, when, before and after as JSON) in the same transaction; :func:`revert`
undoes one entry, as a change of its own. App instances notice the new version within a
second or two (:mod:`mobile_gateway.emoji_sync`).

CSV (UTF-8, a header line, one row per emoji; :func:`export_csv`, :func:`plan_import`)::

    key,docomo,au,softbank,docomo_fit,au_fit,softbank_fit,google,name_ja,fit,localsrc
    ☀️,F89F,F660,F98B,,,,FE000,太陽,,44
    U+1016A6,F94A,,,,,,,,☀️,

- ``key``: the emoji itself, or its code points (``U+2600 U+FE0F``); carrier-only emoji
  are written as their one code point (``U+1016A6`` = DoCoMo F94A);
- ``docomo``, ``au``, ``softbank``: the round-trip Shift_JIS code, hex (``F89F``);
  ``U+E63E`` (the carrier's private-use code point) and ``$Gj`` (SoftBank) are read too;
- ``docomo_fit``, ``au_fit``, ``softbank_fit``: one-way best-fit Shift_JIS code, used when
  the carrier has no round-trip code;
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
import json
import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import emoji as emoji_package
import sqlalchemy as sa
from sqlalchemy.orm import Session

import carrier_emoji
from carrier_emoji import EmojiIndex, EmojiRow, notations

from .models import DomainError, EmojiAuditEntry, EmojiMapping, EmojiTableVersion, utcnow

__all__ = [
    "CARRIER_LABELS",
    "CSV_COLUMNS",
    "FIELDS",
    "PAGE_CODECS",
    "ImportPlan",
    "LayerError",
    "Match",
    "Review",
    "apply",
    "audit_entries",
    "check_table",
    "code_notations",
    "describe_key",
    "effective_index",
    "export_csv",
    "format_code",
    "load_layer",
    "lookup",
    "parse_code",
    "parse_key",
    "plan_import",
    "propose_carrier_only",
    "read_version",
    "review",
    "revert",
    "row_from_fields",
    "row_from_json",
    "row_to_json",
]

#: Columns of an :class:`EmojiRow`, in order; also the CSV columns.
FIELDS = EmojiRow._fields
CSV_COLUMNS = FIELDS
#: Fields holding a carrier's Shift_JIS code: round-trip, then best-fit.
CODE_FIELDS = tuple(notations.CARRIERS) + tuple(c + "_fit" for c in notations.CARRIERS)
#: How carriers are named on the console.
CARRIER_LABELS = {"docomo": "DoCoMo", "au": "au", "softbank": "SoftBank"}
#: The codecs pages are written in, and who receives each.
PAGE_CODECS = {
    "x-sjis-docomo": "DoCoMo i-mode (Shift_JIS)",
    "x-sjis-kddi": "au EZweb (Shift_JIS)",
    "x-utf8-softbank": "SoftBank 3G (UTF-8)",
    "x-sjis-softbank-webcode": "J-PHONE / SoftBank 2G (webcode)",
    "x-utf8-unicode": "PC and smartphone (Unicode)",
}
#: Every byte form a carrier's emoji take, for the round-trip check.
ROUND_TRIP_CODECS = (
    ("x-sjis-docomo", "docomo"),
    ("x-utf8-docomo", "docomo"),
    ("x-sjis-kddi", "au"),
    ("x-utf8-kddi", "au"),
    ("x-sjis-softbank", "softbank"),
    ("x-utf8-softbank", "softbank"),
    ("x-sjis-softbank-webcode", "softbank"),
)
#: Codecs whose decoding the input check compares (every form a post arrives in).
INPUT_CODECS = tuple(c for c, _ in ROUND_TRIP_CODECS if c != "x-sjis-softbank-webcode") + (
    "x-utf8-unicode",
)
#: The sample echo of the preview; ``{}`` is the emoji.
SAMPLE_ECHO = "今日は{}です"
#: Longest text-fallback name (the brackets come on top).
MAX_NAME_CHARS = 20
#: au's numbered emoji: 1-518 and 700-822 (CARRIERS.md).
LOCALSRC_RANGES = ((1, 518), (700, 822))
#: Google's private-use emoji code points.
GOOGLE_RANGE = (0xFE000, 0xFEEA0)
#: Actions written to the audit log.
ACTIONS = ("set", "remove", "import", "revert")
#: Round-trip failures listed by name in one message before "and N more".
MAX_LISTED = 5

_CODES = {
    "docomo": frozenset(notations.DOCOMO_CODES),
    "au": frozenset(notations.KDDI_CODES),
    "softbank": frozenset(notations.SOFTBANK_CODES),
}
_PUA = {
    "docomo": notations.docomo_pua,
    "au": notations.kddi_pua,
    "softbank": notations.softbank_pua,
}
#: Private-use code point -> Shift_JIS code, per carrier (au: official code points).
_SJIS_BY_PUA = {
    carrier: {_PUA[carrier](code): code for code in _CODES[carrier]} for carrier in _PUA
}
_KDDI_SJIS_BY_WEB = {notations.kddi_web_pua(code): code for code in notations.KDDI_CODES}
_WEBCODE_RE = re.compile(r"(?:ESC|\\x1b|\x1b)?\s*\$([GEFOPQ])([\x21-\x7a])\s*(?:SI|\x0f)?")
_HEX_CODE_RE = re.compile(r"(?:0x)?([0-9A-Fa-f]{4})")
_CODEPOINTS_RE = re.compile(r"(?:[Uu]\+[0-9A-Fa-f]{4,6}[\s,]*)+")
_NCR_RE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{4,5})|([0-9]{5}));?")
_LOCALSRC_RE = re.compile(r'(?:<img\s+)?(?:localsrc\s*[=:]?\s*)?"?([0-9]{1,3})"?\s*/?>?', re.I)
_NAME_FORBIDDEN = re.compile(r"[\[\]\x00-\x1f\x7f]")


class LayerError(DomainError):
    """A change of the emoji layer was refused; ``problems`` lists every reason."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


# Notations -----------------------------------------------------------------------------


def format_code(code: int | None) -> str:
    """Write a Shift_JIS code (or Google code point) as hex, ``""`` for none."""
    return "" if code is None else f"{code:04X}"


def codepoints(text: str) -> str:
    """Write *text* as code points: ``U+2600 U+FE0F``."""
    return " ".join(f"U+{ord(c):04X}" for c in text)


def describe_key(key: str) -> str:
    """Name an emoji for people: the emoji and its code points, or the carrier-only code."""
    parsed = notations.parse_carrier_only(key) if len(key) == 1 else None
    if parsed is not None:
        carrier, pua = parsed
        code = _SJIS_BY_PUA[carrier].get(pua)
        return f"{codepoints(key)} ({CARRIER_LABELS[carrier]}-only {format_code(code) or '?'})"
    return f"{key} ({codepoints(key)})"


def key_text(key: str) -> str:
    """Write a key for a CSV cell or a form: the emoji, or code points for carrier-only ones."""
    return codepoints(key) if EmojiIndex.is_carrier_only(key) else key


@lru_cache(maxsize=1)
def _qualified_by_bare() -> dict[str, str]:
    """Map each emoji spelled without U+FE0F to its fully-qualified spelling."""
    fully = emoji_package.STATUS["fully_qualified"]
    return {
        spelled.replace("\ufe0f", ""): spelled
        for spelled, data in emoji_package.EMOJI_DATA.items()
        if data["status"] == fully
    }


def qualify(text: str) -> str:
    """Return the fully-qualified spelling of an emoji (``☀`` -> ``☀️``), else *text*."""
    return _qualified_by_bare().get(text.replace("\ufe0f", ""), text)


def parse_key(text: str) -> str:
    """Read a key as typed: the emoji, ``:sun:``/``:太陽:``, or code points (``U+1016A6``).

    :raises LayerError: nothing usable was given.
    """
    text = text.strip()
    if not text:
        raise LayerError("key: empty")
    if _CODEPOINTS_RE.fullmatch(text):
        key = "".join(chr(int(h, 16)) for h in re.findall(r"[Uu]\+([0-9A-Fa-f]+)", text))
    elif text.startswith(":") and text.endswith(":") and len(text) > 2:
        key = emoji_package.emojize(text)
        if key == text:
            key = emoji_package.emojize(text, language="ja")
        if key == text:
            raise LayerError(f"key: no emoji is named {text}")
    else:
        key = text
    return key if EmojiIndex.is_carrier_only(key) else qualify(key)


def parse_code(carrier: str, text: str, field_name: str | None = None) -> int | None:
    """Read a carrier code as typed: Shift_JIS hex, the private-use code point, a webcode.

    :raises LayerError: not a code of one of *carrier*'s emoji cells.
    """
    name = field_name or carrier
    text = text.strip()
    if not text:
        return None
    code = None
    if match := _HEX_CODE_RE.fullmatch(text):
        code = int(match.group(1), 16)
    elif match := re.fullmatch(r"[Uu]\+([0-9A-Fa-f]{4})", text):
        point = int(match.group(1), 16)
        code = _SJIS_BY_PUA[carrier].get(point)
        if carrier == "au" and code is None:
            code = _KDDI_SJIS_BY_WEB.get(point)
        if code is None:
            raise LayerError(f"{name}: {text} is no {CARRIER_LABELS[carrier]} code point")
    elif carrier == "softbank" and (match := _WEBCODE_RE.fullmatch(text)):
        pua = notations.WEBCODE_GROUPS[ord(match.group(1))] << 8 | ord(match.group(2)) - 0x20
        code = _SJIS_BY_PUA["softbank"].get(pua)
        if code is None:
            raise LayerError(f"{name}: {text} is no SoftBank webcode")
    else:
        raise LayerError(f"{name}: {text!r} is not a Shift_JIS code such as F89F")
    if code not in _CODES[carrier]:
        raise LayerError(
            f"{name}: {code:04X} is not one of {CARRIER_LABELS[carrier]}'s emoji codes"
        )
    return code


def code_notations(carrier: str, code: int) -> dict[str, str]:
    """Every notation of one carrier code, for the console."""
    pua = _PUA[carrier](code)
    result = {"Shift_JIS": f"{code:04X}", "Unicode": f"U+{pua:04X}"}
    if carrier == "docomo":
        result["NCR"] = f"&#{code};"
    elif carrier == "au":
        result["web"] = f"U+{notations.kddi_web_pua(code):04X}"
    else:
        result["webcode"] = "ESC" + notations.softbank_webcode(pua)[1:4].decode() + " SI"
    return result


def row_to_json(row: EmojiRow | None) -> dict | None:
    """Return a layer row as JSON-ready data (codes in hex), for the audit log."""
    if row is None:
        return None
    data = row._asdict()
    for name in CODE_FIELDS + ("google",):
        data[name] = format_code(data[name]) or None
    return data


def row_from_json(data: Mapping | None) -> EmojiRow | None:
    """Read back :func:`row_to_json`."""
    if data is None:
        return None
    values = {name: data.get(name) for name in FIELDS}
    for name in CODE_FIELDS + ("google",):
        if values[name] is not None:
            values[name] = int(values[name], 16)
    return EmojiRow(**values)


def row_from_fields(fields: Mapping[str, str], base: EmojiRow) -> tuple[EmojiRow, list[str]]:
    """Build a row from form or CSV text fields; fields not given keep *base*'s values.

    Returns the row and the problems found reading it (then the row holds *base* values).
    """
    values = base._asdict()
    problems = []
    for name in FIELDS[1:]:
        if name not in fields:
            continue
        text = (fields[name] or "").strip()
        try:
            if name in CODE_FIELDS:
                values[name] = parse_code(name.removesuffix("_fit"), text, name)
            elif name == "google":
                values[name] = int(text, 16) if text else None
            elif name == "localsrc":
                values[name] = int(text) if text else None
            elif name == "fit":
                values[name] = parse_key(text) if text else None
            else:
                values[name] = text or None
        except LayerError as error:
            problems.extend(error.problems)
        except ValueError:
            problems.append(f"{name}: {text!r} is not a number")
    return EmojiRow(**values), problems


# Layer, version and effective table -------------------------------------------------------


def _row_of(mapping: EmojiMapping) -> EmojiRow:
    return EmojiRow(*(getattr(mapping, name) for name in FIELDS))


def load_layer(session: Session) -> dict[str, EmojiRow]:
    """Return the layer rows by key."""
    return {m.key: _row_of(m) for m in session.scalars(sa.select(EmojiMapping))}


def read_version(session_or_connection) -> int | None:
    """Return the table version (None when the version row or its table is missing)."""
    return session_or_connection.execute(
        sa.select(EmojiTableVersion.version).where(EmojiTableVersion.id == 1)
    ).scalar()


@lru_cache(maxsize=1)
def _shipped_by_key() -> dict[str, EmojiRow]:
    return {row.key: row for row in carrier_emoji.shipped_rows()}


@lru_cache(maxsize=1)
def _shipped_index() -> EmojiIndex:
    current = carrier_emoji.current_index()
    if current.rows is carrier_emoji.shipped_rows():
        return current
    return EmojiIndex(carrier_emoji.shipped_rows())


@lru_cache(maxsize=4)
def _index_of(layer_rows: tuple[EmojiRow, ...]) -> EmojiIndex:
    """Build (once per distinct layer) the effective index; raises TableError."""
    if not layer_rows:
        return _shipped_index()
    return EmojiIndex(carrier_emoji.merge(carrier_emoji.shipped_rows(), layer_rows))


def effective_index(layer: Mapping[str, EmojiRow]) -> EmojiIndex:
    """Return the index of the shipped table with *layer* merged over it (cached).

    :raises carrier_emoji.TableError: the rows are inconsistent.
    """
    return _index_of(tuple(sorted(layer.values(), key=lambda row: row.key)))


def effective_row(layer: Mapping[str, EmojiRow], key: str) -> EmojiRow | None:
    """Return the row of *key* in force with *layer*: the layer's, else the shipped one."""
    return layer[key] if key in layer else _shipped_by_key().get(key)


# Look-ups ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One look-up result: a row, how it matched, and whether it is in the table yet."""

    row: EmojiRow
    how: str
    in_table: bool = True


def _ja_name(key: str) -> str | None:
    data = emoji_package.EMOJI_DATA.get(key)
    name = data.get("ja") if data else None
    return name.strip(":").replace("_", " ") if name else None


def lookup(index: EmojiIndex, query: str, carrier: str | None = None) -> list[Match]:
    """Find rows by any key: an emoji, ``:name:``, a name, a carrier code in any notation.

    :param carrier: read a bare Shift_JIS code (``F89F``) as this carrier's only.
    """
    query = query.strip()
    if not query:
        return []
    found: dict[str, Match] = {}

    def add(row: EmojiRow | None, how: str, in_table: bool = True) -> None:
        if row is not None and row.key not in found:
            found[row.key] = Match(row, how, in_table)

    def add_code(c: str, code: int, notation: str) -> None:
        label = f"{CARRIER_LABELS[c]} {notation}"
        add(index.by_code[c].get(code), label)
        for row in index.rows:
            if row.fit_code(c) == code:
                add(row, f"{label} (best fit)")

    carriers = [carrier] if carrier else list(notations.CARRIERS)
    if match := _WEBCODE_RE.fullmatch(query):
        pua = notations.WEBCODE_GROUPS[ord(match.group(1))] << 8 | ord(match.group(2)) - 0x20
        if pua in _SJIS_BY_PUA["softbank"]:
            add_code("softbank", _SJIS_BY_PUA["softbank"][pua], f"webcode {query}")
    elif match := _NCR_RE.fullmatch(query):
        if match.group(1):
            point = int(match.group(1), 16)
            if point in _SJIS_BY_PUA["docomo"]:
                add_code("docomo", _SJIS_BY_PUA["docomo"][point], f"NCR {query}")
        elif int(match.group(2)) in _CODES["docomo"]:
            add_code("docomo", int(match.group(2)), f"NCR {query}")
    elif _CODEPOINTS_RE.fullmatch(query):
        points = [int(h, 16) for h in re.findall(r"[Uu]\+([0-9A-Fa-f]+)", query)]
        if len(points) == 1:
            point = points[0]
            for c in carriers:
                if point in _SJIS_BY_PUA[c]:
                    add_code(c, _SJIS_BY_PUA[c][point], f"U+{point:04X}")
            if "au" in carriers and point in _KDDI_SJIS_BY_WEB:
                add_code("au", _KDDI_SJIS_BY_WEB[point], f"web U+{point:04X}")
            for row in index.rows:
                if row.google == point:
                    add(row, f"Google U+{point:05X}")
        _lookup_text(index, "".join(map(chr, points)), add)
    elif match := _HEX_CODE_RE.fullmatch(query):
        code = int(match.group(1), 16)
        for c in carriers:
            if code in _CODES[c]:
                add_code(c, code, f"Shift_JIS {code:04X}")
    elif match := _LOCALSRC_RE.fullmatch(query):
        number = int(match.group(1))
        for row in index.rows:
            if row.localsrc == number:
                add(row, f"au localsrc {number}")
    else:
        _lookup_text(index, query, add)
    return list(found.values())


def _lookup_text(index: EmojiIndex, text: str, add: Callable) -> None:
    """Find an emoji by itself, by ``:name:``, or by its Japanese (or English) name."""
    key = text
    if text.startswith(":") and text.endswith(":") and len(text) > 2:
        key = emoji_package.emojize(text)
        if key == text:
            key = emoji_package.emojize(text, language="ja")
    for candidate in (key, qualify(key), key.replace("\ufe0f", "")):
        if candidate in index.by_key:
            add(index.by_key[candidate], "emoji")
            return
    if len(key) == 1 and EmojiIndex.is_carrier_only(key):
        return
    qualified = qualify(key)
    if qualified in emoji_package.EMOJI_DATA:
        add(EmojiRow(qualified, name_ja=_ja_name(qualified)), "emoji (not in the table)", False)
        return
    words = text.strip(":").replace("_", " ")
    exact = [row for row in index.rows if row.name_ja == words]
    partial = [row for row in index.rows if row.name_ja and words in row.name_ja]
    for row in exact:
        add(row, f"name {row.name_ja}")
    for row in partial[:50]:
        add(row, f"name {row.name_ja}")
    if not exact:
        for spelled, data in emoji_package.EMOJI_DATA.items():
            names = (data.get("ja", ""), data.get("en", "")) + tuple(data.get("alias", ()))
            if any(n.strip(":").replace("_", " ") == words for n in names if n):
                row = index.by_key.get(spelled)
                add(
                    row or EmojiRow(spelled, name_ja=_ja_name(spelled)),
                    "emoji name",
                    row is not None,
                )


def propose_carrier_only(
    index: EmojiIndex, carrier: str, code: int, meaning: str | None, name_ja: str | None = None
) -> EmojiRow:
    """Return the row giving the carrier code *code* the standard emoji *meaning*.

    The code keeps its carrier-only key (so stored echoes and round trips stay as they
    are); *meaning* becomes its ``fit``, what other carriers and PCs show.

    :raises LayerError: the code already stands for a standard emoji.
    """
    row = index.by_code[carrier].get(code)
    if row is not None and not EmojiIndex.is_carrier_only(row.key):
        raise LayerError(
            f"{CARRIER_LABELS[carrier]} {code:04X} already means {describe_key(row.key)}:"
            " change that row instead"
        )
    if row is None:
        row = EmojiRow(notations.carrier_only_char(carrier, code), **{carrier: code})
    return row._replace(fit=meaning or None, name_ja=name_ja or row.name_ja)


# Review ---------------------------------------------------------------------------------


@dataclass
class PreviewLine:
    """The sample echo as one page codec writes it, with the current and candidate table."""

    codec: str
    terminal: str
    before: bytes
    after: bytes
    before_view: str
    after_view: str

    @property
    def changed(self) -> bool:
        """Whether the terminal receives other bytes after the change."""
        return self.before != self.after


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
            return (
                "output and input: stored echoes render differently at once, and posts"
                " from now on decode differently"
            )
        if self.output:
            return "output: stored echoes (internal text) render differently at once"
        if self.input:
            return "input: applies to posts from now on; stored echoes render as before"
        return "neither output nor input changes"


def _code_bytes(codec: str, carrier: str, code: int) -> bytes:
    """Return the bytes of one carrier code in the byte form of *codec*."""
    spec = carrier_emoji.spec_for(codec)
    if spec.output == "webcode":
        return notations.softbank_webcode(notations.softbank_pua(code))
    if spec.is_sjis:
        return code.to_bytes(2, "big")
    return chr(_PUA[carrier](code)).encode("utf-8")


_ROUND_TRIPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _holds(index: EmojiIndex, codec: str, data: bytes) -> bool:
    try:
        text = carrier_emoji.decode(data, codec, index=index)
        return carrier_emoji.encode(text, codec, index=index) == data
    except UnicodeError:
        return False


def _holding(index: EmojiIndex, codec: str, carrier: str, codes) -> list[int]:
    """Return those of *codes* that round-trip in *index* with *codec*.

    All codes go through in one decode and one encode, a line each; only when that
    does not come back whole is each code tried alone, to find the ones that fail.
    """
    forms = [_code_bytes(codec, carrier, code) for code in codes]
    if _holds(index, codec, b"\n".join(forms)):
        return list(codes)
    return [code for code, data in zip(codes, forms) if _holds(index, codec, data)]


def round_trips(index: EmojiIndex) -> frozenset[tuple[str, str, int]]:
    """Return (codec, carrier, code) for every code that round-trips in *index*."""
    try:
        return _ROUND_TRIPS[index]
    except KeyError:
        pass
    result = frozenset(
        (codec, carrier, code)
        for codec, carrier in ROUND_TRIP_CODECS
        for code in _holding(index, codec, carrier, sorted(index.by_code[carrier]))
    )
    _ROUND_TRIPS[index] = result
    return result


def _check_row(row: EmojiRow, shipped: Mapping[str, EmojiRow]) -> list[str]:
    """Return the problems of one row on its own."""
    problems = []
    name = describe_key(row.key)
    only = notations.parse_carrier_only(row.key) if len(row.key) == 1 else None
    if only is not None:
        carrier, pua = only
        if pua not in _SJIS_BY_PUA[carrier]:
            problems.append(f"{name}: names no {CARRIER_LABELS[carrier]} emoji cell")
        elif row.code(carrier) not in (None, _SJIS_BY_PUA[carrier][pua]):
            problems.append(
                f"{name}: a carrier-only key must keep its own code"
                f" {_SJIS_BY_PUA[carrier][pua]:04X}, not {row.code(carrier):04X}"
            )
    elif row.key not in shipped and qualify(row.key) != row.key:
        problems.append(f"{name}: not fully qualified; use {describe_key(qualify(row.key))}")
    elif row.key not in shipped and row.key not in emoji_package.EMOJI_DATA:
        problems.append(f"{name}: not an emoji that Unicode (the emoji package) knows")
    for field_name in CODE_FIELDS:
        code = getattr(row, field_name)
        carrier = field_name.removesuffix("_fit")
        if code is not None and code not in _CODES[carrier]:
            problems.append(f"{name}: {field_name} {code:04X} is no {CARRIER_LABELS[carrier]} code")
    if row.google is not None and not GOOGLE_RANGE[0] <= row.google <= GOOGLE_RANGE[1]:
        problems.append(f"{name}: google U+{row.google:04X} is outside U+FE000-U+FEEA0")
    if row.fit is not None:
        if EmojiIndex.is_carrier_only(row.fit) or row.fit == row.key:
            problems.append(f"{name}: fit must be another, standard emoji")
        elif row.fit not in shipped and row.fit not in emoji_package.EMOJI_DATA:
            problems.append(f"{name}: fit {row.fit!r} is not a standard emoji")
    if row.name_ja is not None:
        if _NAME_FORBIDDEN.search(row.name_ja) or len(row.name_ja) > MAX_NAME_CHARS:
            problems.append(
                f"{name}: name {row.name_ja!r} must be 1-{MAX_NAME_CHARS} characters"
                " without brackets or control characters"
            )
        try:
            f"[{row.name_ja}]".encode("cp932")
        except UnicodeEncodeError as exc:
            problems.append(
                f"{name}: the text fallback [{row.name_ja}] cannot be shown on Shift_JIS"
                f" phones: {row.name_ja[max(0, exc.start - 1)]!r} is not in CP932"
            )
    if row.localsrc is not None:
        if not any(low <= row.localsrc <= high for low, high in LOCALSRC_RANGES):
            problems.append(f"{name}: localsrc {row.localsrc} is outside 1-518 and 700-822")
        if row.au is None:
            problems.append(f"{name}: localsrc needs the row's au code")
    return problems


def _warnings(row: EmojiRow) -> list[str]:
    result = []
    for carrier in notations.CARRIERS:
        if row.code(carrier) is not None and row.fit_code(carrier) is not None:
            result.append(
                f"{describe_key(row.key)}: {carrier}_fit is unused while {carrier} has a"
                " round-trip code"
            )
    return result


def _render(codec: str, data: bytes, index: EmojiIndex) -> str:
    """Show how a terminal displays the emoji bytes *data*: its emoji and code, or the text."""
    spec = carrier_emoji.spec_for(codec)
    found = None
    if spec.carrier is not None:
        if spec.output == "webcode" and (m := _WEBCODE_RE.fullmatch(data.decode("latin-1"))):
            found = parse_code("softbank", "$" + m.group(1) + m.group(2))
        elif (
            spec.is_sjis and len(data) == 2 and int.from_bytes(data, "big") in _CODES[spec.carrier]
        ):
            found = int.from_bytes(data, "big")
        elif not spec.is_sjis:
            text = data.decode("utf-8", "replace")
            if len(text) == 1:
                found = _SJIS_BY_PUA[spec.carrier].get(ord(text))
    if found is None:
        return data.decode(spec.base, "replace")
    row = index.by_code[spec.carrier].get(found)
    if row is None:
        meaning = "?"
    elif EmojiIndex.is_carrier_only(row.key):
        label = CARRIER_LABELS[notations.parse_carrier_only(row.key)[0]]
        meaning = row.fit or (f"[{row.name_ja}]" if row.name_ja else f"({label}-only emoji)")
    else:
        meaning = row.key
    notation = code_notations(spec.carrier, found)
    shown = (
        notation.get("webcode")
        if spec.output == "webcode"
        else (notation["Shift_JIS"] if spec.is_sjis else notation["Unicode"])
    )
    return f"{meaning} ⟨{CARRIER_LABELS[spec.carrier]} {shown}⟩"


def _encode(key: str, codec: str, index: EmojiIndex) -> bytes:
    return carrier_emoji.encode(key, codec, errors="geta", index=index)


def _preview(key: str, old: EmojiIndex, new: EmojiIndex) -> list[PreviewLine]:
    """The sample echo with *key* on every page codec, with the current and candidate table."""
    head, tail = SAMPLE_ECHO.split("{}")
    lines = []
    for codec, terminal in PAGE_CODECS.items():
        views, data = [], []
        for index in (old, new):
            emoji = _encode(key, codec, index)
            data.append(_encode(head, codec, index) + emoji + _encode(tail, codec, index))
            views.append(head + _render(codec, emoji, index) + tail)
        lines.append(PreviewLine(codec, terminal, data[0], data[1], views[0], views[1]))
    return lines


def _decoded(codec: str, data: bytes, index: EmojiIndex) -> str:
    try:
        return carrier_emoji.decode(data, codec, index=index)
    except UnicodeError:
        return "(refused as invalid)"


def review(
    layer: Mapping[str, EmojiRow],
    change: Mapping[str, EmojiRow | None],
    version: int = 0,
    preview: bool = True,
) -> Review:
    """Tell what *change* would do to the table made of the shipped rows and *layer*."""
    shipped = _shipped_by_key()
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
            result.problems.extend(_check_row(row_change.after, shipped))
            result.warnings.extend(_warnings(row_change.after))
        elif row_change.before is not None:
            result.warnings.append(
                f"{describe_key(row_change.key)} leaves the table: stored echoes with it"
                " get the text fallback"
            )
    try:
        old = effective_index(layer)
    except carrier_emoji.TableError as error:  # the database was edited by hand
        result.warnings.append(
            f"the table in force is inconsistent ({error}); compared with the shipped one"
        )
        old = _shipped_index()
    candidate_layer = {k: v for k, v in layer.items() if k not in change}
    candidate_layer.update({k: v for k, v in change.items() if v is not None})
    try:
        new = EmojiIndex(
            carrier_emoji.merge(carrier_emoji.shipped_rows(), candidate_layer.values()), version + 1
        )
    except carrier_emoji.TableError as error:
        result.problems.append(f"table: {error}")
        return result
    _check_localsrc(new, {r.key for r in rows}, result.problems)
    for carrier, code in sorted(_moved_codes(rows)):
        result.moved.append(f"{CARRIER_LABELS[carrier]} {code:04X}")
        if code not in new.by_code[carrier]:
            result.warnings.append(
                f"{CARRIER_LABELS[carrier]} {code:04X} is then no emoji: posts with it are refused"
            )
    _check_round_trips(old, new, rows, result.problems)
    _impact(old, new, rows, result)
    if preview:
        for row_change in rows:
            result.preview[row_change.key] = _preview(row_change.key, old, new)
    if not result.problems:
        result.index = new
    return result


def _check_localsrc(index: EmojiIndex, keys: set[str], problems: list[str]) -> None:
    seen: dict[int, str] = {}
    for row in index.rows:
        if row.localsrc is None:
            continue
        other = seen.setdefault(row.localsrc, row.key)
        if other != row.key and (row.key in keys or other in keys):
            problems.append(
                f"localsrc {row.localsrc} is taken twice: {describe_key(other)} and"
                f" {describe_key(row.key)}"
            )


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


def _check_round_trips(old: EmojiIndex, new: EmojiIndex, rows, problems: list[str]) -> None:
    moved = _moved_codes(rows)
    held = round_trips(old)
    broken = []
    for codec, carrier in ROUND_TRIP_CODECS:
        codes = sorted(c for k, _, c in held if k == codec and (carrier, c) not in moved)
        for code in sorted(set(codes) - set(_holding(new, codec, carrier, codes))):
            data = _code_bytes(codec, carrier, code)
            now = _decoded(codec, data, new)
            try:
                again = carrier_emoji.encode(now, codec, index=new).hex(" ").upper()
            except UnicodeError:
                again = "an error"
            broken.append(f"{codec} {code:04X} (decodes to {now!r}, encodes back as {again})")
    if broken:
        listed = ", ".join(broken[:MAX_LISTED])
        more = f" and {len(broken) - MAX_LISTED} more" if len(broken) > MAX_LISTED else ""
        problems.append(f"round trips that hold now would break: {listed}{more}")


def _impact(old: EmojiIndex, new: EmojiIndex, rows: list[RowChange], result: Review) -> None:
    """Fill in what the change does to output (stored echoes) and to input (new posts)."""
    keys = {r.key for r in rows}
    keys |= {row.key for row in old.rows if row.fit in keys}
    keys |= {row.key for row in new.rows if row.fit in keys}
    for key in sorted(keys):
        for codec in PAGE_CODECS:
            before, after = _encode(key, codec, old), _encode(key, codec, new)
            if before != after:
                result.output.append(
                    f"{describe_key(key)} on {codec}: {before.hex(' ').upper()} ->"
                    f" {after.hex(' ').upper()}"
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
                (f"{code:04X}", _code_bytes(codec, carrier, code))
                for carrier, code in sorted(codes)
                if carrier == spec.carrier
            ]
        for label, data in forms:
            before, after = _decoded(codec, data, old), _decoded(codec, data, new)
            if before != after:
                result.input.append(f"{codec} {label}: {before!r} -> {after!r}")


def check_table(layer: Mapping[str, EmojiRow]) -> list[str]:
    """Validate the effective table: every layer row, codes taken once, every round trip."""
    shipped = _shipped_by_key()
    problems = []
    for row in layer.values():
        problems.extend(_check_row(row, shipped))
    try:
        index = EmojiIndex(carrier_emoji.merge(carrier_emoji.shipped_rows(), layer.values()))
    except carrier_emoji.TableError as error:
        return problems + [f"table: {error}"]
    _check_localsrc(index, set(layer), problems)
    failed = [
        f"{codec} {code:04X}"
        for codec, carrier in ROUND_TRIP_CODECS
        for code in index.by_code[carrier]
        if (codec, carrier, code) not in round_trips(index)
    ]
    if failed:
        listed = ", ".join(failed[:MAX_LISTED])
        more = f" and {len(failed) - MAX_LISTED} more" if len(failed) > MAX_LISTED else ""
        problems.append(f"codes that do not round-trip: {listed}{more}")
    return problems


# Saving, the audit log, revert ---------------------------------------------------------------


def _bump_version(session: Session) -> int:
    """Bump the table version, taking its row lock until the transaction ends."""
    version = session.execute(
        sa.update(EmojiTableVersion)
        .where(EmojiTableVersion.id == 1)
        .values(version=EmojiTableVersion.version + 1, updated_at=utcnow())
        .returning(EmojiTableVersion.version)
    ).scalar()
    if version is None:
        session.add(EmojiTableVersion(id=1, version=1))
        session.flush()
        version = 1
    return version


def apply(
    session: Session,
    change: Mapping[str, EmojiRow | None],
    actor: str,
    action: str = "set",
    expected: Mapping[str, EmojiRow | None] | None = None,
    reverts_id: int | None = None,
) -> Review:
    """Review *change* again under the version lock, then save it and log it; commit.

    :param expected: the layer rows the operator saw in the preview; when one changed
        meanwhile the change is refused.
    :raises LayerError: the change is refused; nothing was written.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    try:
        version = _bump_version(session)
        layer = load_layer(session)
        if expected is not None:
            stale = [k for k, row in expected.items() if layer.get(k) != row]
            if stale:
                raise LayerError(
                    "changed by someone else since the preview: "
                    + ", ".join(describe_key(k) for k in stale)
                    + "; look again"
                )
        result = review(layer, change, version - 1, preview=False)
        if not result.ok:
            raise LayerError(result.problems)
        now = utcnow()
        for row_change in result.rows:
            if row_change.layer_before == row_change.layer_after:
                continue
            _write_row(session, row_change.key, row_change.layer_after)
            session.add(
                EmojiAuditEntry(
                    at=now,
                    actor=actor,
                    action=action,
                    key=row_change.key,
                    before=row_to_json(row_change.layer_before),
                    after=row_to_json(row_change.layer_after),
                    version=version,
                    reverts_id=reverts_id,
                )
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    result.index.version = version
    result.version = version
    return result


def _write_row(session: Session, key: str, row: EmojiRow | None) -> None:
    mapping = session.get(EmojiMapping, key)
    if row is None:
        if mapping is not None:
            session.delete(mapping)
        return
    if mapping is None:
        mapping = EmojiMapping(key=key)
        session.add(mapping)
    for name in FIELDS[1:]:
        setattr(mapping, name, getattr(row, name))
    mapping.updated_at = utcnow()
    session.flush()


def audit_entries(
    session: Session, limit: int = 50, before_id: int | None = None, key: str | None = None
) -> list[EmojiAuditEntry]:
    """Return audit entries, newest first."""
    query = sa.select(EmojiAuditEntry).order_by(EmojiAuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(EmojiAuditEntry.id < before_id)
    if key is not None:
        query = query.where(EmojiAuditEntry.key == key)
    return list(session.scalars(query))


def revert(session: Session, entry_id: int, actor: str) -> Review:
    """Undo audit entry *entry_id*: put its key's layer row back as it was before.

    :raises LayerError: no such entry, or the row changed since (revert the later entry
        first), or the table refuses the old row now.
    """
    entry = session.get(EmojiAuditEntry, entry_id)
    if entry is None:
        session.rollback()
        raise LayerError(f"no audit entry #{entry_id}")
    key, before, after = entry.key, row_from_json(entry.before), row_from_json(entry.after)
    current = session.get(EmojiMapping, key)
    if (_row_of(current) if current is not None else None) != after:
        later = session.scalar(
            sa.select(EmojiAuditEntry.id)
            .where(EmojiAuditEntry.key == key, EmojiAuditEntry.id > entry_id)
            .order_by(EmojiAuditEntry.id.desc())
            .limit(1)
        )
        session.rollback()
        raise LayerError(
            f"{describe_key(key)} changed after entry #{entry_id}"
            + (f" (by entry #{later}); revert that one first" if later else "")
        )
    session.rollback()  # end the read; apply() takes the lock and looks again
    return apply(
        session, {key: before}, actor, "revert", expected={key: after}, reverts_id=entry_id
    )


# CSV --------------------------------------------------------------------------------------


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
        """Counts in one line."""
        return (
            f"{self.read} rows read: {len(self.added)} added, {len(self.changed)} changed,"
            f" {len(self.removed)} removed, {len(self.unchanged)} unchanged"
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
        plan.problems.append(
            "header: "
            + (f"unknown columns {', '.join(unknown)}" if unknown else "no key column")
            + f"; columns are {','.join(CSV_COLUMNS)}"
        )
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
            plan.problems.extend(f"line {line}: {p}" for p in error.problems)
            continue
        if key in lines:
            plan.problems.append(f"line {line}: {describe_key(key)} is also on line {lines[key]}")
            continue
        lines[key] = line
        base = effective_row(layer, key) or EmojiRow(key)
        row, problems = row_from_fields({k: v for k, v in record.items() if k != "key"}, base)
        if problems:
            plan.problems.extend(f"line {line}: {p}" for p in problems)
            continue
        if row == layer.get(key) or (key not in layer and row == _shipped_by_key().get(key)):
            plan.unchanged.append(key)
            continue
        (plan.changed if key in layer or key in _shipped_by_key() else plan.added).append(key)
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


def import_csv(session: Session, plan: ImportPlan, actor: str) -> Review | None:
    """Run a checked import plan (one audit entry per key); None when it changes nothing."""
    if not plan.ok:
        raise LayerError(plan.problems)
    if not plan.change:
        return None
    return apply(session, plan.change, actor, "import", expected=plan.expected)


def audit_json(data: dict | None) -> str:
    """Show an audit before/after value as JSON (``null`` for none), keys readable."""
    if data is not None and data.get("key"):
        data = dict(data, key=key_text(data["key"]))
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
