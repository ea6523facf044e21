"""The optional C accelerator: its switch, and the plans of tables it runs.

``carrier_emoji._speedups`` (``_speedups*.c``) is built when a compiler is at hand; without
it, or with ``CARRIER_EMOJI_NO_SPEEDUPS=1`` in the environment at import, every codec
runs the pure-Python path. Setting :data:`speedups` to None here switches it off at run
time (the tests do, to run both paths). The C code takes every table from here, as a
*plan* built once per index and codec (and fallback): the CP932 tables read from
Python's own ``cp932`` codec once, and the emoji lookups of the index in force (an index
installed by operators gets its own plans), never compiled in. A plan returns None for
any input that needs more than the common case (invalid bytes, a character the charset
lacks, an error handler): the pure path then does the work, with its own errors.

:func:`codec_entry` gives the codecs registry C functions that call the plans of the
index in force directly (see ``_speedups.c``), so a short field costs little more than
the registry's own call.
"""

from __future__ import annotations

import os
from array import array
from functools import lru_cache

from . import notations, state
from ._index import _CP932_EXTRA, _SELECTORS, EmojiIndex
from .specs import CodecSpec

__all__ = [
    "ENV_SWITCH",
    "codec_entry",
    "decode",
    "decode_plan",
    "encode",
    "encode_plan",
    "speedups",
]

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


#: The C module built and allowed at import, or None. Plans and registry entries are made
#: with it even while :data:`speedups` is switched off (a codec first looked up then still
#: gets the C entry, which reads the switch at each call).
_BUILT = _load()
#: The C module in use, or None (pure Python): the switch.
speedups = _BUILT

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


_OUTPUTS = {"sjis": "OUT_SJIS", "pua": "OUT_UTF8", "unicode": "OUT_UTF8", "webcode": "OUT_WEBCODE"}
#: The webcode groups in the order of the decoder's table (``WEBCODE_GROUPS`` in C).
_WEBCODE_ORDER = "GEFOPQ"


def _decode_tables(index: EmojiIndex, spec: CodecSpec) -> dict:
    """Return the arguments of :class:`DecodePlan` for *spec*, from the pure path's lookups."""
    decode_map = index.decode_map(spec)
    tables: dict = {"sjis": spec.is_sjis}
    if spec.ncr:
        tables["by_pua"] = dict(index.docomo_by_pua)
        tables["by_sjis"] = {code: row.key for code, row in index.by_code["docomo"].items()}
    if spec.webcode:
        pages = {page: chr(group) for group, page in notations.WEBCODE_GROUPS.items()}
        webcodes = [None] * (len(_WEBCODE_ORDER) * 0x5A)
        for pua, key in index.softbank_by_pua.items():
            group, code = _WEBCODE_ORDER.index(pages[pua >> 8]), (pua & 0xFF) - 1
            if 0 <= code < 0x5A:
                webcodes[group * 0x5A + code] = key
        tables["webcodes"] = tuple(webcodes)
    if not spec.is_sjis:
        tables["emoji"] = tuple(decode_map.get(chr(code)) for code in range(0xE000, 0xF100))
        tables["astral"] = {
            ord(c): key for c, key in decode_map.items() if len(c) == 1 and c > "\uffff"
        }
        return tables
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
    tables.update(emoji=tuple(emoji), cp932=_cp932_decode_table(), softbank_fb=softbank)
    return tables


def decode_plan(index: EmojiIndex, spec: CodecSpec):
    """Return the C decoder of *spec* for *index* (built once per index)."""
    key = ("accel-decode", spec.name)
    return index._cached(key, lambda: _BUILT.DecodePlan(**_decode_tables(index, spec)))


def decode(index: EmojiIndex, spec: CodecSpec, data) -> str | None:
    """Decode with the accelerator: text, or None when the pure path must."""
    return decode_plan(index, spec).decode(data)


def _encode_tables(
    index: EmojiIndex, spec: CodecSpec, fallback: str, make_resolver, html: bool = False
) -> dict:
    """Return the arguments of :class:`EncodePlan`: the classes of the pure path's pattern
    (:meth:`EmojiIndex.encode_pattern`; a test checks that they agree) and its maps
    (with *html*, the maps whose emoji text is HTML-escaped)."""
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
    emap = index.encode_map(spec, fallback, html)
    return {
        "output": getattr(_BUILT, _OUTPUTS[spec.output]),
        "first": _bitmap(first),
        "more": _bitmap(more),
        "astral_first": astral_first,
        "astral_more": astral_more,
        "emap": emap,
        "resolve": make_resolver(),
        "cp932": _cp932_encode_table() if spec.is_sjis else None,
        "singles": tuple((first, _singles(emap, first, end)) for first, end in _SINGLE_RANGES),
        "keycaps": _keycaps(emap),
    }


#: Where one-emoji runs are looked up without building a string: Latin-1 (© ®), the
#: symbols and CJK blocks, the emoji planes, and the carrier-only characters.
_SINGLE_RANGES = ((0xA0, 0x100), (0x2000, 0x3400), (0x1F000, 0x1FC00), (0x101000, 0x104000))


def _singles(emap: dict, first: int, end: int) -> tuple:
    """Return, for each character from *first* to *end*, what the encode map writes for it
    alone and followed by U+FE0F (None where it lists neither): runs of one emoji,
    looked up without building a string."""
    table = []
    for code in range(first, end):
        values = (emap.get(chr(code)), emap.get(chr(code) + "\ufe0f"))
        table.append(None if values == (None, None) else values)
    return tuple(table)


def _keycaps(emap: dict) -> tuple:
    """Return, per ASCII character, what the encode map writes for it followed by U+20E3
    and by U+FE0F U+20E3 (None where it lists neither): a keycap after its base character
    is looked up without building a string. Empty where the map lists the keycap mark
    itself (the pure path would then take that first)."""
    if emap.get("\u20e3") is not None or emap.get("\ufe0f\u20e3") is not None:
        return ()
    table = []
    for code in range(0x80):
        values = (emap.get(chr(code) + "\u20e3"), emap.get(chr(code) + "\ufe0f\u20e3"))
        table.append(None if values == (None, None) else values)
    return tuple(table)


def encode_plan(
    index: EmojiIndex, spec: CodecSpec, fallback: str, make_resolver, html: bool = False
):
    """Return the C encoder of *spec* and *fallback* for *index* (built once per index).

    :param make_resolver: called once per index, codec, fallback and *html*; gives the
        function ``resolve(run)`` that returns the output of a run the encode map does not
        list (cut into emoji spellings), or raises when it cannot without an error handler.
    :param html: the HTML variant: its own encode map, whose text fallbacks are escaped.
    """
    key = ("accel-encode", spec.name, fallback, html)
    build = lambda: _BUILT.EncodePlan(  # noqa: E731
        **_encode_tables(index, spec, fallback, make_resolver, html)
    )
    return index._cached(key, build)


def encode(index: EmojiIndex, spec: CodecSpec, fallback: str, text: str, make_resolver, html=False):
    """Encode with the accelerator: bytes, or None when the pure path must."""
    return encode_plan(index, spec, fallback, make_resolver, html).encode(text)


def codec_entry(plans, pure_decode, pure_encode):
    """Return the C object whose ``decode`` and ``encode`` the codecs registry calls, or
    None without the accelerator.

    :param plans: ``plans(index or None)`` returns ``(index, decode plan, encode plan)``
        for the index in force (None before one is installed).
    :param pure_decode: ``pure_decode(data, errors)``, the pure path, when the
        accelerator is switched off or a plan declines; *pure_encode* likewise.
    """
    if _BUILT is None:
        return None
    return _BUILT.Codec(
        switch_ns=globals(),
        switch_name="speedups",
        index_ns=vars(state),
        index_name="_index",
        plans=plans,
        pure_decode=pure_decode,
        pure_encode=pure_encode,
    )
