"""The codec registry: names and aliases, and the one search function given to :mod:`codecs`."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from . import codec
from .specs import ALIASES, SPECS, CodecSpec

__all__ = ["UnknownCodecError", "lookup", "normalize", "search", "spec_for"]


class UnknownCodecError(LookupError):
    """No carrier codec has that name."""


def normalize(name: str) -> str:
    """Normalize a codec name as :mod:`codecs` does, with hyphens: X_SJIS_DoCoMo, x-sjis-docomo."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


@lru_cache(maxsize=256)
def spec_for(name: str) -> CodecSpec:
    """Return the codec spec for *name* or one of its aliases."""
    key = normalize(name)
    try:
        return SPECS[ALIASES.get(key, key)]
    except KeyError:
        raise UnknownCodecError(f"unknown carrier codec: {name!r}") from None


_WEBCODE_TAIL = re.compile(rb"\x1b(?:\$(?:[GEFOPQ][\x21-\x7a]*)?)?")
_NCR_TAIL = re.compile(rb"&(?:#(?:[xX][0-9A-Fa-f]{0,4}|[0-9]{0,5})?)?")


def safe_cut(spec: CodecSpec, data: bytes) -> int:
    """Return how much of *data* can be decoded now without splitting a character,
    a webcode run or a character reference that the next chunk may complete."""
    cut = len(data)
    if spec.is_sjis:
        run = 0
        while run < cut and data[cut - run - 1] in codec._SJIS_LEADS:
            run += 1
        cut -= run % 2
    else:
        for back in range(1, min(4, cut) + 1):
            byte = data[cut - back]
            if byte & 0xC0 != 0x80:
                need = (
                    2 if byte >> 5 == 6 else 3 if byte >> 4 == 14 else 4 if byte >> 3 == 30 else 1
                )
                if need > back:
                    cut -= back
                break
    if spec.webcode:
        esc = data.rfind(b"\x1b")
        if esc != -1 and _WEBCODE_TAIL.fullmatch(data, esc):
            cut = min(cut, esc)
    if spec.ncr:
        amp = data.rfind(b"&", max(0, len(data) - 9))
        if amp != -1 and _NCR_TAIL.fullmatch(data, amp):
            cut = min(cut, amp)
    return cut


@lru_cache(maxsize=None)
def lookup(name: str) -> codecs.CodecInfo:
    """Return the :class:`codecs.CodecInfo` of a carrier codec (or alias)."""
    spec = spec_for(name)

    def pure_encode(text, errors="strict"):
        return codec.encode(spec, text, errors), len(text)

    def pure_decode(data, errors="strict"):
        return codec.decode(spec, data, errors), len(data)

    # With the accelerator, the registry calls C at once (same results, see _accel.py).
    entry = codec.accelerated(spec)
    encode = pure_encode if entry is None else entry.encode
    decode = pure_decode if entry is None else entry.decode

    class IncrementalEncoder(codecs.IncrementalEncoder):
        """Encodes text fed in pieces, each piece at once and whole: nothing is held back.

        :class:`io.TextIOWrapper` never calls ``encode(final=True)``, not at ``flush()``
        nor at ``close()``, so whatever an encoder kept for later would be lost. Each
        piece is therefore encoded as if it were the whole text: an emoji that arrives
        whole in one piece is exact, and one split between pieces gives the encoding of
        its parts ("1" then a lone U+FE0F U+20E3, dropped on Shift_JIS pages, see
        :func:`carrier_emoji.codec.encode`). Webcode escapes are closed in every piece.
        """

        fallback = "fit"

        def __init__(self, errors="strict", fallback=None):
            super().__init__(errors)
            if fallback is not None:
                self.fallback = fallback

        def encode(self, text, final=False):
            return codec.encode(spec, text, self.errors, self.fallback)

    class IncrementalDecoder(codecs.IncrementalDecoder):
        """Decodes bytes fed in chunks; a character or webcode run split by a chunk stays whole."""

        def __init__(self, errors="strict"):
            super().__init__(errors)
            self.pending = b""

        def decode(self, data, final=False):
            data = self.pending + bytes(data)
            cut = len(data) if final else safe_cut(spec, data)
            self.pending = data[cut:]
            return codec.decode(spec, data[:cut], self.errors)

        def reset(self):
            self.pending = b""

        def getstate(self):
            return self.pending, 0

        def setstate(self, state):
            self.pending = state[0]

    class StreamWriter(codecs.StreamWriter):
        """Writes text to a byte stream, each write encoded whole (as the incremental encoder)."""

        def encode(self, text, errors="strict"):
            return codec.encode(spec, text, errors), len(text)

    class StreamReader(codecs.StreamReader):
        """Reads internal text from a byte stream."""

        def decode(self, data, errors="strict"):
            # codecs.StreamReader.read() passes the held-back bytes alone once the stream
            # is exhausted: decode them then (a webcode run without SI, a final "&").
            final = data == self.bytebuffer
            cut = len(data) if final else safe_cut(spec, data)
            return codec.decode(spec, data[:cut], errors), cut

    return codecs.CodecInfo(
        name=spec.name,
        encode=encode,
        decode=decode,
        incrementalencoder=IncrementalEncoder,
        incrementaldecoder=IncrementalDecoder,
        streamwriter=StreamWriter,
        streamreader=StreamReader,
    )


def search(name: str) -> codecs.CodecInfo | None:
    """The search function registered with :mod:`codecs`: None for names that are not ours."""
    try:
        return lookup(name)
    except UnknownCodecError:
        return None
