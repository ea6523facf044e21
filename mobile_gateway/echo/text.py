"""The rules of an echo's body: cleaning, counting as the reader sees it, shortening, checking.

Bodies are internal-form text and are counted as the reader sees them: an emoji, even a
sequence of several code points, is one character. No Flask, no database here.
"""

from __future__ import annotations

import re
import unicodedata

import emoji

from ..phone.invisible import remove_invisible

__all__ = ["MAX_ECHO_CHARS", "check_body", "clean_body", "count_chars", "shorten"]

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


def count_chars(text: str) -> int:
    """Return the number of characters a reader sees in *text*.

    Every emoji the ``emoji`` package knows counts as one, whatever its length in code
    points (flags, keycaps, ZWJ sequences, skin tones, with or without U+FE0F). What is
    left is counted by code point, except that combining marks, variation selectors,
    skin tones and tags join the character before them, a ZWJ joins a pictograph to the
    character before it, and regional indicators pair up.
    """
    text = emoji.replace_emoji(text, replace=_EMOJI_PLACEHOLDER)
    count = 0
    joined = False  # the previous character was a ZWJ
    open_flag = False  # the previous character was an unpaired regional indicator
    for ch in text:
        if ch == _ZWJ:
            joined = count > 0
            count += count == 0
            continue
        if (joined and _is_pictographic(ch)) or (count > 0 and _extends(ch)):
            joined = False
            continue
        joined = False
        if _is_regional_indicator(ch):
            if open_flag:
                open_flag = False
                continue
            open_flag = True
        else:
            open_flag = False
        count += 1
    return count


#: Longest run of code points that can make one character (a ZWJ family with skin tones).
_LONGEST_CHARACTER = 40


def shorten(text: str, length: int, end: str = "…", leeway: int = 5) -> str:
    """Return *text* cut to *length* characters, *end* included, never inside a character.

    Like Jinja's ``truncate(length, True, end)`` (text up to *length* + *leeway*
    characters is left whole), but counted as :func:`count_chars` counts: a flag, a
    keycap or a ZWJ sequence is kept whole or left out, never split into parts.
    """
    if count_chars(text) <= length + leeway:
        return text
    keep = length - len(end)
    cut = 0
    for i in range(1, len(text) + 1):
        if count_chars(text[:i]) > keep:
            break
        # A boundary: the counts of both sides add up to the count of the whole.
        window = text[max(0, i - _LONGEST_CHARACTER) : i + _LONGEST_CHARACTER]
        at = min(i, _LONGEST_CHARACTER)
        if count_chars(window[:at]) + count_chars(window[at:]) == count_chars(window):
            cut = i
    return text[:cut] + end


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
