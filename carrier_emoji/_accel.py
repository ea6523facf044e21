"""The optional C accelerator: its switch, and the tables it is given at each call.

``carrier_emoji._speedups`` (``_speedups.c``) is built when a compiler is at hand; without
it, or with ``CARRIER_EMOJI_NO_SPEEDUPS=1`` in the environment at import, every codec
runs the pure-Python path. The C functions take every table from here: the CP932 tables
read from Python's own ``cp932`` codec once, and the emoji lookups of the index in force,
built once per index (an index installed by operators gets its own), never compiled in.
They return None for any input that needs more than the common case (invalid bytes, a
character the charset lacks, an error handler): the pure path then does the work.
"""

from __future__ import annotations

import os
from array import array
from functools import lru_cache

from . import notations
from ._index import _CP932_EXTRA, _SELECTORS, EmojiIndex
from .specs import CodecSpec

__all__ = ["ENV_SWITCH", "decode", "encode", "speedups"]

#: Set to 1 to run the pure-Python codecs even where the accelerator is built.
ENV_SWITCH = "CARRIER_EMOJI_NO_SPEEDUPS"


def _load():
    """Return the C module, or None when it is switched off or was not built."""
    if os.environ.get(ENV_SWITCH, "") not in ("", "0"):
        return None
    try:
        from . import _speedups
    except ImportError:
        return None
    return _speedups


#: The C module in use, or None (pure Python).
speedups = _load()

_OUTPUTS = {"sjis": 0, "pua": 1, "unicode": 1, "webcode": 2}
_LEADS = frozenset(range(0x81, 0xA0)) | frozenset(range(0xE0, 0xFD))


@lru_cache(maxsize=None)
def _cp932_decode_table() -> bytes:
    """Return Python's CP932 decoding as 65536 uint16: single bytes at their value,
    pairs at lead << 8 | trail, 0 for a pair CP932 does not define."""
    table = array("H", bytes(2 * 65536))
    for byte in range(256):
        if byte not in _LEADS:
            table[byte] = ord(bytes((byte,)).decode("cp932"))
    for lead in _LEADS:
        for trail in range(0x40, 0xFD):
            try:
                table[lead << 8 | trail] = ord(bytes((lead, trail)).decode("cp932"))
            except UnicodeDecodeError:
                pass
    return table.tobytes()


@lru_cache(maxsize=None)
def _cp932_encode_table() -> bytes:
    """Return Python's CP932 encoding of the BMP as 65536 uint16 (0: not in CP932)."""
    table = array("H", bytes(2 * 65536))
    decoded = array("H", _cp932_decode_table())
    chars = {chr(u) for u in decoded if u} | {chr(c) for c in range(0x80)}
    # Characters CP932 writes but never reads back (¢ £ ¬ ‖ − 〜), found once.
    encodable = set()
    for code in range(0x80, 0x10000):
        char = chr(code)
        if char not in chars and not 0xD800 <= code < 0xE000:
            try:
                char.encode("cp932")
            except UnicodeEncodeError:
                continue
            encodable.add(char)
    for char in chars | encodable:
        data = char.encode("cp932")
        table[ord(char)] = int.from_bytes(data, "big")
    return table.tobytes()


def _bitmap(chars) -> bytes:
    """Return an 8192-byte bitmap of the BMP characters among *chars*."""
    bits = bytearray(8192)
    for char in chars:
        code = ord(char)
        if code < 0x10000:
            bits[code >> 3] |= 1 << (code & 7)
    return bytes(bits)


def _range(first: int, last: int) -> set[str]:
    """Return the characters from *first* to *last*."""
    return {chr(c) for c in range(first, last + 1)}


def _decode_plan(index: EmojiIndex, spec: CodecSpec) -> tuple:
    """Build the arguments of the C decoder for *spec*, from the pure path's lookups."""
    decode_map = index.decode_map(spec)
    by_pua = by_sjis = webcodes = None
    if spec.ncr:
        by_pua = dict(index.docomo_by_pua)
        by_sjis = {code: row.key for code, row in index.by_code["docomo"].items()}
    if spec.webcode:
        groups = {page: group for group, page in notations.WEBCODE_GROUPS.items()}
        webcodes = {
            groups[pua >> 8] << 8 | (pua & 0xFF) + 0x20: key
            for pua, key in index.softbank_by_pua.items()
        }
    if not spec.is_sjis:
        emoji = tuple(decode_map.get(chr(code)) for code in range(0xE000, 0xF100))
        astral = {ord(c): key for c, key in decode_map.items() if len(c) == 1 and c > "\uffff"}
        return ("utf8", emoji, astral, by_pua, by_sjis, webcodes)
    softbank = spec.carrier == "softbank"
    emoji = []
    for code in range(0xF000, 0xFD00):
        read_as = code
        if softbank and code >> 8 == 0xFB and 0x41 <= code & 0xFF <= 0xDE:
            read_as = 0xF500 | code & 0xFF  # the pure path's substitution
        elif softbank and code >> 8 == 0xF5:
            read_as = None  # a genuine F5 lead is invalid there
        key = None
        if read_as is not None and 0xF040 <= read_as <= 0xF9FC and 0x40 <= code & 0xFF <= 0xFC:
            if code & 0xFF != 0x7F:
                key = decode_map.get(chr(notations.uda_pua(read_as)))
        emoji.append(key)
    return ("sjis", _cp932_decode_table(), tuple(emoji), softbank, by_pua, by_sjis, webcodes)


def decode(index: EmojiIndex, spec: CodecSpec, data) -> str | None:
    """Decode with the accelerator: text, or None when the pure path must."""
    plan = index._cached(("accel-decode", spec.name), lambda: _decode_plan(index, spec))
    if plan[0] == "sjis":
        return speedups.decode_sjis(data, *plan[1:])
    return speedups.decode_utf8(data, *plan[1:])


def _encode_plan(
    index: EmojiIndex, spec: CodecSpec, fallback: str, make_resolver, html: bool = False
) -> tuple:
    """Build the arguments of the C encoder: the classes of the pure path's pattern
    (:meth:`EmojiIndex.encode_pattern`; a test checks that they agree)."""
    if spec.carrier is None:
        pua = _range(0xE000, 0xF0FF)
        first, more, astral_first, astral_more = pua, set(), 0xF0000, False
    else:
        starts, inner = index.emoji_chars
        pua = _range(0xE000, 0xF8FF) if spec.is_sjis else _range(0xE000, 0xF0FF)
        extra = set(_CP932_EXTRA) if spec.is_sjis else set()
        glue = set(_SELECTORS) | {"\u20e3", "\u200d"}
        first = starts | extra | glue | pua
        more = starts | inner | glue
        astral_first, astral_more = 0x10000, True
    assert not any(c < "\x80" for c in first), "an ASCII character starts a run"
    emap = index.encode_map(spec, fallback, html)
    return (
        _OUTPUTS[spec.output],
        _bitmap(first),
        _bitmap(more),
        astral_first,
        astral_more,
        emap,
        make_resolver(),
        _cp932_encode_table() if spec.is_sjis else bytes(2 * 65536),
        (_singles(emap, 0x2000, 0x3400), _singles(emap, 0x1F000, 0x1FC00)),
    )


def _singles(emap: dict, first: int, end: int) -> tuple:
    """Return, for each character from *first* to *end*, what the encode map writes for it
    alone and followed by U+FE0F (None where it lists neither): runs of one emoji,
    looked up without building a string."""
    table = []
    for code in range(first, end):
        values = (emap.get(chr(code)), emap.get(chr(code) + "\ufe0f"))
        table.append(None if values == (None, None) else values)
    return tuple(table)


def encode(index: EmojiIndex, spec: CodecSpec, fallback: str, text: str, make_resolver, html=False):
    """Encode with the accelerator: bytes, or None when the pure path must.

    :param make_resolver: called once per index, codec, fallback and *html*; gives the
        function ``resolve(run)`` that returns the output of a run the encode map does not
        list (cut into emoji spellings), or raises when it cannot without an error handler.
    :param html: the HTML variant: its own encode map, whose text fallbacks are escaped.
    """
    key = ("accel-encode", spec.name, fallback, html)
    plan = index._cached(key, lambda: _encode_plan(index, spec, fallback, make_resolver, html))
    return speedups.encode(text, *plan)
