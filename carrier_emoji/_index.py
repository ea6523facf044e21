"""Lookups derived from the emoji table, built once per table and cached per codec."""

from __future__ import annotations

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
    """Return the spellings of an emoji that encode alike: with and without U+FE0F."""
    return {key, key.replace("\ufe0f", "")} - {""}


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
        self._lock = threading.Lock()
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

    def decode_pattern(self, spec: CodecSpec) -> re.Pattern[str]:
        """Return the pattern of everything in base-decoded text that needs translating."""
        pua = _SJIS_PUA if spec.is_sjis else _CARRIER_PUA + _PLANES_15_16
        parts = [f"[{pua}]"]
        if spec.webcode:
            parts.append(_WEBCODE)
        if spec.ncr:
            parts.append(_NCR)
        return re.compile(f"({'|'.join(parts)})")

    @cached_property
    def softbank_by_pua(self) -> dict[int, str]:
        """Map SoftBank private-use code points to internal text (for webcodes)."""
        return {
            notations.softbank_pua(code): row.key
            for code, row in self.by_code["softbank"].items()
        }

    @cached_property
    def docomo_by_pua(self) -> dict[int, str]:
        """Map DoCoMo private-use code points to internal text (for hex references)."""
        return {
            notations.docomo_pua(code): row.key for code, row in self.by_code["docomo"].items()
        }

    # Encoding -------------------------------------------------------------------

    def encode_pattern(self, spec: CodecSpec) -> re.Pattern[str]:
        """Return the pattern of everything in internal text the base encoder must not see."""
        key = ("encode-re", spec.carrier is None, spec.base)
        return self._cached(key, lambda: self._build_encode_pattern(spec))

    def _build_encode_pattern(self, spec: CodecSpec) -> re.Pattern[str]:
        pua = (_SJIS_PUA if spec.is_sjis else _CARRIER_PUA) + _PLANES_15_16
        if spec.carrier is None:
            return re.compile(f"([{pua}])")
        keys = set()
        for key in list(self.by_key) + list(emoji_package.EMOJI_DATA):
            if not notations.CARRIER_ONLY_BASE <= ord(key[0]):
                keys |= _variants(key)
        extra = "".join(_CP932_EXTRA) if spec.is_sjis else ""
        return re.compile(f"({_trie_regex(keys)}|[{pua}{extra}])")

    def encode_map(self, spec: CodecSpec, fallback: str) -> dict[str, str | bytes | None]:
        """Map each spelling of each table emoji to what *spec* writes (None: no way)."""
        key = ("encode", spec.name, fallback)
        return self._cached(key, lambda: self._build_encode_map(spec, fallback))

    def _build_encode_map(self, spec: CodecSpec, fallback: str) -> dict:
        result: dict = dict(_CP932_EXTRA) if spec.is_sjis else {}
        for row in self.rows:
            if spec.carrier is None and not self.is_carrier_only(row.key):
                continue
            value = self.target(spec, row, fallback)
            for variant in _variants(row.key):
                result[variant] = value
        return result

    @staticmethod
    def is_carrier_only(key: str) -> bool:
        """True for the internal character of a carrier emoji with no standard equivalent."""
        return len(key) == 1 and ord(key) >= notations.CARRIER_ONLY_BASE

    def target(self, spec: CodecSpec, row: EmojiRow, fallback: str):
        """Return what *spec* writes for *row* under *fallback* (None: an encode error)."""
        if spec.carrier is None:
            if fallback == "fit" and row.fit:
                return row.fit
            return self.fallback_text(spec, row.name_ja, fallback)
        code = row.code(spec.carrier)
        if code is None and fallback == "fit":
            code = row.fit_code(spec.carrier)
            fit_row = self.by_key.get(row.fit) if row.fit else None
            if code is None and fit_row is not None:
                code = fit_row.code(spec.carrier) or fit_row.fit_code(spec.carrier)
        if code is not None:
            return self.notation(spec, code)
        return self.fallback_text(spec, row.name_ja, fallback)

    def fallback_for_unlisted(self, spec: CodecSpec, key: str, fallback: str):
        """Return what *spec* writes for a standard emoji the table does not list."""
        data = emoji_package.EMOJI_DATA.get(key) or emoji_package.EMOJI_DATA.get(key + "\ufe0f")
        name = data.get("ja", "").strip(":").replace("_", " ") if data else None
        return self.fallback_text(spec, name or None, fallback)

    @staticmethod
    def fallback_text(spec: CodecSpec, name: str | None, fallback: str) -> str | None:
        """Return ``[name]`` when the page's charset can carry it, else the geta mark."""
        if fallback == "strict":
            return None
        if fallback in ("fit", "text") and name:
            text = f"[{name}]"
            try:
                text.encode(spec.base)
            except UnicodeEncodeError:
                pass
            else:
                return text
        return GETA

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

    @cached_property
    def encode_prefixes(self) -> frozenset[str]:
        """Proper prefixes of emoji spellings: text ending in one may continue the emoji."""
        prefixes = set()
        for key in list(self.by_key) + list(emoji_package.EMOJI_DATA):
            for variant in _variants(key):
                prefixes.update(variant[:i] for i in range(1, len(variant)))
        return frozenset(prefixes)

    @cached_property
    def longest_key(self) -> int:
        """Length of the longest emoji spelling."""
        return max(len(k) for k in list(self.by_key) + list(emoji_package.EMOJI_DATA))
