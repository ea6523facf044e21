"""Lookups derived from the emoji table, built once per table and cached per codec."""

from __future__ import annotations

import html as _html
import re
import threading
from functools import cached_property

import emoji as emoji_package

from . import notations
from .row import EmojiRow
from .specs import CodecSpec

__all__ = ["EmojiIndex", "GETA", "TableError"]

# The Japanese names feed the text fallback ("[太陽]").
emoji_package.config.load_language("ja")

#: The geta mark, what carriers showed for a character they could not display.
GETA = "〓"
#: Raw private-use code points that carriers use, as they may arrive in text. In
#: internal text they can only be forged input: decoders reject them, encoders too.
_CARRIER_PUA = "\ue000-\uf0ff"
#: au's "web" code points reach U+F0FC (in _CARRIER_PUA: forged input for the others).
_KDDI_WEB_PUA = "\uf000-\uf0ff"
#: Private-use planes 15 and 16 (Google's codes, our carrier-only characters).
_PLANES_15_16 = "\U000f0000-\U0010ffff"
#: After a CP932 decode, private-use code points come from the user-defined area
#: (F040-F9FC) and from the single bytes A0, FD-FF (U+F8F0-F8F3).
_SJIS_PUA = "\ue000-\uf8ff"
#: Characters a Windows user types that CP932 lacks, and the CP932 character meant.
_CP932_EXTRA = {"\u2014": "\u2015"}

_WEBCODE = r"\x1b\$[GEFOPQ][\x21-\x7a]*\x0f?"
_NCR = r"&#(?:[xX][0-9A-Fa-f]{4}|[0-9]{5});"
_SOFTBANK_FB_SUBSTITUTE = 0xF5


def as_text(text: str, html: bool) -> str:
    """Return table text (a name, a fit) as written: HTML-escaped (``&<>"'``) when *html*."""
    return _html.escape(text, quote=True) if html else text


class TableError(ValueError):
    """The rows do not make a consistent table (a code mapped twice, a bad key)."""


def _trie_regex(words) -> str:
    """Build a regex that matches any of *words*, longest first, without backtracking."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        leaves = sorted(c for c, sub in node.items() if c and list(sub) == [""])
        branches = [re.escape(c) + build(sub) for c, sub in node.items() if c and c not in leaves]
        if leaves:
            escaped = "".join(re.escape(c) for c in leaves)
            branches.append(escaped if len(leaves) == 1 else f"[{escaped}]")
        if not branches:
            return ""
        body = "|".join(branches)
        if "" in node:
            return f"(?:{body})?"
        return body if len(branches) == 1 else f"(?:{body})"

    return build(trie)


def _variants(key: str) -> set[str]:
    """Return the spellings of an emoji that encode alike: with and without U+FE0F.

    A spelling that is plain JIS text (``♀`` without U+FE0F) stays text: none is returned.
    """
    result = set()
    for spelling in {key, key.replace("\ufe0f", "")}:
        try:
            spelling.encode("cp932")
        except UnicodeEncodeError:
            result.add(spelling)
    return result


def _encodable(text: str, charset: str) -> bool:
    """Tell whether *charset* can carry *text*."""
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _char_class(chars) -> str:
    """Return a regex character class of *chars*, with runs written as ranges."""
    codes = sorted({ord(c) for c in chars})
    out = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        first, last = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        out.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(out)


#: Variation selectors: emoji (U+FE0F) and text (U+FE0E) presentation.
_SELECTORS = "\ufe0e\ufe0f"
#: Every character outside the BMP.
_ASTRAL = "\U00010000-\U0010ffff"


def _bmp(chars) -> set[str]:
    """Return the characters of the Basic Multilingual Plane among *chars*."""
    return {c for c in chars if ord(c) <= 0xFFFF}


_CELLS = {
    "docomo": frozenset(notations.DOCOMO_CODES),
    "au": frozenset(notations.KDDI_CODES),
    "softbank": frozenset(notations.SOFTBANK_CODES),
}


def _check_fits(row: EmojiRow) -> None:
    """Refuse a best fit that is not one of the carrier's cells, or a sequence of them."""
    for carrier in notations.CARRIERS:
        fit = row.fit_code(carrier)
        if fit is None:
            continue
        codes = fit if isinstance(fit, tuple) else (fit,)
        if not codes or not all(type(c) is int and c in _CELLS[carrier] for c in codes):
            raise TableError(f"{carrier}_fit of {row.key!r} is no {carrier} emoji code: {fit!r}")


class EmojiIndex:
    """The effective table and every lookup derived from it."""

    def __init__(self, rows, version: int = 0):
        self.rows: tuple[EmojiRow, ...] = tuple(rows)
        self.version = version
        self.by_key: dict[str, EmojiRow] = {}
        self.by_code: dict[str, dict[int, EmojiRow]] = {c: {} for c in notations.CARRIERS}
        for row in self.rows:
            if row.key in self.by_key:
                raise TableError(f"emoji {row.key!r} has two rows")
            self.by_key[row.key] = row
            for carrier in notations.CARRIERS:
                code = row.code(carrier)
                if code is None:
                    continue
                taken = self.by_code[carrier].get(code)
                if taken is not None:
                    raise TableError(
                        f"{carrier} code {code:04X} is mapped twice: {taken.key!r} and {row.key!r}"
                    )
                self.by_code[carrier][code] = row
            _check_fits(row)
        self._lock = threading.RLock()  # a lookup may be built from another
        self._cache: dict = {}

    def _cached(self, key, build):
        """Build a derived lookup once per table."""
        try:
            return self._cache[key]
        except KeyError:
            with self._lock:
                if key not in self._cache:
                    self._cache[key] = build()
            return self._cache[key]

    # Decoding -------------------------------------------------------------------

    def decode_map(self, spec: CodecSpec) -> dict[str, str]:
        """Map each private-use character the base decoder yields to internal text."""
        return self._cached(("decode", spec.name), lambda: self._build_decode_map(spec))

    def _build_decode_map(self, spec: CodecSpec) -> dict[str, str]:
        result = {}
        if spec.carrier is None:
            if spec.legacy_pua:
                for code, row in self.by_code["softbank"].items():
                    result[chr(notations.softbank_pua(code))] = row.key
                for row in self.rows:
                    if row.google is not None:
                        result.setdefault(chr(row.google), row.key)
            return result
        for code, row in self.by_code[spec.carrier].items():
            for char in self.carrier_chars(spec, spec.carrier, code):
                result[char] = row.key
        if spec.docomo_in_kddi:
            for code, row in self.by_code["docomo"].items():
                result.setdefault(chr(notations.uda_pua(code)), row.key)
        return result

    @staticmethod
    def carrier_chars(spec: CodecSpec, carrier: str, code: int) -> list[str]:
        """Return the characters the base decoder of *spec* yields for a carrier code."""
        if spec.is_sjis:
            if carrier == "softbank" and code >> 8 == 0xFB:
                code = _SOFTBANK_FB_SUBSTITUTE << 8 | code & 0xFF
            return [chr(notations.uda_pua(code))]
        if carrier == "docomo":
            return [chr(notations.docomo_pua(code))]
        if carrier == "au":
            return [chr(notations.kddi_pua(code)), chr(notations.kddi_web_pua(code))]
        return [chr(notations.softbank_pua(code))]

    def decode_pattern(
        self, spec: CodecSpec, webcode: bool = True, ncr: bool = True
    ) -> re.Pattern[str]:
        """Return the pattern of everything in base-decoded text that needs translating.

        :param webcode: look for webcode escapes (when the codec reads them and the input
            has an ESC); *ncr*: likewise character references (an ``&``).
        """
        key = ("decode-re", spec.base, spec.kddi_web, spec.webcode and webcode, spec.ncr and ncr)
        return self._cached(key, lambda: self._build_decode_pattern(spec, *key[3:]))

    def _build_decode_pattern(self, spec: CodecSpec, webcode: bool, ncr: bool):
        pua = _SJIS_PUA if spec.is_sjis else _CARRIER_PUA + _PLANES_15_16
        if spec.kddi_web:
            pua += _KDDI_WEB_PUA
        parts = [f"[{pua}]"]
        if webcode:
            parts.append(_WEBCODE)
        if ncr:
            parts.append(_NCR)
        return re.compile(f"({'|'.join(parts)})")

    @cached_property
    def softbank_by_pua(self) -> dict[int, str]:
        """Map SoftBank private-use code points to internal text (for webcodes)."""
        return {
            notations.softbank_pua(code): row.key for code, row in self.by_code["softbank"].items()
        }

    @cached_property
    def docomo_by_pua(self) -> dict[int, str]:
        """Map DoCoMo private-use code points to internal text (for hex references)."""
        return {notations.docomo_pua(code): row.key for code, row in self.by_code["docomo"].items()}

    # Encoding -------------------------------------------------------------------

    def encode_pattern(self, spec: CodecSpec) -> re.Pattern[str]:
        """Return the pattern that cuts internal text into text and runs the encoder must map.

        One character class leads it (fast to search); a run is one emoji, several
        adjacent ones (cut apart by :meth:`emoji_grammar`), or a private-use character.
        """
        key = ("encode-re", spec.carrier is None, spec.base)
        return self._cached(key, lambda: self._build_encode_pattern(spec))

    def _build_encode_pattern(self, spec: CodecSpec) -> re.Pattern[str]:
        if spec.carrier is None:
            return re.compile(f"([{_CARRIER_PUA}{_PLANES_15_16}])")
        starts, inner = self.emoji_chars
        extra = "".join(_CP932_EXTRA) if spec.is_sjis else ""
        # Only characters of the BMP in the classes, and all of planes 1-16 as one range:
        # sre keeps a BMP-only class as a bitmap, a class with astral members as a list.
        # Emoji glue (selectors, ZWJ, the keycap mark) starts a run too: left alone by a
        # write that split an emoji, it takes its own fallback.
        first = _char_class(_bmp(starts) | set(extra) | set(_SELECTORS) | {"\u20e3", "\u200d"})
        more = _char_class(_bmp(starts | inner) | set(_SELECTORS) | {"\u20e3", "\u200d"})
        pua = _SJIS_PUA if spec.is_sjis else _CARRIER_PUA
        return re.compile(f"([{first}{pua}{_ASTRAL}][{more}{_ASTRAL}]*)")

    def utf8_probes(self, spec: CodecSpec) -> tuple[bytes, ...]:
        """Return byte strings whose absence from UTF-8 output (and of EF 80-83) proves
        it needs no mapping."""
        key = ("probes", spec.carrier is None)
        return self._cached(key, lambda: self._build_probes(spec))

    def _build_probes(self, spec: CodecSpec) -> tuple[bytes, ...]:
        # Private use an encoder must see: U+E000-U+EFFF (EE) and planes 15-16 (F3, F4);
        # the codec searches U+F000-U+F0FF (EF 80-83) itself, in one go.
        probes = {b"\xee", b"\xf3", b"\xf4"}
        if spec.carrier is not None:
            for char in self.emoji_chars[0] | {"\u20e3"}:
                data = char.encode("utf-8")
                # Lead bytes that Japanese text uses all the time: probe the whole character.
                probes.add(data if data[0] in (0xE3, 0xEF) else data[:1])
        return tuple(sorted(probes, key=len))

    @cached_property
    def emoji_chars(self) -> tuple[set[str], set[str]]:
        """Return the characters that start an emoji spelling, and those inside one."""
        starts, inner = set(), set()
        for key in self.all_spellings:
            if not key[0] in "#*0123456789":
                starts.add(key[0])
            inner.update(key[1:])
        return starts, inner

    @cached_property
    def all_spellings(self) -> frozenset[str]:
        """Every spelling of every emoji the table or the ``emoji`` package knows."""
        keys = set()
        for key in list(self.by_key) + list(emoji_package.EMOJI_DATA):
            if not self.is_carrier_only(key):
                keys |= _variants(key)
        return frozenset(keys)

    @cached_property
    def emoji_grammar(self) -> re.Pattern[str]:
        """Return the pattern of one whole emoji spelling (longest first), for cutting runs."""
        return re.compile(f"{_trie_regex(self.all_spellings)}|.", re.DOTALL)

    def encode_map(self, spec: CodecSpec, fallback: str, html: bool = False) -> dict:
        """Map each spelling of each table emoji to what *spec* writes (None: no way);
        with *html*, text written for an emoji is HTML-escaped."""
        key = ("encode", spec.name, fallback, html)
        return self._cached(key, lambda: self._build_encode_map(spec, fallback, html))

    def _build_encode_map(self, spec: CodecSpec, fallback: str, html: bool) -> dict:
        result: dict = dict(_CP932_EXTRA) if spec.is_sjis else {}
        for row in self.rows:
            if spec.carrier is None and not self.is_carrier_only(row.key):
                continue
            value = self.target(spec, row, fallback, html)
            for variant in _variants(row.key):
                result[variant] = value
        return result

    @staticmethod
    def is_carrier_only(key: str) -> bool:
        """True for the internal character of a carrier emoji with no standard equivalent."""
        return len(key) == 1 and ord(key) >= notations.CARRIER_ONLY_BASE

    def target(self, spec: CodecSpec, row: EmojiRow, fallback: str, html: bool = False):
        """Return what *spec* writes for *row* under *fallback* (None: an encode error);
        with *html*, text (a fit, a name) is HTML-escaped."""
        if spec.carrier is None:
            if fallback == "fit" and row.fit:
                return as_text(row.fit, html)
            return self.fallback_text(spec, row.name_ja, fallback, html)
        code = row.code(spec.carrier)
        bare = row.key.replace("\ufe0f", "")
        # Text stays text: JIS text (``♀``), or a character that is no emoji (EN SPACE).
        is_text = _encodable(bare, "cp932") or not (
            row.key in emoji_package.EMOJI_DATA or self.is_carrier_only(row.key)
        )
        if code is None and fallback in ("fit", "text") and is_text:
            if _encodable(bare, spec.base):
                return as_text(bare, html)
            if bare.isspace():
                return " "  # au's EN/EM SPACE emoji: a space on other pages
        if code is None and fallback == "fit":
            code = row.fit_code(spec.carrier)
            fit_row = self.by_key.get(row.fit) if row.fit else None
            if code is None and fit_row is not None:
                code = fit_row.code(spec.carrier) or fit_row.fit_code(spec.carrier)
        if code is not None:
            return self.notations(spec, code)
        return self.fallback_text(spec, row.name_ja, fallback, html)

    def fallback_for_unlisted(self, spec: CodecSpec, key: str, fallback: str, html: bool = False):
        """Return what *spec* writes for a standard emoji the table does not list."""
        bare = key.replace("\ufe0f", "")
        if fallback in ("fit", "text") and _encodable(bare, "cp932"):
            return as_text(bare, html)  # JIS text (``♀`` for ``♀️``), on every page
        data = emoji_package.EMOJI_DATA.get(key) or emoji_package.EMOJI_DATA.get(key + "\ufe0f")
        name = data.get("ja", "").strip(":").replace("_", " ") if data else None
        return self.fallback_text(spec, name or None, fallback, html)

    @staticmethod
    def fallback_text(spec: CodecSpec, name: str | None, fallback: str, html=False) -> str | None:
        """Return ``[name]`` (HTML-escaped with *html*) when the page's charset can carry it,
        else the geta mark."""
        if fallback == "strict":
            return None
        if fallback in ("fit", "text") and name and _encodable(f"[{name}]", spec.base):
            return as_text(f"[{name}]", html)
        return GETA

    @classmethod
    def notations(cls, spec: CodecSpec, code: int | tuple[int, ...]) -> str | bytes:
        """Return the output of *spec* for one carrier code or a sequence of codes."""
        if not isinstance(code, tuple):
            return cls.notation(spec, code)
        parts = [cls.notation(spec, c) for c in code]
        if all(isinstance(p, str) for p in parts):
            return notations.merge_webcode_escapes("".join(parts))
        return b"".join(p if isinstance(p, bytes) else p.encode(spec.base) for p in parts)

    @staticmethod
    def notation(spec: CodecSpec, code: int) -> str | bytes:
        """Return the output of *spec* for a carrier code: text for the base encoder, or bytes."""
        carrier = spec.carrier
        if spec.output == "webcode":
            return notations.softbank_webcode(notations.softbank_pua(code)).decode("ascii")
        if spec.is_sjis:
            if code >> 8 in (0xFA, 0xFB, 0xFC):
                return code.to_bytes(2, "big")
            return chr(notations.uda_pua(code))
        if carrier == "docomo":
            return chr(notations.docomo_pua(code))
        if carrier == "au":
            return chr(notations.kddi_pua(code))
        return chr(notations.softbank_pua(code))
