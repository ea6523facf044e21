"""Keyset pagination of echo lists: opaque cursors and pages that do not shift.

Lists page by the key ``(created_at, id)`` with opaque cursors, never by OFFSET, so a page
does not shift when new echoes arrive. A list is a :class:`Source`: a kind of list
(:class:`ListKind`: how its echo ids are read in key order) and the values that pick one
list of that kind (whose timeline, whose echoes). :func:`paginate` reads one page of it
as :mod:`.cards`.

Pages are on every request's path, so their statements are built once per kind,
direction and strategy (SQLAlchemy Core with bind parameters, kept in a cache) and run on
the session's connection: no statement is built and no ORM object loaded per request.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from ..storage.models import Echo, Mention, UTCDateTime
from . import cards
from .cards import EchoCard
from .errors import InvalidCursor

__all__ = [
    "MAX_PAGE_SIZE",
    "Cursor",
    "ListKind",
    "Page",
    "Source",
    "decode_cursor",
    "encode_cursor",
    "paginate",
    "with_related",
]

#: Largest page a caller may ask for.
MAX_PAGE_SIZE = 100
#: Index entries a walk of the global time index may read per row asked for (quiet
#: friends make it stop short: see :mod:`.lists`).
WALK_SCAN_PER_ROW = 100

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
_CURSOR_TEXT_RE = re.compile(r"[A-Za-z0-9_-]{4,64}", re.ASCII)
_CURSOR_PAYLOAD_RE = re.compile(r"([ab])([0-9]{1,17})\.([0-9]{1,19})", re.ASCII)
_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    """A position in a list: echoes ``"before"`` (older) or ``"after"`` (newer) a key."""

    direction: str
    created_at: datetime
    id: int


def encode_cursor(cursor: Cursor) -> str:
    """Return *cursor* as a short opaque URL-safe string."""
    micros = (cursor.created_at - _EPOCH) // _MICROSECOND
    payload = f"{cursor.direction[0]}{micros}.{cursor.id}".encode("ascii")
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


def decode_cursor(text: str) -> Cursor:
    """Return the cursor *text* stands for, or raise :class:`InvalidCursor`."""
    error = InvalidCursor("ページの指定が正しくありません。最初のページからやり直してください")
    if not isinstance(text, str) or not _CURSOR_TEXT_RE.fullmatch(text):
        raise error
    try:
        payload = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise error from None
    match = _CURSOR_PAYLOAD_RE.fullmatch(payload)
    if match is None:
        raise error
    direction = "before" if match[1] == "b" else "after"
    try:
        created_at = _EPOCH + int(match[2]) * _MICROSECOND
    except OverflowError:
        raise error from None
    ident = int(match[3])
    if ident > _MAX_ID:
        raise error
    return Cursor(direction, created_at, ident)


@dataclass(frozen=True)
class Page:
    """One page of echoes, newest first, with cursors to the neighbouring pages."""

    items: list[EchoCard]
    #: Cursor of the next page (older echoes), or None on the last page.
    next_cursor: str | None = None
    #: Cursor of the previous page (newer echoes), or None on the first page.
    prev_cursor: str | None = None


# --- Queries ------------------------------------------------------------------------


def with_related(stmt: sa.Select) -> sa.Select:
    """Load each echo's author and the echo it answers (with its author) in one query.

    The users each echo names (for its ``@name`` links) come in one more query for the
    whole list, never one per echo. For one echo read as an ORM object (lists read
    :mod:`.cards`).
    """
    return stmt.options(
        joinedload(Echo.author),
        joinedload(Echo.reply_to).joinedload(Echo.author),
        selectinload(Echo.mentions).joinedload(Mention.user),
    )


#: The pagination key of an echo: (created_at, id).
ECHO_KEY = (Echo.created_at, Echo.id)
#: Where a statement starts reading: the first page, or strictly before/after a key; and
#: the probes "anything at or after / at or before the key" (for the other page's cursor).
POSITIONS = ("first", "before", "after", "at_or_after", "at_or_before")


def _check_limit(limit: int) -> int:
    """Return *limit* if it is a usable page size."""
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive int, not {limit!r}")
    return min(limit, MAX_PAGE_SIZE)


def key_condition(key: tuple, position: str) -> sa.ColumnElement[bool]:
    """Return the condition on the key columns *key* for *position* (bind ``at`` and ``id``)."""
    if position == "first":
        return sa.true()
    bound = sa.tuple_(
        sa.bindparam("at", type_=UTCDateTime()), sa.bindparam("id", type_=sa.BigInteger())
    )
    row = sa.tuple_(*key)
    return {
        "before": row < bound,
        "after": row > bound,
        "at_or_after": row >= bound,
        "at_or_before": row <= bound,
    }[position]


def newest_first(position: str) -> bool:
    """Return whether *position* reads newest first (the pages after a key read oldest first)."""
    return position in ("first", "before", "at_or_before")


def order(key: tuple, position: str) -> tuple:
    """Return the ORDER BY terms of *key* for *position*."""
    if newest_first(position):
        return tuple(column.desc() for column in key)
    return tuple(column.asc() for column in key)


@dataclass(frozen=True, eq=False)
class ListKind:
    """One kind of list: how its echo ids are read in key order, for each strategy.

    ``ids[strategy](position, dialect)`` returns a SELECT of echo ids in key order with a
    ``LIMIT :limit``, filtered by *position* (see :func:`key_condition`) and by the bind
    parameters of the list (``:user_id``, ``:echo_id``...). It is called once per
    strategy, position and dialect; the statements are kept.
    """

    name: str
    ids: dict[str, Callable[[str, str], sa.Select]]

    def statement(self, strategy: str, position: str, dialect: str, probe: bool) -> sa.Select:
        """Return the kept statement: the page's cards, or (*probe*) only its first id."""
        return _statement(self, strategy, position, dialect, probe)


@lru_cache(maxsize=None)
def _statement(kind: ListKind, strategy: str, position: str, dialect: str, probe: bool):
    ids = kind.ids[strategy](position, dialect)
    if probe:
        return ids
    return cards.page_statement(ids, newest_first(position))


@dataclass(frozen=True)
class Source:
    """One list: its kind, the values that pick it, and how to read it.

    :param choose: ``choose(session)`` returns the strategies to try, in order: a
        strategy that may stop short (a bounded walk, see :mod:`.lists`) is followed
        by one that never does, used when the first gave fewer rows than asked.
    """

    kind: ListKind
    params: dict
    choose: Callable[[Session], tuple[str, ...]] = lambda session: ("",)

    def _rows(self, session: Session, position: str, limit: int, values: dict, probe: bool):
        connection = session.connection()
        dialect = connection.dialect.name
        # "scan": how far a walk of the global index may read (see :mod:`.lists`).
        params = {**self.params, **values, "limit": limit, "scan": limit * WALK_SCAN_PER_ROW}
        strategies = self.choose(session)
        for number, strategy in enumerate(strategies):
            statement = self.kind.statement(strategy, position, dialect, probe)
            if probe:
                rows = connection.execute(statement, params).all()
            else:
                rows = cards.load(connection, statement, params)
            if len(rows) >= limit or number == len(strategies) - 1:
                return rows
        raise AssertionError("no strategy")

    def fetch(self, session: Session, position: str, limit: int, values: dict) -> list[EchoCard]:
        """Return up to *limit* cards from *position*, in the position's order."""
        return self._rows(session, position, limit, values, probe=False)

    def exists(self, session: Session, position: str, values: dict) -> bool:
        """Return whether any echo of the list is at *position* (a probe reads one id)."""
        return bool(self._rows(session, position, 1, values, probe=True))


def paginate(session: Session, source: Source, cursor: str | None, limit: int) -> Page:
    """Return one page of *source* at *cursor*, newest first.

    An empty page (every echo deleted, or a cursor from outside the list) has no cursors;
    callers link to the first page instead.
    """
    limit = _check_limit(limit)
    position = None if cursor is None else decode_cursor(cursor)
    if position is None:
        rows = source.fetch(session, "first", limit + 1, {})
        items, has_older, has_newer = rows[:limit], len(rows) > limit, False
    else:
        bound = {"at": position.created_at, "id": position.id}
        if position.direction == "before":
            rows = source.fetch(session, "before", limit + 1, bound)
            items, has_older = rows[:limit], len(rows) > limit
            # The echo the cursor was made from (unless deleted) and anything newer.
            has_newer = source.exists(session, "at_or_after", bound)
        else:
            rows = source.fetch(session, "after", limit + 1, bound)
            items, has_newer = rows[:limit][::-1], len(rows) > limit
            has_older = source.exists(session, "at_or_before", bound)
    if not items:
        return Page(items=[])
    newest, oldest = items[0], items[-1]
    return Page(
        items=items,
        next_cursor=(
            encode_cursor(Cursor("before", oldest.created_at, oldest.id)) if has_older else None
        ),
        prev_cursor=(
            encode_cursor(Cursor("after", newest.created_at, newest.id)) if has_newer else None
        ),
    )
