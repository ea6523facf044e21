"""Each carrier's emoji notations, computed from its Shift_JIS code.

Every function here is a pure formula (sources in CARRIERS.md): the emoji table stores
one Shift_JIS code per carrier and everything else is derived from it.

>>> hex(docomo_pua(0xF89F)), hex(kddi_pua(0xF660)), hex(kddi_web_pua(0xF660))
('0xe63e', '0xe488', '0xef60')
>>> hex(softbank_pua(0xF98B)), softbank_webcode(0xE04A)
('0xe04a', b'\\x1b$Gj\\x0f')
"""

import re

__all__ = [
    "CARRIER_ONLY_BASE",
    "CARRIERS",
    "DOCOMO_CODES",
    "KDDI_CODES",
    "SOFTBANK_CODES",
    "carrier_only_char",
    "docomo_pua",
    "kddi_pua",
    "kddi_web_pua",
    "merge_webcode_escapes",
    "parse_carrier_only",
    "sjis_codes",
    "softbank_pua",
    "softbank_sjis",
    "softbank_webcode",
    "uda_pua",
    "WEBCODE_GROUPS",
]

#: Carrier keys in the order of their number in the carrier-only code space.
CARRIERS = ("docomo", "au", "softbank")

#: First code point of the carrier-only emoji space (Supplementary Private Use Area-B).
#: A carrier emoji with no standard Unicode equivalent is stored as
#: ``CARRIER_ONLY_BASE + n * 0x1000 + (carrier PUA - 0xE000)`` with n = 1, 2, 3 for
#: DoCoMo, au and SoftBank, so U+1016A6 reads "DoCoMo E6A6" and U+1025B4 "au E5B4".
CARRIER_ONLY_BASE = 0x100000


def sjis_codes(first: int, last: int) -> list[int]:
    """List the valid two-byte Shift_JIS codes from *first* to *last*, inclusive."""
    return [
        code
        for code in range(first, last + 1)
        if 0x40 <= code & 0xFF <= 0xFC and code & 0xFF != 0x7F
    ]


def uda_pua(sjis: int) -> int:
    """Map a code of CP932's user-defined area (F040-F9FC) to its private-use code point."""
    lead, trail = divmod(sjis, 0x100)
    return 0xE000 + (lead - 0xF0) * 188 + trail - 0x40 - (trail > 0x7F)


#: DoCoMo's emoji cells: F89F-F9FC, 282 codes (252 in use, 30 "hidden").
DOCOMO_CODES = tuple(sjis_codes(0xF89F, 0xF9FC))


def docomo_pua(sjis: int) -> int:
    """Return DoCoMo's private-use code point: CP932's user-defined mapping."""
    return uda_pua(sjis)


#: au's Shift_JIS blocks and the official Unicode block each one maps to, in order
#: (E4U ``carrier_data.py``; piecewise linear over valid Shift_JIS codes).
_KDDI_BLOCKS = (
    (0xF640, 0xF7D1, 0xE468),
    (0xF7E5, 0xF7FC, 0xE5B5),
    (0xF340, 0xF352, 0xE5CD),
    (0xF353, 0xF3CE, 0xEA80),
    (0xF7D2, 0xF7E4, 0xEAFB),
    (0xF3CF, 0xF493, 0xEB0E),
)
_KDDI_PUA = {
    code: pua_first + i
    for first, last, pua_first in _KDDI_BLOCKS
    for i, code in enumerate(sjis_codes(first, last))
}
#: au's emoji cells: F340-F493 and F640-F7FC, 647 codes (641 numbered, 6 hidden).
KDDI_CODES = tuple(sorted(_KDDI_PUA))


def kddi_pua(sjis: int) -> int:
    """Return au's official private-use code point (the one KCP+ handsets send)."""
    return _KDDI_PUA[sjis]


def kddi_web_pua(sjis: int) -> int:
    """Return au's undocumented "web" code point (Shift_JIS - 0x0700), sent from UTF-8 forms."""
    return sjis - 0x0700


#: SoftBank's six emoji pages: (first, last private-use code point, webcode group byte).
_SOFTBANK_PAGES = (
    (0xE001, 0xE05A, ord("G")),
    (0xE101, 0xE15A, ord("E")),
    (0xE201, 0xE25A, ord("F")),
    (0xE301, 0xE34D, ord("O")),
    (0xE401, 0xE44C, ord("P")),
    (0xE501, 0xE53E, ord("Q")),
)
#: Webcode group byte -> high byte of the private-use code point.
WEBCODE_GROUPS = {group: first >> 8 for first, _, group in _SOFTBANK_PAGES}
#: Private-use page -> (Shift_JIS lead byte, trail offset); see CARRIERS.md.
_SOFTBANK_SJIS_PAGES = {
    0xE0: (0xF9, 0x40),
    0xE1: (0xF7, 0x40),
    0xE2: (0xF7, 0xA0),
    0xE3: (0xF9, 0xA0),
    0xE4: (0xFB, 0x40),
    0xE5: (0xFB, 0xA0),
}


def softbank_sjis(pua: int) -> int:
    """Return the Shift_JIS code of SoftBank's private-use code point *pua*."""
    lead, offset = _SOFTBANK_SJIS_PAGES[pua >> 8]
    trail = (pua & 0xFF) + offset
    if offset == 0x40 and trail >= 0x7F:
        trail += 1
    return lead << 8 | trail


_SOFTBANK_PUA = {
    softbank_sjis(pua): pua for first, last, _ in _SOFTBANK_PAGES for pua in range(first, last + 1)
}
#: SoftBank's emoji cells as Shift_JIS codes: 485 (474 with webcodes in the web tables).
SOFTBANK_CODES = tuple(sorted(_SOFTBANK_PUA))


def softbank_pua(sjis: int) -> int:
    """Return SoftBank's private-use code point (what 3G handsets send in UTF-8)."""
    return _SOFTBANK_PUA[sjis]


def softbank_webcode(pua: int) -> bytes:
    """Return the 2G webcode escape of one SoftBank emoji: ESC $ group code SI."""
    group = next(g for first, last, g in _SOFTBANK_PAGES if first <= pua <= last)
    return bytes((0x1B, 0x24, group, (pua & 0xFF) + 0x20, 0x0F))


_WEBCODE_ESCAPE = re.compile(r"\x1b\$([GEFOPQ])([\x21-\x7a]+)\x0f")


def merge_webcode_escapes(value: str) -> str:
    """Merge adjacent escapes of one group: ``ESC$Gj SI ESC$Gk SI`` -> ``ESC$Gjk SI``."""
    out = []
    end, group = 0, None
    for match in _WEBCODE_ESCAPE.finditer(value):
        if match.start() == end and match.group(1) == group:
            out[-1] = out[-1][:-1] + match.group(2) + "\x0f"
        else:
            out.append(value[end : match.start()])
            out.append(match.group(0))
        end, group = match.end(), match.group(1)
    out.append(value[end:])
    return "".join(out)


_CARRIER_PUA = {"docomo": docomo_pua, "au": kddi_pua, "softbank": softbank_pua}


def carrier_only_char(carrier: str, sjis: int) -> str:
    """Return the internal character of a carrier emoji that has no standard equivalent."""
    number = CARRIERS.index(carrier) + 1
    return chr(CARRIER_ONLY_BASE + number * 0x1000 + _CARRIER_PUA[carrier](sjis) - 0xE000)


def parse_carrier_only(char: str) -> tuple[str, int] | None:
    """Return (carrier, private-use code point) named by a carrier-only character, else None."""
    offset = ord(char) - CARRIER_ONLY_BASE
    number, low = divmod(offset, 0x1000)
    if len(char) != 1 or not 1 <= number <= len(CARRIERS):
        return None
    return CARRIERS[number - 1], 0xE000 + low
