"""The codec registry: names and aliases, and the one search function given to :mod:`codecs`."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from . import codec
from .specs import ALIASES, SPECS, CodecSpec
from .state import current_index

__all__ = ["UnknownCodecError", "lookup", "normalize", "search", "spec_for"]


class UnknownCodecError(LookupError):
    """No carrier codec has that name."""


def normalize(name: str) -> str:
    """Normalize a codec name the way :mod:`codecs` does, with hyphens: ``X_SJIS_DoCoMo`` -> ``x-sjis-docomo``."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


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


def _held_back(text: str) -> int:
    """Return how many final characters of *text* may be the start of an emoji.

    The tail held back must start an element of the whole text (an emoji spelling or one
    character): in "🇯🇵" the final 🇵 completes a flag, in "🇯🇵🇺" the final 🇺 may start one.
    """
    index = current_index()
    sizes = [
        size
        for size in range(min(len(text), index.longest_key - 1), 0, -1)
        if text[-size:] in index.encode_prefixes
    ]
    if not sizes:
        return 0
    # Cut elements from just after a character that no emoji spelling holds.
    starts, inner = index.emoji_chars
    anchor = len(text) - sizes[0]
    while anchor and any(text[anchor - 1] in chars for chars in (starts, inner, _KEYCAP_BASES)):
        anchor -= 1
    element_starts = {match.start() for match in index.emoji_grammar.finditer(text, anchor)}
    return next((size for size in sizes if len(text) - size in element_starts), 0)


_KEYCAP_BASES = frozenset("#*0123456789")
#: A webcode escape at the very end of a piece's bytes.
_OPEN_WEBCODE = re.compile(rb"\x1b\$([GEFOPQ])[\x21-\x7a]+\x0f\Z")


@lru_cache(maxsize=None)
def lookup(name: str) -> codecs.CodecInfo:
    """Return the :class:`codecs.CodecInfo` of a carrier codec (or alias)."""
    spec = spec_for(name)

    def encode(text, errors="strict"):
        return codec.encode(spec, text, errors), len(text)

    def decode(data, errors="strict"):
        return codec.decode(spec, data, errors), len(data)

    class IncrementalEncoder(codecs.IncrementalEncoder):
        """Encodes text fed in pieces; an emoji split between pieces stays whole, and
        adjacent webcode emoji in two pieces share one escape, as in one piece."""

        fallback = "fit"

        def __init__(self, errors="strict", fallback=None):
            super().__init__(errors)
            self.pending = ""
            #: Webcode group whose escape the last piece left open (its SI not written).
            self.group = None
            if fallback is not None:
                self.fallback = fallback

        def encode(self, text, final=False):
            text = self.pending + text
            hold = 0 if final else _held_back(text)
            self.pending = text[len(text) - hold :] if hold else ""
            data = codec.encode(spec, text[: len(text) - hold], self.errors, self.fallback)
            return self._continue_webcode(data, final) if spec.output == "webcode" else data

        def _continue_webcode(self, data, final):
            """Continue the escape the last piece left open; leave this piece's last one open."""
            open_end = None if final else _OPEN_WEBCODE.search(data)
            if self.group is not None and data:
                escape = b"\x1b$" + self.group
                data = data[len(escape) :] if data.startswith(escape) else b"\x0f" + data
                self.group = None
            if final:
                data += b"\x0f" if self.group is not None else b""
                self.group = None
            elif open_end:
                self.group = open_end.group(1)
                data = data[:-1]
            return data

        def reset(self):
            self.pending = ""
            self.group = None

        def getstate(self):
            return (self.pending, self.group) if self.pending or self.group else 0

        def setstate(self, state):
            self.pending, self.group = state or ("", None)

    class IncrementalDecoder(codecs.IncrementalDecoder):
        """Decodes bytes fed in chunks; a character or webcode run split between chunks stays whole."""

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
        """Writes text to a byte stream through the incremental encoder, each write whole."""

        def __init__(self, stream, errors="strict"):
            super().__init__(stream, errors)
            self._encoder = IncrementalEncoder(errors)

        def encode(self, text, errors="strict"):
            # Each write is flushed whole: codecs.open() closes the stream without calling
            # reset(), so a held-back tail ("1" before a keycap) would be lost.
            return self._encoder.encode(text, final=True), len(text)

        def reset(self):
            self.stream.write(self._encoder.encode("", final=True))
            self._encoder.reset()

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
