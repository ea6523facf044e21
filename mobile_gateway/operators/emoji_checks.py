"""The rules the emoji layer keeps: each row on its own, and the whole table's round trips.

A row is refused for a carrier code outside the carrier's emoji cells, a carrier-only key
whose code is another one, a ``fit`` that is no standard emoji, a text fallback the
Shift_JIS carriers cannot show (``[name]`` must encode in CP932) or that holds markup
characters or invisible ones (the console, the CLI and CSV imports all come here), or a
localsrc number out of range or taken twice. A code **round-trips** when decoding it, then
encoding, gives the same bytes, in every byte form of its carrier.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping

import emoji as emoji_package

import carrier_emoji
from carrier_emoji import EmojiIndex, EmojiRow, notations

from ..phone.i18n import gettext as _
from ..phone.invisible import has_invisible
from .emoji_layer import CARRIER_LABELS, CODE_FIELDS, shipped_by_key
from .emoji_notation import CARRIER_CODES, PUA_OF, SJIS_BY_PUA, describe_key, format_code, qualify

__all__ = [
    "MAX_LISTED",
    "ROUND_TRIP_CODECS",
    "check_localsrc",
    "check_row",
    "check_table",
    "code_bytes",
    "holding",
    "listing",
    "round_trips",
    "row_warnings",
]

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
#: Longest text-fallback name (the brackets come on top).
MAX_NAME_CHARS = 20
#: au's numbered emoji: 1-518 and 700-822 (CARRIERS.md).
LOCALSRC_RANGES = ((1, 518), (700, 822))
#: Google's private-use emoji code points.
GOOGLE_RANGE = (0xFE000, 0xFEEA0)
#: Round-trip failures listed by name in one message before "and N more".
MAX_LISTED = 5
#: What a text-fallback name may not hold: the brackets around it, markup characters
#: (a name is text on pages: ``<svg/onload=...>`` or a quote must never reach one).
_NAME_FORBIDDEN = re.compile(r"[\[\]<>&\"']")


def listing(items: list[str]) -> str:
    """Join *items* for a message: the first :data:`MAX_LISTED`, then "and N more"."""
    listed = ", ".join(items[:MAX_LISTED])
    if len(items) <= MAX_LISTED:
        return listed
    return _("%(listed)s and %(more)d more", listed=listed, more=len(items) - MAX_LISTED)


def code_bytes(codec: str, carrier: str, code: int) -> bytes:
    """Return the bytes of one carrier code in the byte form of *codec*."""
    spec = carrier_emoji.spec_for(codec)
    if spec.output == "webcode":
        return notations.softbank_webcode(notations.softbank_pua(code))
    if spec.is_sjis:
        return code.to_bytes(2, "big")
    return chr(PUA_OF[carrier](code)).encode("utf-8")


_ROUND_TRIPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _holds(index: EmojiIndex, codec: str, data: bytes) -> bool:
    try:
        text = carrier_emoji.decode(data, codec, index=index)
        return carrier_emoji.encode(text, codec, index=index) == data
    except UnicodeError:
        return False


def holding(index: EmojiIndex, codec: str, carrier: str, codes) -> list[int]:
    """Return those of *codes* that round-trip in *index* with *codec*.

    All codes go through in one decode and one encode, a line each; only when that
    does not come back whole is each code tried alone, to find the ones that fail.
    """
    forms = [code_bytes(codec, carrier, code) for code in codes]
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
        for code in holding(index, codec, carrier, sorted(index.by_code[carrier]))
    )
    _ROUND_TRIPS[index] = result
    return result


def check_row(row: EmojiRow, shipped: Mapping[str, EmojiRow]) -> list[str]:
    """Return the problems of one row on its own."""
    problems = []
    name = describe_key(row.key)
    only = notations.parse_carrier_only(row.key) if len(row.key) == 1 else None
    if only is not None:
        carrier, pua = only
        if pua not in SJIS_BY_PUA[carrier]:
            problems.append(
                _(
                    "%(emoji)s: names no %(carrier)s emoji cell",
                    emoji=name,
                    carrier=CARRIER_LABELS[carrier],
                )
            )
        elif row.code(carrier) not in (None, SJIS_BY_PUA[carrier][pua]):
            problems.append(
                _(
                    "%(emoji)s: a carrier-only key must keep its own code %(own)s, not %(code)s",
                    emoji=name,
                    own=format_code(SJIS_BY_PUA[carrier][pua]),
                    code=format_code(row.code(carrier)),
                )
            )
    elif row.key not in shipped and qualify(row.key) != row.key:
        problems.append(
            _(
                "%(emoji)s: not fully qualified; use %(qualified)s",
                emoji=name,
                qualified=describe_key(qualify(row.key)),
            )
        )
    elif row.key not in shipped and row.key not in emoji_package.EMOJI_DATA:
        problems.append(
            _("%(emoji)s: not an emoji that Unicode (the emoji package) knows", emoji=name)
        )
    for field_name in CODE_FIELDS:
        value = getattr(row, field_name)
        carrier = field_name.removesuffix("_fit")
        codes = value if isinstance(value, tuple) else () if value is None else (value,)
        if isinstance(value, tuple) and len(value) != 2:
            problems.append(
                _(
                    "%(emoji)s: %(field)s is one code or a sequence of two",
                    emoji=name,
                    field=field_name,
                )
            )
        for code in codes:
            if code not in CARRIER_CODES[carrier]:
                problems.append(
                    _(
                        "%(emoji)s: %(field)s %(code)s is no %(carrier)s code",
                        emoji=name,
                        field=field_name,
                        code=format_code(code),
                        carrier=CARRIER_LABELS[carrier],
                    )
                )
    if row.google is not None and not GOOGLE_RANGE[0] <= row.google <= GOOGLE_RANGE[1]:
        problems.append(
            _(
                "%(emoji)s: google %(point)s is outside U+FE000-U+FEEA0",
                emoji=name,
                point="U+" + format_code(row.google),
            )
        )
    if row.fit is not None:
        if EmojiIndex.is_carrier_only(row.fit) or row.fit == row.key:
            problems.append(_("%(emoji)s: fit must be another, standard emoji", emoji=name))
        elif row.fit not in shipped and row.fit not in emoji_package.EMOJI_DATA:
            problems.append(
                _("%(emoji)s: fit %(fit)r is not a standard emoji", emoji=name, fit=row.fit)
            )
    if row.name_ja is not None:
        if (
            not row.name_ja.strip()
            or _NAME_FORBIDDEN.search(row.name_ja)
            or has_invisible(row.name_ja)
            or len(row.name_ja) > MAX_NAME_CHARS
        ):
            problems.append(
                _(
                    "%(emoji)s: name %(name)r must be 1-%(most)d characters without brackets,"
                    " markup characters (< > & \" ') or control, bidi and zero-width characters",
                    emoji=name,
                    name=row.name_ja,
                    most=MAX_NAME_CHARS,
                )
            )
        try:
            f"[{row.name_ja}]".encode("cp932")
        except UnicodeEncodeError as exc:
            problems.append(
                _(
                    "%(emoji)s: the text fallback [%(name)s] cannot be shown on Shift_JIS"
                    " phones: %(char)r is not in CP932",
                    emoji=name,
                    name=row.name_ja,
                    char=row.name_ja[max(0, exc.start - 1)],
                )
            )
    if row.localsrc is not None:
        if not any(low <= row.localsrc <= high for low, high in LOCALSRC_RANGES):
            problems.append(
                _(
                    "%(emoji)s: localsrc %(number)d is outside 1-518 and 700-822",
                    emoji=name,
                    number=row.localsrc,
                )
            )
        if row.au is None:
            problems.append(_("%(emoji)s: localsrc needs the row's au code", emoji=name))
    return problems


def row_warnings(row: EmojiRow) -> list[str]:
    """Return what is odd about one row but does not refuse it (an unused best fit)."""
    result = []
    for carrier in notations.CARRIERS:
        if row.code(carrier) is not None and row.fit_code(carrier) is not None:
            result.append(
                _(
                    "%(emoji)s: %(carrier)s_fit is unused while %(carrier)s has a round-trip code",
                    emoji=describe_key(row.key),
                    carrier=carrier,
                )
            )
    return result


def check_localsrc(index: EmojiIndex, keys: set[str], problems: list[str]) -> None:
    """Add to *problems* each localsrc number that *index* gives a row of *keys* and another."""
    seen: dict[int, str] = {}
    for row in index.rows:
        if row.localsrc is None:
            continue
        other = seen.setdefault(row.localsrc, row.key)
        if other != row.key and (row.key in keys or other in keys):
            problems.append(
                _(
                    "localsrc %(number)d is taken twice: %(one)s and %(other)s",
                    number=row.localsrc,
                    one=describe_key(other),
                    other=describe_key(row.key),
                )
            )


def check_table(layer: Mapping[str, EmojiRow]) -> list[str]:
    """Validate the effective table: every layer row, codes taken once, every round trip."""
    shipped = shipped_by_key()
    problems = []
    for row in layer.values():
        problems.extend(check_row(row, shipped))
    try:
        index = EmojiIndex(carrier_emoji.merge(carrier_emoji.shipped_rows(), layer.values()))
    except carrier_emoji.TableError as error:
        return problems + [_("table: %(error)s", error=error)]
    check_localsrc(index, set(layer), problems)
    failed = [
        f"{codec} {code:04X}"
        for codec, carrier in ROUND_TRIP_CODECS
        for code in index.by_code[carrier]
        if (codec, carrier, code) not in round_trips(index)
    ]
    if failed:
        problems.append(_("codes that do not round-trip: %(codes)s", codes=listing(failed)))
    return problems
