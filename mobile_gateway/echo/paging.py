"""Keyset pagination of echo lists: opaque cursors and pages that do not shift.

Lists page by the key ``(created_at, id)`` with opaque cursors, never by OFFSET, so a page
does not shift when new echoes arrive. A list is a :class:`Source`: a filtered SELECT of
echoes (and, for timelines, of their authors); :func:`paginate` reads one page of it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from ..storage.models import Echo, Mention, UTCDateTime
from .errors import InvalidCursor

__all__ = [
    "MAX_PAGE_SIZE",
    "Cursor",
    "Page",
    "Source",
    "decode_cursor",
    "encode_cursor",
    "paginate",
    "with_related",
]

#: Largest page a caller may ask for.
MAX_PAGE_SIZE = 100

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

    items: list[Echo]
    #: Cursor of the next page (older echoes), or None on the last page.
    next_cursor: str | None = None
    #: Cursor of the previous page (newer echoes), or None on the first page.
    prev_cursor: str | None = None


# --- Queries ------------------------------------------------------------------------


def with_related(stmt: sa.Select) -> sa.Select:
    """Load each echo's author and the echo it answers (with its author) in one query.

    The users each echo names (for its ``@name`` links) come in one more query for the
    whole list, never one per echo.
    """
    return stmt.options(
        joinedload(Echo.author),
        joinedload(Echo.reply_to).joinedload(Echo.author),
        selectinload(Echo.mentions).joinedload(Mention.user),
    )


#: The pagination key of an echo: (created_at, id).
ECHO_KEY = (Echo.created_at, Echo.id)


def _key_of(created_at: datetime, ident: int) -> sa.Tuple:
    """Return a bound row value to compare the pagination key with."""
    return sa.tuple_(sa.literal(created_at, UTCDateTime()), sa.literal(ident, sa.BigInteger()))


def _check_limit(limit: int) -> int:
    """Return *limit* if it is a usable page size."""
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive int, not {limit!r}")
    return min(limit, MAX_PAGE_SIZE)


@dataclass(frozen=True)
class Source:
    """The echoes one list shows: a filtered SELECT, plus its authors for timelines."""

    #: ``SELECT echoes ...`` with the list's filters.
    base: sa.Select
    #: For timelines: a SELECT of the authors' ids (column ``id``). On PostgreSQL these
    #: lists are read per author through the (author_id, created_at, id) index, so a page
    #: costs about (authors x page size) index entries however quiet the friends are.
    authors: sa.Select | None = None
    #: Columns equal to the echo's (created_at, id) to order and compare by: another
    #: table's copy of them when its index gives the list's order (mentions).
    key: tuple = ECHO_KEY

    def key_value(self) -> sa.Tuple:
        """Return the pagination key as a row value."""
        return sa.tuple_(*self.key)

    def _per_author(self, session: Session) -> bool:
        """Return whether to read per author (PostgreSQL has LATERAL; SQLite has not)."""
        return self.authors is not None and session.get_bind().dialect.name == "postgresql"

    def _per_author_ids(
        self, condition: sa.ColumnElement[bool], newest_first: bool, limit: int
    ) -> sa.Select:
        """Return a SELECT of the ids of the first *limit* echoes, taken author by author."""
        authors = self.authors.subquery("authors")
        recent = (
            sa.select(Echo.id, Echo.created_at)
            .where(Echo.author_id == authors.c.id, condition)
            .order_by(*_order(Echo.created_at, Echo.id, newest_first))
            .limit(limit)
            .lateral("recent")
        )
        return (
            sa.select(recent.c.id)
            .select_from(authors)
            .join(recent, sa.true())
            .order_by(*_order(recent.c.created_at, recent.c.id, newest_first))
            .limit(limit)
        )

    def fetch(
        self, session: Session, condition: sa.ColumnElement[bool], newest_first: bool, limit: int
    ) -> list[Echo]:
        """Return up to *limit* echoes meeting *condition*, in the order asked for."""
        if self._per_author(session):
            stmt = sa.select(Echo).where(
                Echo.id.in_(self._per_author_ids(condition, newest_first, limit))
            )
        else:
            # Pick the ids first: joined eagerly, SQLite would join every echo of every
            # author before sorting and keeping *limit* of them.
            ids = (
                self.base.with_only_columns(Echo.id)
                .where(condition)
                .order_by(*_order(*self.key, newest_first))
                .limit(limit)
            )
            stmt = sa.select(Echo).where(Echo.id.in_(ids))
        stmt = stmt.order_by(*_order(Echo.created_at, Echo.id, newest_first)).limit(limit)
        return list(session.scalars(with_related(stmt)))

    def exists(self, session: Session, condition: sa.ColumnElement[bool]) -> bool:
        """Return whether any echo of the list meets *condition*."""
        if self._per_author(session):
            probe = self._per_author_ids(condition, True, 1)
        else:
            probe = self.base.with_only_columns(Echo.id).where(condition).limit(1)
        return bool(session.scalar(sa.select(probe.exists())))


def _order(created_at, ident, newest_first: bool) -> tuple:
    """Return the ORDER BY terms of the pagination key."""
    if newest_first:
        return created_at.desc(), ident.desc()
    return created_at.asc(), ident.asc()


def paginate(session: Session, source: Source, cursor: str | None, limit: int) -> Page:
    """Return one page of *source* at *cursor*, newest first.

    An empty page (every echo deleted, or a cursor from outside the list) has no cursors;
    callers link to the first page instead.
    """
    limit = _check_limit(limit)
    position = None if cursor is None else decode_cursor(cursor)
    if position is None:
        rows = source.fetch(session, sa.true(), True, limit + 1)
        items, has_older, has_newer = rows[:limit], len(rows) > limit, False
    elif position.direction == "before":
        bound = _key_of(position.created_at, position.id)
        rows = source.fetch(session, source.key_value() < bound, True, limit + 1)
        items, has_older = rows[:limit], len(rows) > limit
        # The echo the cursor was made from (unless deleted) and anything newer.
        has_newer = source.exists(session, source.key_value() >= bound)
    else:
        bound = _key_of(position.created_at, position.id)
        rows = source.fetch(session, source.key_value() > bound, False, limit + 1)
        items, has_newer = rows[:limit][::-1], len(rows) > limit
        has_older = source.exists(session, source.key_value() <= bound)
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
