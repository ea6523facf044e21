"""Stateless decode and encode of one codec, and the incremental and stream classes.

The base charset (CP932 or UTF-8) does the bulk of the work at C speed; emoji are found
afterwards (decoding) or beforehand (encoding) and swapped through the table's lookups.
Text without emoji takes a fast path: the base codec plus a few byte probes.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from . import _accel, notations
from ._index import GETA, EmojiIndex
from .specs import FALLBACKS, CodecSpec
from .state import current_index

__all__ = ["accelerated", "decode", "decode_pure", "encode", "encode_pure"]

#: UTF-8 bytes that start every character a decoder must look at: carrier private use
#: (U+E000-U+F0FF) and private-use planes 15 and 16.
_UTF8_DECODE_PROBES = (b"\xee", b"\xf3", b"\xf4")
#: au's "web" code points reach U+F0FC (EF 80-83): emoji for au, forged input for the others.
#: One search, as four two-byte ``in`` tests are slow on text full of EF-led full-width forms.
_KDDI_WEB_UTF8 = re.compile(rb"\xef[\x80-\x83]")
#: Single bytes CP932 reads as private use (U+F8F1-U+F8F3), except A0 (U+F8F0), which is
#: also a trail byte; the user-defined area (F040-F9FC) gives U+E000-U+E757 (EE in UTF-8).
_SJIS_LONE_PUA_BYTES = (b"\xfd", b"\xfe", b"\xff")
_WEBCODE_RUN = re.compile(r"\x1b\$([GEFOPQ])([\x21-\x7a]*)\x0f?")
_SJIS_LEADS = frozenset(range(0x81, 0xA0)) | frozenset(range(0xE0, 0xFD))
#: A lookahead for the trail byte: the trail of one match (FB FB) may be the next lead.
_SOFTBANK_FB = re.compile(rb"[\xf5\xfb](?=[\x40-\x7e\x80-\xfc])")


def _is_char_start(data: bytes, pos: int) -> bool:
    """Tell whether *pos* starts a character of Shift_JIS *data*.

    A byte outside the lead-byte set always ends a character, and after it lead-set
    bytes pair up (lead, trail): *pos* is a start when an even number of them precede it.
    """
    run = 0
    while pos - run > 0 and data[pos - run - 1] in _SJIS_LEADS:
        run += 1
    return run % 2 == 0


def _substitute_softbank_fb(data: bytes) -> bytes:
    """Move SoftBank's FB-row emoji into CP932's user-defined area (lead F5).

    CP932 reads FB41-FBDE as IBM extension kanji, so the base decoder would lose them.
    Byte for byte, so offsets do not move; a genuine F5 lead (no SoftBank emoji) is
    moved to F0 (user-defined too, no SoftBank emoji) so that it cannot pose as one and
    stays one invalid two-byte character.
    """
    out = None
    for match in _SOFTBANK_FB.finditer(data):
        pos = match.start()
        lead, trail = data[pos], data[pos + 1]
        if lead == 0xFB and not 0x41 <= trail <= 0xDE:
            continue
        if not _is_char_start(data, pos):
            continue
        if out is None:
            out = bytearray(data)
        out[pos] = 0xF5 if lead == 0xFB else 0xF0
    return data if out is None else bytes(out)


def _byte_offset(spec: CodecSpec, text: str, index: int) -> int:
    """Return the byte offset in the input of character *index* of decoded *text*."""
    return len(text[:index].encode(spec.base, "replace"))


def decode(spec: CodecSpec, data, errors: str = "strict", index: EmojiIndex | None = None) -> str:
    """Decode carrier bytes into internal text (with *index*, default the current one)."""
    if _accel.speedups is not None:
        text = _accel.decode(index or current_index(), spec, data)
        if text is not None:
            return text
    return decode_pure(spec, data, errors, index)


def decode_pure(spec: CodecSpec, data, errors: str = "strict", index=None) -> str:
    """Decode as :func:`decode` does, without the accelerator."""
    data = bytes(data)
    if spec.is_sjis:
        source = data
        if spec.carrier == "softbank" and (b"\xfb" in data or b"\xf5" in data):
            source = _substitute_softbank_fb(data)
        try:
            text = source.decode("cp932", errors)
        except UnicodeDecodeError as exc:
            raise UnicodeDecodeError(spec.name, data, exc.start, exc.end, exc.reason) from None
        special = (
            b"\xee" in text.encode("utf-8", "surrogatepass")
            or "\uf8f0" in text  # from the byte A0, which is also a trail byte
            or any(p in source for p in _SJIS_LONE_PUA_BYTES)
        )
    else:
        special = any(p in data for p in _UTF8_DECODE_PROBES) or bool(_KDDI_WEB_UTF8.search(data))
        try:
            text = data.decode("utf-8", errors)
        except UnicodeDecodeError as exc:
            raise UnicodeDecodeError(spec.name, data, exc.start, exc.end, exc.reason) from None
    if not special and not (spec.webcode and b"\x1b" in data) and not (spec.ncr and b"&" in data):
        return text
    return _translate(spec, index or current_index(), data, text, errors)


def _translate(spec: CodecSpec, index: EmojiIndex, data: bytes, text: str, errors: str) -> str:
    """Swap the carrier characters of base-decoded *text* for internal text."""
    pattern = index.decode_pattern(spec, webcode=b"\x1b" in data, ncr=b"&" in data)
    parts = pattern.split(text)
    if len(parts) == 1:
        return text
    tokens = parts[1::2]
    values = list(map(index.decode_map(spec).get, tokens))
    if None in values:
        offset = 0
        for i, token in enumerate(tokens):
            offset += len(parts[2 * i])
            if values[i] is None:
                values[i] = _decode_token(spec, index, token)
                if values[i] is None:
                    start = _byte_offset(spec, text, offset)
                    end = start + len(token.encode(spec.base, "replace"))
                    values[i] = _decode_error(spec, data, start, end, token, errors)
            offset += len(token)
    parts[1::2] = values
    return "".join(parts)


def _decode_token(spec: CodecSpec, index: EmojiIndex, token: str) -> str | None:
    """Decode a webcode run or a character reference; None when it is not valid."""
    if token.startswith("&#"):
        if token[2] in "xX":
            return index.docomo_by_pua.get(int(token[3:-1], 16), token)
        row = index.by_code["docomo"].get(int(token[2:-1]))
        return row.key if row else token
    match = _WEBCODE_RUN.fullmatch(token)
    if not match or not match.group(2):
        return None
    page = notations.WEBCODE_GROUPS[ord(match.group(1))] << 8
    keys = [index.softbank_by_pua.get(page | ord(c) - 0x20) for c in match.group(2)]
    return None if None in keys else "".join(keys)


def _decode_error(spec, data, start, end, token, errors) -> str:
    """Apply the *errors* handler to an invalid carrier character."""
    if token.startswith("\x1b"):
        reason = "invalid SoftBank webcode"
    elif len(token) == 1 and ord(token) >= notations.CARRIER_ONLY_BASE:
        reason = f"reserved code point U+{ord(token):X} (internal carrier-only emoji)"
    elif spec.is_sjis:
        reason = f"Shift_JIS {data[start:end].hex().upper()} is no {spec.carrier} emoji"
    else:
        reason = (
            f"private-use character U+{ord(token[0]):04X} is no {spec.carrier or 'known'} emoji"
        )
    exc = UnicodeDecodeError(spec.name, data, start, end, reason)
    if errors == "strict":
        raise exc
    replacement, _ = codecs.lookup_error(errors)(exc)
    return replacement


def encode(
    spec: CodecSpec,
    text: str,
    errors: str = "strict",
    fallback: str = "fit",
    index: EmojiIndex | None = None,
    html: bool = False,
) -> bytes:
    """Encode internal text into carrier bytes (with *index*, default the current one).

    :param fallback: what to write for an emoji the carrier lacks, one of
        :data:`~carrier_emoji.specs.FALLBACKS`.
    :param html: *text* is HTML: text written for an emoji (``[name]``, a fit) is escaped.
    """
    if fallback not in FALLBACKS:
        raise ValueError(f"unknown emoji fallback {fallback!r}; use one of {FALLBACKS}")
    index = index or current_index()
    html = bool(html)
    if _accel.speedups is not None:
        out = _accel.encode(
            index, spec, fallback, text, lambda: _run_resolver(spec, index, fallback, html), html
        )
        if out is not None:
            return out
    return encode_pure(spec, text, errors, fallback, index, html)


def encode_pure(
    spec: CodecSpec, text: str, errors="strict", fallback="fit", index=None, html=False
) -> bytes:
    """Encode as :func:`encode` does, without the accelerator."""
    if fallback not in FALLBACKS:
        raise ValueError(f"unknown emoji fallback {fallback!r}; use one of {FALLBACKS}")
    index = index or current_index()
    pattern = index.encode_pattern(spec)
    # Fast path: no emoji and no private use. Every emoji spelling holds a character
    # CP932 lacks, so a strict CP932 encode that succeeds needs only a private-use probe:
    # of private use CP932 takes U+E000-U+E757 (EE in UTF-8) and U+F8F0-U+F8F3 (the
    # single bytes A0, FD-FF). UTF-8 output is probed for emoji lead bytes, then searched.
    try:
        out = text.encode(spec.base)
    except UnicodeEncodeError:
        pass
    else:
        if spec.is_sjis:
            if (
                b"\xee" not in text.encode("utf-8")
                and "\uf8f0" not in text  # written as A0, which is also a trail byte
                and not any(p in out for p in _SJIS_LONE_PUA_BYTES)
            ):
                return out
        elif not any(p in out for p in index.utf8_probes(spec)):
            if not _KDDI_WEB_UTF8.search(out):
                return out
        elif not pattern.search(text):
            return out
    parts = pattern.split(text)
    tokens = parts[1::2]
    values = list(map(index.encode_map(spec, fallback, html).get, tokens))
    if None in values:
        _resolve_encode(spec, index, parts, values, errors, fallback, html)
        tokens = parts[1::2]  # a keycap took its base character ("1") out of the text
    if spec.output == "webcode":
        _merge_webcodes(parts, values)
    parts[1::2] = values
    if not any(isinstance(v, bytes) for v in values):
        joined = "".join(parts)
        try:
            return joined.encode(spec.base, errors)
        except UnicodeEncodeError:
            pass  # report the position in *text*, below
    out = []
    position = 0
    for i, part in enumerate(parts):
        if isinstance(part, bytes):
            out.append(part)
        else:
            try:
                out.append(part.encode(spec.base, errors))
            except UnicodeEncodeError as exc:
                start, end = position + exc.start, position + exc.end
                raise UnicodeEncodeError(spec.name, text, start, end, exc.reason) from None
        position += len(tokens[i // 2]) if i % 2 else len(part)
    return b"".join(out)


_KEYCAP_BASES = frozenset("#*0123456789")


def _resolve_encode(spec, index, parts, values, errors, fallback, html=False) -> None:
    """Fill in the runs the encode map does not list, or apply *errors* to them.

    A run may be a keycap whose base character (``1``) was left in the text before it,
    several emoji side by side, an emoji the table does not list, a stray variation
    selector, or private use that is not internal text.
    """
    emap = index.encode_map(spec, fallback, html)
    text = "".join(parts)
    position = 0
    for i, value in enumerate(values):
        position += len(parts[2 * i])
        token = parts[2 * i + 1]
        if value is None:
            before = parts[2 * i]
            if token[0] in "\ufe0f\u20e3" and before and before[-1] in _KEYCAP_BASES:
                parts[2 * i] = before[:-1]
                token = before[-1] + token
                parts[2 * i + 1] = token
                position -= 1
            pieces = []
            offset = position
            for piece in index.emoji_grammar.findall(token):
                value = _encode_piece(
                    spec, index, emap, piece, fallback, errors, text, offset, html
                )
                pieces.append((offset, value))
                offset += len(piece)
            if all(isinstance(p, str) for _, p in pieces):
                values[i] = "".join(p for _, p in pieces)
            else:
                values[i] = b"".join(_encode_text(spec, p, errors, text, at) for at, p in pieces)
        position += len(token)


def accelerated(spec: CodecSpec):
    """Return the C functions of *spec* for the codecs registry (``decode`` and ``encode``
    as :class:`codecs.CodecInfo` wants them), or None without the accelerator: they run
    the plans of the index in force, and this module's pure path when those decline."""

    def plans(index):
        index = index or current_index()
        encoder = _accel.encode_plan(index, spec, "fit", lambda: _run_resolver(spec, index, "fit"))
        return index, _accel.decode_plan(index, spec), encoder

    return _accel.codec_entry(
        plans,
        lambda data, errors: decode_pure(spec, data, errors),
        lambda text, errors: encode_pure(spec, text, errors),
    )


def _run_resolver(spec: CodecSpec, index: EmojiIndex, fallback: str, html: bool = False):
    """Return the accelerator's ``resolve(run)``: the output of a run the encode map does
    not list, as :func:`_resolve_encode` writes it under errors="strict" (it raises when
    that would be an error: the accelerator then leaves the whole text to the pure path)."""
    emap = index.encode_map(spec, fallback, html)

    @lru_cache(maxsize=1024)
    def resolve(run: str) -> str | bytes:
        pieces = [
            _encode_piece(spec, index, emap, piece, fallback, "strict", run, 0, html)
            for piece in index.emoji_grammar.findall(run)
        ]
        if all(isinstance(p, str) for p in pieces):
            value = "".join(pieces)
            return notations.merge_webcode_escapes(value) if spec.output == "webcode" else value
        return b"".join(_encode_text(spec, p, "strict", run, 0) for p in pieces)

    return resolve


def _encode_text(spec, value, errors, text, position) -> bytes:
    """Encode one piece's output; a base-charset error names its position in *text*."""
    if isinstance(value, bytes):
        return value
    try:
        return value.encode(spec.base, errors)
    except UnicodeEncodeError as exc:
        start, end = position + exc.start, position + exc.end
        raise UnicodeEncodeError(spec.name, text, start, end, exc.reason) from None


#: Characters that only join or restyle the emoji around them (variation selectors,
#: ZWJ, the keycap mark): alone, a Shift_JIS page drops them; UTF-8 keeps them.
#: A lone U+20E3 is what is left of a keycap split between two writes.
_EMOJI_GLUE = ("\ufe0e", "\ufe0f", "\u200d", "\u20e3")


def _is_regional_indicator(piece: str) -> bool:
    """Tell whether *piece* is one regional indicator (half a flag)."""
    return len(piece) == 1 and 0x1F1E6 <= ord(piece) <= 0x1F1FF


def _regional_letter(piece: str) -> str:
    """Return the capital letter a regional indicator stands for."""
    return chr(ord(piece) - 0x1F1E6 + ord("A"))


def _encode_piece(spec, index, emap, piece, fallback, errors, text, position, html=False):
    """Return the output of one emoji spelling or one character of an unresolved run."""
    value = emap.get(piece)
    if value is not None:
        return value
    if piece in emap:
        reason = f"{spec.carrier} has no emoji {piece!r} (fallback 'strict')"
    elif piece in _EMOJI_GLUE:
        return "" if spec.is_sjis else piece
    elif spec.is_sjis and _is_regional_indicator(piece):
        # Half a flag (a flag split between two writes): its letter, as text.
        value = _regional_letter(piece) if fallback in ("fit", "text") else None
        if value is None and fallback == "geta":
            value = GETA
        reason = f"{piece!r} is half a flag (fallback {fallback!r})"
    elif piece in index.all_spellings:
        value = index.fallback_for_unlisted(spec, piece, fallback, html)
        reason = f"{spec.carrier or 'Unicode'} has no emoji {piece!r} (fallback 'strict')"
    elif index.is_carrier_only(piece) or not piece.isprintable():
        reason = f"U+{ord(piece[0]):04X} is not internal text (unknown private use)"
    else:
        return piece  # text (``♀``, ``1``): the base encoder takes it or applies *errors*
    if value is None:
        exc = UnicodeEncodeError(spec.name, text, position, position + len(piece), reason)
        if errors == "strict":
            raise exc
        value, _ = codecs.lookup_error(errors)(exc)
    return value


def _merge_webcodes(parts, values) -> None:
    """Share one escape between adjacent emoji of the same webcode group.

    A value may hold several escapes (emoji side by side in one run), so values with no
    text between them are joined first, then the escapes are merged inside each value.
    """
    first = None
    for i, value in enumerate(values):
        if first is not None and not parts[2 * i] and isinstance(value, str):
            values[first] += value
            values[i] = ""
        else:
            first = i if isinstance(value, str) else None
    for i, value in enumerate(values):
        if isinstance(value, str) and "\x1b" in value:
            values[i] = notations.merge_webcode_escapes(value)
