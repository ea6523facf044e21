"""Echoes: one-line posts, timelines of them, conversations, posting and deleting.

The body rules live in :mod:`.text`, the keyset paging in :mod:`.paging`, the users an
echo speaks to in :mod:`.mentions`, the errors in :mod:`.errors` (re-exported here: the
functions below raise them). No Flask here: every function takes a SQLAlchemy session
first, and the functions that change something commit.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts import users
from ..storage.models import MAX_ID, Echo, User, utcnow
from . import lists, mentions, service_period
from .errors import (
    BodyRefused,
    EchoError,
    EchoNotFound,
    InvalidCursor,
    NotYourEcho,
    PostingClosed,
    ReplyTargetMissing,
)
from .cards import EchoCard
from .paging import Page, Source, paginate, with_related
from .text import check_body, clean_body

__all__ = [
    "HOME_LIMIT",
    "PAGE_SIZE",
    "POST_TOKEN_RE",
    "BodyRefused",
    "EchoError",
    "EchoNotFound",
    "InvalidCursor",
    "NotYourEcho",
    "Page",
    "PostingClosed",
    "ReplyTargetMissing",
    "archive",
    "by_user",
    "delete",
    "get",
    "home",
    "post",
    "post_key",
    "replies_and_mentions",
    "replies_of",
    "replies_to",
]

#: Echoes on the home page.
HOME_LIMIT = 5
#: Echoes per archive page (and per page of a user's echoes, of replies).
PAGE_SIZE = 25
#: What a post form's one-time token looks like (``secrets.token_urlsafe``).
POST_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}", re.ASCII)


def post_key(token: str | None, body: str, reply_to_id: int | None) -> str | None:
    """Return what ``echoes.post_key`` stores for a post: the token with what was posted.

    The same form sent twice (a retry after a lost response) gives the same key; the same
    token with other text (a form the phone kept and reused) gives another one.
    """
    if not isinstance(token, str) or not POST_TOKEN_RE.fullmatch(token):
        return None
    data = f"{token}\x00{reply_to_id or ''}\x00{body}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


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
    return session.scalar(with_related(sa.select(Echo).where(Echo.id == echo_id)))


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
    return paginate(session, lists.timeline(user.id, include_self), cursor, limit)


def by_user(
    session: Session, user: User | str, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    """Return a page of one user's echoes (a user or a name), newest first.

    :raises users.UnknownUser: if no user has that name.
    """
    if isinstance(user, str):
        user = users.get_user(session, user)
    source = Source(lists.BY_AUTHOR, {"author_id": user.id})
    return paginate(session, source, cursor, limit)


def replies_to(
    session: Session, user: User, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    """Return a page of other users' replies to *user*'s echoes, newest first."""
    return paginate(session, Source(lists.REPLIES, {"user_id": user.id}), cursor, limit)


def replies_and_mentions(
    session: Session, user: User, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    """Return a page of the echoes that answer *user* or name them (``@name``), newest first.

    What the replies page shows; none of them is *user*'s own.
    """
    return paginate(session, Source(lists.ADDRESSED, {"user_id": user.id}), cursor, limit)


def replies_of(
    session: Session, echo: Echo | EchoCard | int, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    """Return a page of the replies to one echo (an echo or its id), newest first."""
    echo_id = echo if isinstance(echo, int) else echo.id
    return paginate(session, Source(lists.REPLIES_OF, {"echo_id": echo_id}), cursor, limit)


# --- Changes ------------------------------------------------------------------------


def post(
    session: Session,
    user: User,
    body: str,
    reply_to: Echo | int | None = None,
    *,
    post_token: str | None = None,
    now: datetime | None = None,
) -> Echo:
    """Store and commit a new echo by *user*, optionally answering *reply_to*.

    :param post_token: the post form's one-time token: the same post sent again with it
        (a retry) stores nothing and returns the echo stored the first time, also when
        both arrive at once (a unique constraint decides, not timing).
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
    cleaned = clean_body(body)
    key = post_key(post_token, cleaned, target.id if target else None)
    if key is not None:
        stored = _posted_with(session, user, key)
        if stored is not None:
            return stored
    echo = Echo(author=user, body=cleaned, reply_to=target, created_at=now, post_key=key)
    mentions.record(session, echo, target)
    session.add(echo)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        # The same post arrived at the same time and was stored first ...
        stored = _posted_with(session, user, key) if key is not None else None
        if stored is not None:
            return stored
        # ... or the echo answered was deleted between our check and our insert.
        raise ReplyTargetMissing("返信先のエコーが見つかりません") from None
    return echo


def _posted_with(session: Session, user: User, key: str) -> Echo | None:
    """Return *user*'s echo stored with post key *key*, if any."""
    return session.scalar(sa.select(Echo).where(Echo.author_id == user.id, Echo.post_key == key))


def delete(session: Session, user: User, echo_id: int | str) -> None:
    """Delete and commit *user*'s echo; replies to it stay, marked ``answers_deleted``.

    :raises EchoNotFound: if there is no such echo.
    :raises NotYourEcho: if someone else wrote it.
    """
    echo = get(session, echo_id)
    if echo is None:
        raise EchoNotFound("エコーが見つかりません")
    if echo.author_id != user.id:
        raise NotYourEcho("自分のエコーだけを削除できます")
    # Lock the row (PostgreSQL) so that no reply to it commits between the mark and the
    # delete; then mark the replies: the foreign key clears their reply_to_id after.
    session.execute(sa.select(Echo.id).where(Echo.id == echo.id).with_for_update())
    session.execute(
        sa.update(Echo)
        .where(Echo.reply_to_id == echo.id)
        .values(answers_deleted=True)
        .execution_options(synchronize_session=False)
    )
    session.delete(echo)
    session.commit()
