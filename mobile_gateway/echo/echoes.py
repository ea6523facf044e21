"""Echoes: one-line posts, their length rule, timelines and keyset pagination.

Bodies are internal-form text and are counted as the reader sees them: an emoji, even a
sequence of several code points, is one character. Lists page by the key
``(created_at, id)`` with opaque cursors, never by OFFSET, so a page does not shift when
new echoes arrive. No Flask here: every function takes a SQLAlchemy session first, and
the functions that change something commit.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import emoji
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload

from ..accounts import users
from ..storage.models import MAX_ID, DomainError, Echo, User, UTCDateTime, utcnow
from . import friends, service_period

__all__ = [
    "HOME_LIMIT",
    "MAX_ECHO_CHARS",
    "PAGE_SIZE",
    "BodyRefused",
    "Cursor",
    "EchoError",
    "EchoNotFound",
    "InvalidCursor",
    "NotYourEcho",
    "Page",
    "PostingClosed",
    "ReplyTargetMissing",
    "archive",
    "by_user",
    "check_body",
    "clean_body",
    "count_chars",
    "decode_cursor",
    "delete",
    "encode_cursor",
    "get",
    "home",
    "post",
    "replies_to",
    "shorten",
]

#: Longest echo, in characters as the reader sees them (an emoji counts as one).
MAX_ECHO_CHARS = 150
#: Echoes on the home page.
HOME_LIMIT = 5
#: Echoes per archive page (and per page of a user's echoes, of replies).
PAGE_SIZE = 25
#: Largest page a caller may ask for.
MAX_PAGE_SIZE = 100
#: Bodies longer than this in code points are refused before counting (no emoji is longer).
MAX_BODY_CODE_POINTS = MAX_ECHO_CHARS * 16

_EMPTY_MESSAGE = "本文を入力してください"
_TOO_LONG_MESSAGE = f"{MAX_ECHO_CHARS}文字以内で入力してください"

#: Line breaks, each folded to one space: CRLF, LF, CR, VT, FF, NEL, LS, PS.
_LINE_BREAK_RE = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
#: Characters removed from bodies: C0/C1 controls, bidi embeddings/overrides/isolates/marks
#: (they can reorder the rest of a page), and lone surrogates.
_REMOVED = dict.fromkeys(
    [
        *range(0x00, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *range(0xD800, 0xE000),
    ]
)
_ZWJ = "\u200d"
#: Stands for one whole emoji while counting.
_EMOJI_PLACEHOLDER = "\ufffc"


class EchoError(DomainError):
    """An echo action was refused; ``str()`` is the message for the user."""


class BodyRefused(EchoError):
    """The body is empty or too long."""


class PostingClosed(EchoError):
    """Posting is closed outside the service period."""


class ReplyTargetMissing(EchoError, LookupError):
    """The echo being answered does not exist (any more)."""


class EchoNotFound(EchoError, LookupError):
    """No echo has this id."""


class NotYourEcho(EchoError, PermissionError):
    """Users may delete only their own echoes."""


class InvalidCursor(EchoError):
    """A page cursor was garbled or forged into something unreadable."""


# --- Body rules -------------------------------------------------------------------


def clean_body(text: str) -> str:
    """Fold line breaks and tabs to spaces, remove control characters, strip the ends."""
    text = _LINE_BREAK_RE.sub(" ", text).replace("\t", " ")
    return text.translate(_REMOVED).strip()


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


# --- Cursors ------------------------------------------------------------------------

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


def _with_related(stmt: sa.Select) -> sa.Select:
    """Load each echo's author and the echo it answers (with its author) in one query."""
    return stmt.options(
        joinedload(Echo.author),
        joinedload(Echo.reply_to).joinedload(Echo.author),
    )


def _key() -> sa.Tuple:
    """Return the pagination key of an echo as a row value."""
    return sa.tuple_(Echo.created_at, Echo.id)


def _key_of(created_at: datetime, ident: int) -> sa.Tuple:
    """Return a bound row value to compare the pagination key with."""
    return sa.tuple_(sa.literal(created_at, UTCDateTime()), sa.literal(ident, sa.BigInteger()))


def _check_limit(limit: int) -> int:
    """Return *limit* if it is a usable page size."""
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive int, not {limit!r}")
    return min(limit, MAX_PAGE_SIZE)


@dataclass(frozen=True)
class _Source:
    """The echoes one list shows: a filtered SELECT, plus its authors for timelines."""

    #: ``SELECT echoes ...`` with the list's filters.
    base: sa.Select
    #: For timelines: a SELECT of the authors' ids (column ``id``). On PostgreSQL these
    #: lists are read per author through the (author_id, created_at, id) index, so a page
    #: costs about (authors x page size) index entries however quiet the friends are.
    authors: sa.Select | None = None

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
                .order_by(*_order(Echo.created_at, Echo.id, newest_first))
                .limit(limit)
            )
            stmt = sa.select(Echo).where(Echo.id.in_(ids))
        stmt = stmt.order_by(*_order(Echo.created_at, Echo.id, newest_first)).limit(limit)
        return list(session.scalars(_with_related(stmt)))

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


def _paginate(session: Session, source: _Source, cursor: str | None, limit: int) -> Page:
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
        rows = source.fetch(session, _key() < bound, True, limit + 1)
        items, has_older = rows[:limit], len(rows) > limit
        # The echo the cursor was made from (unless deleted) and anything newer.
        has_newer = source.exists(session, _key() >= bound)
    else:
        bound = _key_of(position.created_at, position.id)
        rows = source.fetch(session, _key() > bound, False, limit + 1)
        items, has_newer = rows[:limit][::-1], len(rows) > limit
        has_older = source.exists(session, _key() <= bound)
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


def _timeline(user: User, include_self: bool) -> _Source:
    """Return the echoes of *user*'s friends (and of *user*)."""
    authors = friends.friend_ids(user.id)
    if include_self:
        authors = sa.union_all(authors, sa.select(sa.literal(user.id, sa.Integer).label("id")))
        authors = sa.select(authors.subquery().c.id)
    return _Source(sa.select(Echo).where(Echo.author_id.in_(authors)), authors)


def get(session: Session, echo_id: int | str) -> Echo | None:
    """Return the echo with this id (an int or a string of digits), or None."""
    if isinstance(echo_id, str):
        if not echo_id.isascii() or not echo_id.isdigit() or len(echo_id) > 18:
            return None
        echo_id = int(echo_id)
    # MAX_ID: the column is an Integer (PostgreSQL ``integer``); a larger number names no
    # echo, and the database would refuse it as a parameter (a 500).
    if not isinstance(echo_id, int) or not 0 < echo_id <= MAX_ID:
        return None
    return session.scalar(_with_related(sa.select(Echo).where(Echo.id == echo_id)))


def home(session: Session, user: User, limit: int = HOME_LIMIT) -> list[Echo]:
    """Return the newest echoes of *user* and their friends, newest first."""
    return archive(session, user, None, limit).items


def archive(
    session: Session,
    user: User,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    *,
    include_self: bool = True,
) -> Page:
    """Return a page of the echoes of *user*'s friends (and *user*'s own), newest first.

    :param cursor: ``next_cursor`` or ``prev_cursor`` of an earlier page; None for the first.
    :param include_self: False for the friends-only timeline.
    :raises InvalidCursor: if *cursor* cannot be read.
    """
    return _paginate(session, _timeline(user, include_self), cursor, limit)


def by_user(
    session: Session, user: User | str, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    """Return a page of one user's echoes (a user or a name), newest first.

    :raises users.UnknownUser: if no user has that name.
    """
    if isinstance(user, str):
        user = users.get_user(session, user)
    source = _Source(sa.select(Echo).where(Echo.author_id == user.id))
    return _paginate(session, source, cursor, limit)


def replies_to(
    session: Session, user: User, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    """Return a page of other users' replies to *user*'s echoes, newest first."""
    parent = aliased(Echo)
    base = (
        sa.select(Echo)
        .join(parent, Echo.reply_to_id == parent.id)
        .where(parent.author_id == user.id, Echo.author_id != user.id)
    )
    return _paginate(session, _Source(base), cursor, limit)


# --- Changes ------------------------------------------------------------------------


def post(
    session: Session,
    user: User,
    body: str,
    reply_to: Echo | int | None = None,
    *,
    now: datetime | None = None,
) -> Echo:
    """Store and commit a new echo by *user*, optionally answering *reply_to*.

    :raises PostingClosed: outside the service period.
    :raises BodyRefused: for an empty or too long body (nothing is stored).
    :raises ReplyTargetMissing: if the echo answered does not exist (any more).
    """
    now = now or utcnow()
    closed = service_period.get_period(session).closed_message(now)
    if closed is not None:
        raise PostingClosed(closed)
    error = check_body(body)
    if error is not None:
        raise BodyRefused(error)
    target = None
    if reply_to is not None:
        target = get(session, reply_to.id if isinstance(reply_to, Echo) else reply_to)
        if target is None:
            raise ReplyTargetMissing("返信先のエコーが見つかりません")
    echo = Echo(author=user, body=clean_body(body), reply_to=target, created_at=now)
    session.add(echo)
    try:
        session.commit()
    except IntegrityError:
        # The echo answered was deleted between our check and our insert.
        session.rollback()
        raise ReplyTargetMissing("返信先のエコーが見つかりません") from None
    return echo


def delete(session: Session, user: User, echo_id: int | str) -> None:
    """Delete and commit *user*'s echo; replies to it stay, without their target.

    :raises EchoNotFound: if there is no such echo.
    :raises NotYourEcho: if someone else wrote it.
    """
    echo = get(session, echo_id)
    if echo is None:
        raise EchoNotFound("エコーが見つかりません")
    if echo.author_id != user.id:
        raise NotYourEcho("自分のエコーだけを削除できます")
    session.delete(echo)
    session.commit()
