"""What is new for a user: replies and mentions since they last looked, friend requests waiting.

Both counts come in one query, each counted over at most :data:`MOST` rows of an index
(``mentions (user_id, created_at, echo_id)``; the user's own friendship rows), so the home
page pays the same whatever the store holds; beyond :data:`MOST` the page says "99+".
No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..storage.models import Friendship, Mention, User

__all__ = ["MOST", "News", "mark_replies_seen", "news"]

#: Counts stop here: "99+" is as much as a phone's line needs to say.
MOST = 99
#: When a user who never opened the replies page last looked: before any echo.
NEVER = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class News:
    """Counts of what waits for a user, each at most ``MOST + 1`` (shown as "99+")."""

    #: Replies and mentions newer than the last visit of the replies page.
    replies: int = 0
    #: Friend requests waiting for the user's answer.
    requests: int = 0

    def __bool__(self) -> bool:
        return bool(self.replies or self.requests)


def _capped_count(stmt: sa.Select) -> sa.ScalarSelect:
    """Return ``count(*)`` over at most ``MOST + 1`` rows of *stmt*."""
    return sa.select(sa.func.count()).select_from(stmt.limit(MOST + 1).subquery()).scalar_subquery()


def _news_statement() -> sa.Select:
    """Build the one statement of :func:`news` (once: it runs on every home page)."""
    user_id = sa.bindparam("user_id", type_=sa.Integer())
    # A range of the (user_id, created_at, echo_id) index, also for a user who never looked.
    seen_at = sa.bindparam("seen_at", type_=Mention.created_at.type)
    replies = sa.select(Mention.echo_id).where(
        Mention.user_id == user_id, Mention.created_at > seen_at
    )
    requests = sa.select(Friendship.id).where(
        sa.or_(Friendship.user_low_id == user_id, Friendship.user_high_id == user_id),
        Friendship.requester_id != user_id,
        Friendship.status == "pending",
    )
    return sa.select(_capped_count(replies), _capped_count(requests))


_NEWS = _news_statement()


def news(session: Session, user: User) -> News:
    """Return the counts of new replies and mentions and of waiting friend requests (one query)."""
    params = {"user_id": user.id, "seen_at": user.replies_seen_at or NEVER}
    row = session.connection().execute(_NEWS, params).one()
    return News(replies=row[0], requests=row[1])


def mark_replies_seen(session: Session, user: User, upto: datetime) -> None:
    """Record that *user* has seen every reply and mention up to *upto* and commit.

    *upto* is the newest one shown: one that arrived while the page was being made stays new.
    """
    if user.replies_seen_at is None or upto > user.replies_seen_at:
        user.replies_seen_at = upto
        session.commit()
