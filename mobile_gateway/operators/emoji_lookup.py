"""Finding emoji mappings by any key, and the row that gives a carrier code a meaning.

A query is an emoji, ``:name:``, a Japanese or English name, or a carrier code in any
notation: Shift_JIS hex (``F89F``), a private-use code point (``U+E63E``), an NCR
(``&#63647;``), a SoftBank webcode (``$Gj``), a Google code point, or au's localsrc.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import emoji as emoji_package

from carrier_emoji import EmojiIndex, EmojiRow, notations

from ..phone.i18n import gettext as _
from .emoji_layer import CARRIER_LABELS, LayerError
from .emoji_notation import (
    CARRIER_CODES,
    CODEPOINTS_RE,
    HEX_CODE_RE,
    KDDI_SJIS_BY_WEB,
    SJIS_BY_PUA,
    WEBCODE_RE,
    describe_key,
    format_code,
    qualify,
)

__all__ = ["Match", "lookup", "propose_carrier_only"]

_NCR_RE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{4,5})|([0-9]{5}));?")
_LOCALSRC_RE = re.compile(r'(?:<img\s+)?(?:localsrc\s*[=:]?\s*)?"?([0-9]{1,3})"?\s*/?>?', re.I)


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
            if code in row.fit_codes(c):
                add(row, _("%(code)s (best fit)", code=label))

    carriers = [carrier] if carrier else list(notations.CARRIERS)
    if match := WEBCODE_RE.fullmatch(query):
        pua = notations.WEBCODE_GROUPS[ord(match.group(1))] << 8 | ord(match.group(2)) - 0x20
        if pua in SJIS_BY_PUA["softbank"]:
            add_code("softbank", SJIS_BY_PUA["softbank"][pua], _("webcode %(code)s", code=query))
    elif match := _NCR_RE.fullmatch(query):
        if match.group(1):
            point = int(match.group(1), 16)
            if point in SJIS_BY_PUA["docomo"]:
                add_code("docomo", SJIS_BY_PUA["docomo"][point], f"NCR {query}")
        elif int(match.group(2)) in CARRIER_CODES["docomo"]:
            add_code("docomo", int(match.group(2)), f"NCR {query}")
    elif CODEPOINTS_RE.fullmatch(query):
        points = [int(h, 16) for h in re.findall(r"[Uu]\+([0-9A-Fa-f]+)", query)]
        if len(points) == 1:
            point = points[0]
            for c in carriers:
                if point in SJIS_BY_PUA[c]:
                    add_code(c, SJIS_BY_PUA[c][point], f"U+{point:04X}")
            if "au" in carriers and point in KDDI_SJIS_BY_WEB:
                add_code("au", KDDI_SJIS_BY_WEB[point], f"web U+{point:04X}")
            for row in index.rows:
                if row.google == point:
                    add(row, f"Google U+{point:05X}")  # a notation: the same in every language
        _lookup_text(index, "".join(map(chr, points)), add)
    elif match := HEX_CODE_RE.fullmatch(query):
        code = int(match.group(1), 16)
        for c in carriers:
            if code in CARRIER_CODES[c]:
                add_code(c, code, f"Shift_JIS {code:04X}")
    elif match := _LOCALSRC_RE.fullmatch(query):
        number = int(match.group(1))
        for row in index.rows:
            if row.localsrc == number:
                add(row, f"au localsrc {number}")  # a notation
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
            add(index.by_key[candidate], _("emoji"))
            return
    if len(key) == 1 and EmojiIndex.is_carrier_only(key):
        return
    qualified = qualify(key)
    if qualified in emoji_package.EMOJI_DATA:
        add(EmojiRow(qualified, name_ja=_ja_name(qualified)), _("emoji (not in the table)"), False)
        return
    words = text.strip(":").replace("_", " ")
    exact = [row for row in index.rows if row.name_ja == words]
    partial = [row for row in index.rows if row.name_ja and words in row.name_ja]
    for row in exact:
        add(row, _("name %(name)s", name=row.name_ja))
    for row in partial[:50]:
        add(row, _("name %(name)s", name=row.name_ja))
    if not exact:
        for spelled, data in emoji_package.EMOJI_DATA.items():
            names = (data.get("ja", ""), data.get("en", "")) + tuple(data.get("alias", ()))
            if any(n.strip(":").replace("_", " ") == words for n in names if n):
                row = index.by_key.get(spelled)
                add(
                    row or EmojiRow(spelled, name_ja=_ja_name(spelled)),
                    _("emoji name"),
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
            _(
                "%(carrier)s %(code)s already means %(emoji)s: change that row instead",
                carrier=CARRIER_LABELS[carrier],
                code=format_code(code),
                emoji=describe_key(row.key),
            )
        )
    if row is None:
        row = EmojiRow(notations.carrier_only_char(carrier, code), **{carrier: code})
    return row._replace(fit=meaning or None, name_ja=name_ja or row.name_ja)
