"""Characters no stored text keeps: controls, bidi controls, zero-width characters.

What users type reaches pages of other users; characters that show nothing yet change
what is around them are removed from every text that is stored and shown (echo bodies,
display names) and refused in names operators give emoji:

- C0 and C1 controls, DEL, and lone surrogates;
- bidi embeddings, overrides, isolates and marks (U+061C, U+200E-U+200F, U+202A-U+202E,
  U+2066-U+2069): they can reorder the rest of a page;
- zero-width characters (U+200B ZERO WIDTH SPACE, U+200C ZWNJ, U+200D ZWJ, U+2060 WORD
  JOINER, U+FEFF ZERO WIDTH NO-BREAK SPACE): they hide text inside names and links and
  make two different texts look the same. The ZWJ that joins an emoji sequence
  (👨‍👩‍👧, 🏳️‍🌈) is part of that emoji and stays.

No Flask here.
"""

from __future__ import annotations

import emoji

__all__ = ["INVISIBLE", "ZERO_WIDTH", "has_invisible", "remove_invisible"]

#: Zero-width characters.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_ZWJ = "\u200d"
#: Code points removed (``str.translate`` table): controls, bidi controls, zero-width
#: characters but the ZWJ (kept inside emoji, see :func:`remove_invisible`), surrogates.
_REMOVED = dict.fromkeys(
    [
        *range(0x00, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        0x061C,
        0x200B,
        0x200C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        0x2060,
        *range(0x2066, 0x206A),
        0xFEFF,
        *range(0xD800, 0xE000),
    ]
)
#: Every invisible character, the ZWJ included.
INVISIBLE = frozenset(map(chr, _REMOVED)) | {_ZWJ}


def remove_invisible(text: str) -> str:
    """Return *text* without its invisible characters; a ZWJ inside an emoji stays."""
    text = text.translate(_REMOVED)
    if _ZWJ not in text:
        return text
    keep = [False] * len(text)
    for found in emoji.emoji_list(text):
        for position in range(found["match_start"], found["match_end"]):
            keep[position] = True
    return "".join(ch for ch, kept in zip(text, keep) if ch != _ZWJ or kept)


def has_invisible(text: str) -> bool:
    """Return whether *text* holds any invisible character (a ZWJ counts, even in emoji)."""
    return not INVISIBLE.isdisjoint(text)
