"""Finding people: search by name, friends of friends, and what a profile counts.

Search itself is :func:`..accounts.user_search.search` (an index range of name suffixes);
here the query is checked as the user typed it. Suggestions are friends of the user's
friends, most friends in common first; someone with no friends yet is shown who echoed
lately instead. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..accounts import user_search
from ..storage.models import DomainError, Echo, Friendship, User
from . import friends
from .text import count_chars

__all__ = [
    "MAX_QUERY_CHARS",
    "Counts",
    "QueryRefused",
    "Suggestion",
    "check_query",
    "counts",
    "search",
    "suggestions",
]

#: Longest search query, in characters as the reader sees them.
MAX_QUERY_CHARS = 20
#: Recent echoes whose authors may be suggested to someone without friends.
RECENT_ECHOES = 50


class QueryRefused(DomainError):
    """A search query was empty or too long."""


def search(
    session: Session, query: str, cursor: str | None = None, limit: int = 20
) -> user_search.UserPage:
    """Return a page of users whose name or display name contains *query* (see user_search).

    :raises QueryRefused: for an empty or too long query.
    :raises user_search.InvalidSearchCursor: for a garbled cursor.
    """
    error = check_query(query)
    if error is not None:
        raise QueryRefused(error)
    return user_search.search(session, query, cursor, limit)


def check_query(query: str) -> str | None:
    """Return an error message for an unusable search query, else None."""
    query = query.strip() if isinstance(query, str) else ""
    if len(query) > MAX_QUERY_CHARS * 16 or count_chars(query) > MAX_QUERY_CHARS:
        return f"さがす名前は{MAX_QUERY_CHARS}文字以内で入力してください"
    if not user_search.search_key(query):
        return "さがす名前を入力してください"
    return None


@dataclass(frozen=True)
class Suggestion:
    """Someone the user may know, and how many friends they have in common (0: none known)."""

    user: User
    in_common: int


def _related_ids(user_id: int) -> sa.Select:
    """Return a SELECT of everyone *user_id* has a friendship row with (any state)."""
    other = sa.case(
        (Friendship.user_low_id == user_id, Friendship.user_high_id),
        else_=Friendship.user_low_id,
    )
    return sa.select(other).where(
        sa.or_(Friendship.user_low_id == user_id, Friendship.user_high_id == user_id)
    )


def suggestions(session: Session, user: User, limit: int = 5) -> list[Suggestion]:
    """Return up to *limit* people *user* may know, most friends in common first.

    Friends of friends who are not *user*, not friends and not asked either way. The cost
    is the friendships of the user's friends (their degrees added up), never the store.
    Without any, the authors of the latest echoes (read from the newest end of an index).
    """
    mine = friends.friend_ids(user.id).subquery()
    pairs = Friendship.__table__.alias("f2")
    accepted = pairs.c.status == "accepted"
    candidates = sa.union_all(
        sa.select(pairs.c.user_high_id.label("id")).where(
            accepted, pairs.c.user_low_id.in_(sa.select(mine.c.id))
        ),
        sa.select(pairs.c.user_low_id.label("id")).where(
            accepted, pairs.c.user_high_id.in_(sa.select(mine.c.id))
        ),
    ).subquery()
    known = _related_ids(user.id)
    in_common = sa.func.count().label("in_common")
    rows = session.execute(
        sa.select(candidates.c.id, in_common)
        .where(candidates.c.id != user.id, candidates.c.id.not_in(known))
        .group_by(candidates.c.id)
        .order_by(in_common.desc(), candidates.c.id)
        .limit(limit)
    ).all()
    if rows:
        people = _users(session, [r[0] for r in rows])
        return [Suggestion(people[i], n) for i, n in rows if i in people]
    recent = (
        sa.select(Echo.author_id.label("id"))
        .order_by(Echo.created_at.desc(), Echo.id.desc())
        .limit(RECENT_ECHOES)
        .subquery()
    )
    ids = session.scalars(
        sa.select(recent.c.id).where(recent.c.id != user.id, recent.c.id.not_in(known)).distinct()
    ).all()
    people = _users(session, list(ids))
    chosen = sorted(people.values(), key=lambda u: u.name_key)[:limit]
    return [Suggestion(person, 0) for person in chosen]


def _users(session: Session, ids: list[int]) -> dict[int, User]:
    """Return the users with these ids by id."""
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(ids)))}


@dataclass(frozen=True)
class Counts:
    """What a profile counts."""

    echoes: int
    friends: int


def counts(session: Session, user: User) -> Counts:
    """Return how many echoes *user* wrote and how many friends they have (one query).

    Each count reads one user's index range ((author_id, created_at, id); their friendships).
    """
    echo_count = sa.select(sa.func.count()).where(Echo.author_id == user.id).scalar_subquery()
    friend_ids = friends.friend_ids(user.id).subquery()
    friend_count = sa.select(sa.func.count()).select_from(friend_ids).scalar_subquery()
    row = session.execute(sa.select(echo_count, friend_count)).one()
    return Counts(echoes=row[0], friends=row[1])
