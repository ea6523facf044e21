"""The rules of an echo's body: cleaning, counting as the reader sees it, shortening, checking.

Bodies are internal-form text and are counted as the reader sees them: an emoji, even a
sequence of several code points, is one character. No Flask, no database here.
"""

from __future__ import annotations

import re
import unicodedata

import emoji
from emoji import EmojiMatch
from emoji.tokenizer import tokenize

from ..phone.invisible import remove_invisible

__all__ = [
    "MAX_ECHO_CHARS",
    "characters",
    "check_body",
    "clean_body",
    "count_chars",
    "shorten",
]

#: Longest echo, in characters as the reader sees them (an emoji counts as one).
MAX_ECHO_CHARS = 150
#: Bodies longer than this in code points are refused before counting (no emoji is longer).
MAX_BODY_CODE_POINTS = MAX_ECHO_CHARS * 16

_EMPTY_MESSAGE = "本文を入力してください"
_TOO_LONG_MESSAGE = f"{MAX_ECHO_CHARS}文字以内で入力してください"

#: Line breaks, each folded to one space: CRLF, LF, CR, VT, FF, NEL, LS, PS.
_LINE_BREAK_RE = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_ZWJ = "\u200d"
#: Stands for one whole emoji while counting.
_EMOJI_PLACEHOLDER = "\ufffc"


def clean_body(text: str) -> str:
    """Fold line breaks and tabs to spaces, remove invisible characters, strip the ends.

    Invisible: controls, bidi controls and zero-width characters (a ZWJ inside an emoji
    stays), see :mod:`..phone.invisible`.
    """
    text = _LINE_BREAK_RE.sub(" ", text).replace("\t", " ")
    return remove_invisible(text).strip()


def _extends(ch: str) -> bool:
    """Return whether *ch* belongs to the character before it (marks, selectors, tags)."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0x1F3FB <= code <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters of subdivision flags
    )


def _is_pictographic(ch: str) -> bool:
    """Return whether *ch* can follow a ZWJ inside one emoji (a pictograph)."""
    return ch == _EMOJI_PLACEHOLDER or emoji.is_emoji(ch) or unicodedata.category(ch) == "So"


def _is_regional_indicator(ch: str) -> bool:
    """Return whether *ch* is one half of a flag."""
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def characters(text: str) -> list[str]:
    """Return *text* cut into the characters a reader sees, in order.

    Every emoji the ``emoji`` package knows is one character, whatever its length in code
    points (flags, keycaps, ZWJ sequences, skin tones, with or without U+FE0F); its
    tokenizer reads the text once, as ``emoji.replace_emoji`` does. What is left is one
    character per code point, except that combining marks, variation selectors, skin tones
    and tags join the character before them, a ZWJ joins a pictograph to the character
    before it, and regional indicators pair up. The code points the tokenizer passes over
    (a stray U+FE0E or U+FE0F, the ZWJ between emoji that make no sequence) count as
    nothing and stay with a neighbour, so the characters join back to *text* (a text of
    nothing else has no characters).
    """
    units: list[str] = []
    pending = ""  # passed-over code points before the first character
    joined = False  # the previous code point was a ZWJ
    open_flag = False  # the previous character was an unpaired regional indicator
    position = 0
    for token in tokenize(text, keep_zwj=False):
        piece = token.chars
        if isinstance(token.value, EmojiMatch):
            start, ch = token.value.start, _EMOJI_PLACEHOLDER
        else:
            start, ch = text.index(piece, position), piece
        if start > position:  # passed over by the tokenizer
            if units:
                units[-1] += text[position:start]
            else:
                pending += text[position:start]
        position = start + len(piece)
        if ch == _ZWJ and units:
            joined = True
            units[-1] += piece
            continue
        if ch != _ZWJ and ((joined and _is_pictographic(ch)) or (units and _extends(ch))):
            joined = False
            units[-1] += piece
            continue
        joined = False
        if _is_regional_indicator(ch):
            if open_flag:
                open_flag = False
                units[-1] += piece
                continue
            open_flag = True
        else:
            open_flag = False
        units.append(pending + piece)
        pending = ""
    if units:
        units[-1] += text[position:]
    return units


def count_chars(text: str) -> int:
    """Return the number of characters a reader sees in *text* (see :func:`characters`)."""
    return len(characters(text))


def shorten(text: str, length: int, end: str = "…", leeway: int = 5) -> str:
    """Return *text* cut to *length* characters, *end* included, never inside a character.

    Like Jinja's ``truncate(length, True, end)`` (text up to *length* + *leeway*
    characters is left whole), but counted as :func:`count_chars` counts: a flag, a
    keycap or a ZWJ sequence is kept whole or left out, never split into parts. The text
    is read once, whatever its length.
    """
    units = characters(text)
    if len(units) <= length + leeway:
        return text
    return "".join(units[: max(0, length - len(end))]) + end


def _has_visible(text: str) -> bool:
    """Return whether *text* has anything besides spaces, marks and format characters."""
    return any(
        unicodedata.category(ch) not in ("Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me") for ch in text
    )


def check_body(text: str) -> str | None:
    """Return an error message for an unacceptable echo body, else None.

    The body is judged as it would be stored, after :func:`clean_body`.
    """
    if not isinstance(text, str):
        return _EMPTY_MESSAGE
    body = clean_body(text)
    if not _has_visible(body):
        return _EMPTY_MESSAGE
    if len(body) > MAX_BODY_CODE_POINTS or count_chars(body) > MAX_ECHO_CHARS:
        return _TOO_LONG_MESSAGE
    return None
