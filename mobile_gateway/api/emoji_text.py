"""Text for programs: standard Unicode out, carrier private-use code points refused in.

**Out.** Stored text is internal form (see :mod:`carrier_emoji`): standard Unicode, except
that a carrier emoji with no standard equivalent is one character of Supplementary
Private Use Area-B (U+1016A6 is DoCoMo's E6A6). Such a character never leaves through
the API or a feed: :func:`for_output` writes its text fallback instead, exactly what a
PC or smartphone page shows (the operators' best fit, else ``[name]``, else 〓), and lists
each one (carrier, code, name, where its fallback stands) so that a client can draw it.

**In.** Programs send UTF-8 text. Carrier private-use code points (U+E000-U+F8FF, and
the planes-15/16 private use that the internal form uses) are refused unless the client
names its carrier; then the text is read with that carrier's UTF-8 codec, exactly as the
form of a phone of that carrier would be (:func:`for_input`). No Flask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import carrier_emoji
from carrier_emoji import notations

__all__ = [
    "CARRIER_CODECS",
    "CarrierEmoji",
    "TextRefused",
    "for_input",
    "for_output",
    "plain",
]

#: The carriers a client may name, and the codec its phones' UTF-8 forms are read with.
CARRIER_CODECS = {
    "docomo": "x-utf8-docomo",
    "au": "x-utf8-kddi",
    "softbank": "x-utf8-softbank",
}

#: A carrier-only emoji in internal form (one character of plane 16).
_CARRIER_ONLY_RE = re.compile("[\U00100000-\U0010ffff]")
#: Private-use code points: the BMP area carriers used, and planes 15 and 16.
_PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")


class TextRefused(ValueError):
    """Posted text cannot be read; ``ja`` and ``en`` say why."""

    def __init__(self, ja: str, en: str):
        super().__init__(en)
        self.ja = ja
        self.en = en


@dataclass(frozen=True)
class CarrierEmoji:
    """A carrier-only emoji in output text, written there as its fallback."""

    #: "docomo", "au" or "softbank".
    carrier: str
    #: The carrier's Unicode private-use code point, ``U+E6A6``.
    code: str
    #: The carrier's Shift_JIS code, ``F94A``, when the emoji table knows it.
    sjis: str | None
    #: Its Japanese name, when the table (or an operator) gives one.
    name: str | None
    #: What stands in the text for it.
    fallback: str
    #: Where the fallback starts in the text, and its length, in Unicode code points.
    offset: int
    length: int

    def as_json(self) -> dict:
        """Return it as the API writes it."""
        return {
            "carrier": self.carrier,
            "code": self.code,
            "sjis": self.sjis,
            "name": self.name,
            "fallback": self.fallback,
            "offset": self.offset,
            "length": self.length,
        }


def _fallback(char: str) -> str:
    """Return what a PC page shows for one carrier-only character."""
    return carrier_emoji.encode(char, "x-utf8-unicode", errors="geta").decode("utf-8")


def for_output(text: str) -> tuple[str, list[CarrierEmoji]]:
    """Return internal *text* as standard Unicode, and the carrier-only emoji it had."""
    if not _CARRIER_ONLY_RE.search(text):
        return text, []
    index = carrier_emoji.current_index()
    out: list[str] = []
    found: list[CarrierEmoji] = []
    length = 0
    position = 0
    for match in _CARRIER_ONLY_RE.finditer(text):
        before = text[position : match.start()]
        out.append(before)
        length += len(before)
        char = match.group()
        fallback = _fallback(char)
        named = notations.parse_carrier_only(char)
        row = index.by_key.get(char)
        if named is not None:
            carrier, pua = named
            sjis = row.code(carrier) if row is not None else None
            found.append(
                CarrierEmoji(
                    carrier=carrier,
                    code=f"U+{pua:04X}",
                    sjis=f"{sjis:04X}" if sjis is not None else None,
                    name=row.name_ja if row is not None else None,
                    fallback=fallback,
                    offset=length,
                    length=len(fallback),
                )
            )
        out.append(fallback)
        length += len(fallback)
        position = match.end()
    out.append(text[position:])
    return "".join(out), found


def plain(text: str) -> str:
    """Return internal *text* as standard Unicode only (names, titles: no list needed)."""
    return for_output(text)[0]


def for_input(text: str, carrier: str | None = None) -> str:
    """Return posted *text* as internal text.

    :param carrier: the client's carrier (a key of :data:`CARRIER_CODECS`), if it sends
        its carrier's private-use code points.
    :raises TextRefused: for private-use code points without a carrier, code points that
        carrier never sends, lone surrogates, or an unknown carrier.
    """
    if carrier is not None and carrier not in CARRIER_CODECS:
        names = "、".join(CARRIER_CODECS)
        raise TextRefused(
            f"carrierは{names}のどれかを指定してください",
            f"carrier must be one of {', '.join(CARRIER_CODECS)}",
        )
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise TextRefused(
            "文字として読めない値（サロゲート）が含まれています",
            "the text holds a lone surrogate, which is no character",
        ) from None
    if carrier is None:
        match = _PRIVATE_USE_RE.search(text)
        if match is not None:
            code = f"U+{ord(match.group()):04X}"
            raise TextRefused(
                f"私用領域の文字（{code}）は、携帯電話の絵文字ならcarrierを指定して送ってください",
                f"private-use code point {code} at {match.start()}: send carrier emoji with"
                " the carrier named (docomo, au or softbank)",
            )
        return text
    try:
        return data.decode(CARRIER_CODECS[carrier])
    except UnicodeDecodeError as exc:
        position = len(data[: exc.start].decode("utf-8", "replace"))
        raise TextRefused(
            f"{position + 1}文字目は{carrier}の絵文字として読めません",
            f"the character at {position} is not text a {carrier} phone sends",
        ) from None
