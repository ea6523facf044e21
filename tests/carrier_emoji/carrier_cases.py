"""Shared data for the carrier_emoji tests: codecs per carrier and every notation of a code.

The notations are written again here from CARRIERS.md, independently of
:mod:`carrier_emoji.notations`, so that the brute-force tests check the formulas too.
"""

from __future__ import annotations

from pathlib import Path

import carrier_emoji
from carrier_emoji.table import ROWS

#: Carrier keys, in the order of their number in the carrier-only code space.
CARRIERS = ("docomo", "au", "softbank")
CARRIER_NUMBER = {"docomo": 1, "au": 2, "softbank": 3}
SJIS_CODEC = {"docomo": "x-sjis-docomo", "au": "x-sjis-kddi", "softbank": "x-sjis-softbank"}
UTF8_CODEC = {"docomo": "x-utf8-docomo", "au": "x-utf8-kddi", "softbank": "x-utf8-softbank"}
ALL_CODECS = tuple(carrier_emoji.SPECS)


def valid_sjis(first: int, last: int) -> list[int]:
    """List the two-byte Shift_JIS codes from *first* to *last* (trail 40-7E, 80-FC)."""
    return [c for c in range(first, last + 1) if 0x40 <= c & 0xFF <= 0xFC and c & 0xFF != 0x7F]


#: DoCoMo: F89F-F9FC, 282 cells.
DOCOMO_CODES = valid_sjis(0xF89F, 0xF9FC)
#: au: SJIS blocks and the first official PUA of each (E4U carrier_data.py, CARRIERS.md).
KDDI_BLOCKS = (
    (0xF640, 0xF7D1, 0xE468, 0xE5B4),
    (0xF7E5, 0xF7FC, 0xE5B5, 0xE5CC),
    (0xF340, 0xF352, 0xE5CD, 0xE5DF),
    (0xF353, 0xF3CE, 0xEA80, 0xEAFA),
    (0xF7D2, 0xF7E4, 0xEAFB, 0xEB0D),
    (0xF3CF, 0xF493, 0xEB0E, 0xEB8E),
)
KDDI_OFFICIAL = {
    code: pua_first + i
    for first, last, pua_first, _ in KDDI_BLOCKS
    for i, code in enumerate(valid_sjis(first, last))
}
KDDI_CODES = sorted(KDDI_OFFICIAL)
#: SoftBank: PUA page -> (first, last PUA, SJIS lead, trail of low byte 01, webcode group).
SOFTBANK_PAGES = (
    (0xE001, 0xE05A, 0xF9, 0x41, "G"),
    (0xE101, 0xE15A, 0xF7, 0x41, "E"),
    (0xE201, 0xE25A, 0xF7, 0xA1, "F"),
    (0xE301, 0xE34D, 0xF9, 0xA1, "O"),
    (0xE401, 0xE44C, 0xFB, 0x41, "P"),
    (0xE501, 0xE53E, 0xFB, 0xA1, "Q"),
)


def _softbank_sjis(pua: int) -> int:
    """Return the Shift_JIS code of a SoftBank PUA code point (trail skips 7F)."""
    for first, last, lead, trail, _ in SOFTBANK_PAGES:
        if first <= pua <= last:
            byte = trail + (pua - first)
            if trail == 0x41 and byte >= 0x7F:
                byte += 1
            return lead << 8 | byte
    raise KeyError(hex(pua))


SOFTBANK_PUA = {
    _softbank_sjis(pua): pua for first, last, *_ in SOFTBANK_PAGES for pua in range(first, last + 1)
}
SOFTBANK_CODES = sorted(SOFTBANK_PUA)
ALL_CODES = {"docomo": DOCOMO_CODES, "au": KDDI_CODES, "softbank": SOFTBANK_CODES}


def sjis_bytes(code: int) -> bytes:
    """Return the two bytes of a Shift_JIS code."""
    return code.to_bytes(2, "big")


def pua(carrier: str, code: int) -> int:
    """Return the carrier's (official) private-use code point of a Shift_JIS code."""
    if carrier == "docomo":
        return ord(sjis_bytes(code).decode("cp932"))  # CP932's user-defined area
    if carrier == "au":
        return KDDI_OFFICIAL[code]
    return SOFTBANK_PUA[code]


def pua_bytes(carrier: str, code: int) -> bytes:
    """Return the UTF-8 bytes of the carrier's private-use code point."""
    return chr(pua(carrier, code)).encode("utf-8")


def kddi_web_bytes(code: int) -> bytes:
    """Return au's "web" private-use code point (Shift_JIS - 0x0700) in UTF-8."""
    return chr(code - 0x0700).encode("utf-8")


def webcode_group(pua_code: int) -> str:
    """Return the webcode group letter of a SoftBank PUA code point."""
    return next(g for first, last, *_, g in SOFTBANK_PAGES if first <= pua_code <= last)


def webcode(pua_codes: list[int]) -> bytes:
    """Return canonical webcode bytes: one ``ESC $ g ... SI`` per run of one group."""
    out = b""
    group = None
    for code in pua_codes:
        this = webcode_group(code)
        if this != group:
            out += (b"\x0f" if group else b"") + b"\x1b$" + this.encode()
            group = this
        out += bytes([(code & 0xFF) + 0x20])
    return out + (b"\x0f" if group else b"")


def carrier_only_char(carrier: str, code: int) -> str:
    """Return the internal character of a carrier-only emoji (CARRIERS.md formula)."""
    return chr(0x100000 + CARRIER_NUMBER[carrier] * 0x1000 + pua(carrier, code) - 0xE000)


def is_carrier_only(key: str) -> bool:
    """Tell whether a table key is a carrier-only character (plane 16)."""
    return len(key) == 1 and ord(key) >= 0x100000


def rows_of(carrier: str) -> list:
    """Return the rows that have a round-trip code on *carrier*."""
    return [row for row in ROWS if row.code(carrier) is not None]


def encodable(text: str, charset: str) -> bool:
    """Tell whether *charset* can carry *text*."""
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def report(bad: list) -> str:
    """Describe a list of mismatches for an assertion message: how many, and the first few."""
    return f"{len(bad)} mismatches, first: {bad[:5]!r}"


REPO = Path(__file__).resolve().parents[2]


def shared_data(name: str) -> Path:
    """Return a file of the shared data directory beside the repository (``../shared/data``).

    In a git worktree without one beside it, the one beside the main checkout is used.
    """
    beside = REPO.parent / "shared" / "data" / name
    git = REPO / ".git"
    if beside.exists() or not git.is_file():
        return beside
    gitdir = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
    return gitdir.parents[2].parent / "shared" / "data" / name


#: Google's emoji4unicode.xml (Apache-2.0), the shared data beside the repository.
E4U = shared_data("emoji4unicode.xml")
