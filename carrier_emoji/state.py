"""The effective emoji table: the shipped rows, or the shipped rows merged with an operator layer.

Codecs read :func:`current_index` on every call, so :func:`install` takes effect at once
for every codec, stream and thread; an index is immutable once built.
"""

from __future__ import annotations

import threading

from ._index import EmojiIndex
from .row import EmojiRow

__all__ = ["current_index", "install", "merge", "shipped_rows"]

_lock = threading.Lock()
_index: EmojiIndex | None = None


def shipped_rows() -> tuple[EmojiRow, ...]:
    """Return the rows generated into the package (never edited at run time)."""
    from .table import ROWS

    return ROWS


def merge(base, layer) -> list[EmojiRow]:
    """Return *base* rows with *layer* rows replacing (same key) or adding to them."""
    by_key = {row.key: row for row in base}
    for row in layer:
        by_key[row.key] = row
    return list(by_key.values())


def current_index() -> EmojiIndex:
    """Return the index every codec uses now."""
    index = _index
    if index is None:
        with _lock:
            if _index is None:
                install(shipped_rows())
            index = _index
    return index


def install(rows, version: int = 0) -> EmojiIndex:
    """Build an index from *rows* and make every codec use it; return it.

    *rows* may also be an :class:`EmojiIndex` built before (a validated candidate);
    it is put in force as it is, with its own version.

    :raises carrier_emoji.TableError: when the rows are inconsistent (the current
        index then stays in force).
    """
    global _index
    index = rows if isinstance(rows, EmojiIndex) else EmojiIndex(rows, version)
    _index = index
    return index
