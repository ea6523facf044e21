"""The lists of echoes: which echo ids each reads, in key order, and how a timeline is read.

Every list is a :class:`~.paging.ListKind` whose statements are built once (see
:mod:`.paging`): a user's echoes, the replies to one echo, the replies (and mentions) to a
user, and the timeline of a user's friends (and the user).

**Timelines: a hybrid by friend count.** A timeline page can be read two ways:

* *per author*: the newest echoes of each friend through the ``(author_id, created_at,
  id)`` index (PostgreSQL: one ``LATERAL`` probe per friend, each stopping after a page;
  SQLite: the friends' index ranges merged and sorted). Its cost grows with the number of
  friends (and on SQLite with their history);
* *walking the global time index* ``(created_at, id)`` from the page's key, keeping the
  echoes whose author is a friend (one probe of the friendship's unique index per echo
  seen). Its cost is about page size x users / friends: cheap for many friends, dear for
  few, since most echoes seen are strangers'.

Measured on 1,000,000 echoes of real prose by 10,000 users (``python bench/timelines.py``,
one run, medians of 5 interleaved rounds, in process), a home page of 5 echoes for 25 /
300 / 1,000 / 5,000 friends: per author 0.64 / 0.97 / 6.6 / 26 ms on SQLite (3.1 / 7.8 /
17 / 55 ms on PostgreSQL), the walk 3.0 / 0.54 / 0.67 / 0.58 ms (13 / 3.6 / 5.1 / 2.7 ms);
an archive page of 25: per author 1.2 / 3.7 / 6.9 / 24 ms (5.8 / 11 / 25 / 89 ms), the walk
12 / 4.3 / 1.4 / 1.3 ms (27 / 9.4 / 7.3 / 5.4 ms). The two cross between 200 and 300
friends on both databases, so a timeline is read per author below
:data:`WALK_MIN_FRIENDS` friends and by the walk from there. The walk reads at most
:data:`WALK_SCAN_PER_ROW` index entries per row asked for: when the friends are quiet
(their echoes rarer than that in the stream) it stops short and the page is read per
author instead, so a page never costs more than both.
Both strategies give the same rows in the same order: keyset paging stays stable, and a
deleted echo is gone at once (nothing is copied anywhere). A fan-out table written at
posting time would make reading constant too, but at the price of a write per friend per
echo and of copies to keep in step with every friendship change and delete; the walk
needs neither.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..storage.models import Echo, Friendship, Mention
from .paging import (
    ECHO_KEY,
    WALK_SCAN_PER_ROW,
    ListKind,
    Source,
    key_condition,
    newest_first,
    order,
)

__all__ = [
    "ADDRESSED",
    "BY_AUTHOR",
    "REPLIES",
    "REPLIES_OF",
    "WALK_MIN_FRIENDS",
    "WALK_SCAN_PER_ROW",
    "timeline",
]

#: Friends from which a timeline walks the global time index instead of reading each
#: friend's echoes (measured crossover on 1,000,000 echoes by 10,000 users: 200-300).
WALK_MIN_FRIENDS = 300
#: Seconds a process keeps a user's friend count for choosing the strategy (a stale count
#: only makes one page slower, never wrong).
FRIEND_COUNT_TTL = 300.0

_USER = sa.bindparam("user_id", type_=sa.Integer())
#: The mentions' own copy of the echo's key, read from their (user_id, created_at, echo_id)
#: index.
_MENTION_KEY = (Mention.created_at, Mention.echo_id)


def _limit(dialect: str, name: str = "limit") -> sa.BindParameter:
    """Return the parameter of a LIMIT: on PostgreSQL written into the SQL as a number.

    PostgreSQL's plan for any value of a LIMIT parameter (its generic plan) guesses a tenth
    of the table and hashes it (100 ms at 1,000,000 echoes), so it plans every page anew.
    With the number in the SQL the generic plan is the good one, and after five runs
    PostgreSQL keeps it (one statement per page size: a handful). SQLite plans by the SQL
    alone.
    """
    return sa.bindparam(name, type_=sa.Integer(), literal_execute=dialect == "postgresql")


def _echo_ids(condition: sa.ColumnElement[bool]):
    """Return the builder of a list of echoes meeting *condition*, through the echo key."""

    def build(position: str, dialect: str) -> sa.Select:
        return (
            sa.select(Echo.id)
            .where(condition, key_condition(ECHO_KEY, position))
            .order_by(*order(ECHO_KEY, position))
            .limit(_limit(dialect))
        )

    return build


def _mention_ids(kinds: tuple[str, ...]):
    """Return the builder of the echoes that speak to ``:user_id`` (mention rows of *kinds*)."""

    def build(position: str, dialect: str) -> sa.Select:
        return (
            sa.select(Mention.echo_id)
            .where(
                Mention.user_id == _USER,
                Mention.kind.in_(kinds),
                key_condition(_MENTION_KEY, position),
            )
            .order_by(*order(_MENTION_KEY, position))
            .limit(_limit(dialect))
        )

    return build


BY_AUTHOR = ListKind(
    "by_author", {"": _echo_ids(Echo.author_id == sa.bindparam("author_id", type_=sa.Integer()))}
)
REPLIES_OF = ListKind(
    "replies_of", {"": _echo_ids(Echo.reply_to_id == sa.bindparam("echo_id", type_=sa.Integer()))}
)
REPLIES = ListKind("replies", {"": _mention_ids(("reply",))})
ADDRESSED = ListKind("addressed", {"": _mention_ids(("reply", "mention"))})


# Timelines. ---------------------------------------------------------------------------
def _authors(include_self: bool) -> sa.Select:
    """Return a SELECT of ``:user_id``'s friends' ids (and ``:user_id``), column ``id``."""
    other = sa.case(
        (Friendship.user_low_id == _USER, Friendship.user_high_id), else_=Friendship.user_low_id
    )
    friends = sa.select(other.label("id")).where(
        sa.or_(Friendship.user_low_id == _USER, Friendship.user_high_id == _USER),
        Friendship.status == "accepted",
    )
    if not include_self:
        return friends
    both = sa.union_all(friends, sa.select(_USER.label("id"))).subquery()
    return sa.select(both.c.id)


def _per_author(include_self: bool):
    """Return the builder that reads a timeline author by author."""

    def build(position: str, dialect: str) -> sa.Select:
        condition = key_condition(ECHO_KEY, position)
        if dialect != "postgresql":
            return (
                sa.select(Echo.id)
                .where(Echo.author_id.in_(_authors(include_self)), condition)
                .order_by(*order(ECHO_KEY, position))
                .limit(_limit(dialect))
            )
        authors = _authors(include_self).subquery("authors")
        recent = (
            sa.select(Echo.id, Echo.created_at)
            .where(Echo.author_id == authors.c.id, condition)
            .order_by(*order(ECHO_KEY, position))
            .limit(_limit(dialect))
            .lateral("recent")
        )
        return (
            sa.select(recent.c.id)
            .select_from(authors)
            .join(recent, sa.true())
            .order_by(*order((recent.c.created_at, recent.c.id), position))
            .limit(_limit(dialect))
        )

    return build


def _walk(include_self: bool):
    """Return the builder that walks the global time index, keeping friends' echoes.

    The walk reads at most ``:scan`` entries of the index. PostgreSQL reads them as a
    subquery that stops there. SQLite would read such a subquery to its end and sort it
    (1.7 ms for a 5,000-friend archive page): there the index range is cut instead at the
    time of the ``:scan``-th entry, and the walk stops as soon as the page is full. With
    fewer than ``:scan`` echoes in that direction the cut finds no time and the walk no
    row; the page is then read per author (:meth:`.paging.Source.fetch`).
    """

    def build(position: str, dialect: str) -> sa.Select:
        if dialect == "postgresql":
            echoes = (
                sa.select(Echo.id, Echo.created_at, Echo.author_id)
                .where(key_condition(ECHO_KEY, position))
                .order_by(*order(ECHO_KEY, position))
                .limit(_limit(dialect, "scan"))
                .subquery("scan")
            )
            within = sa.true()
        else:
            echoes = Echo.__table__
            cut = (
                sa.select(Echo.created_at)
                .where(key_condition(ECHO_KEY, position))
                .order_by(*order(ECHO_KEY, position))
                .limit(1)
                .offset(_limit(dialect, "scan"))
                .scalar_subquery()
            )
            newest = newest_first(position)
            within = sa.and_(
                key_condition(ECHO_KEY, position),
                Echo.created_at >= cut if newest else Echo.created_at <= cut,
            )
        # The pair in stored order: one probe of the friendships' unique index per echo
        # seen. A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS under OR into a
        # hash of every accepted friendship (a scan of the whole table, 40 ms at 180,000
        # rows) when it expects the walk to see many echoes; LIMIT 1 keeps the probe.
        author_first = echoes.c.author_id < _USER
        friend = (
            sa.select(Friendship.id)
            .where(
                Friendship.user_low_id == sa.case((author_first, echoes.c.author_id), else_=_USER),
                Friendship.user_high_id == sa.case((author_first, _USER), else_=echoes.c.author_id),
                Friendship.status == "accepted",
            )
            .limit(1)
            .scalar_subquery()
            .is_not(None)
        )
        keep = sa.or_(friend, echoes.c.author_id == _USER) if include_self else friend
        return (
            sa.select(echoes.c.id)
            .where(within, keep)
            .order_by(*order((echoes.c.created_at, echoes.c.id), position))
            .limit(_limit(dialect))
        )

    return build


TIMELINE = ListKind("timeline", {"per_author": _per_author(True), "walk": _walk(True)})
FRIENDS_TIMELINE = ListKind(
    "friends_timeline", {"per_author": _per_author(False), "walk": _walk(False)}
)

_count_statement = sa.select(sa.func.count()).select_from(
    sa.union_all(
        sa.select(Friendship.id).where(
            Friendship.user_low_id == _USER, Friendship.status == "accepted"
        ),
        sa.select(Friendship.id).where(
            Friendship.user_high_id == _USER, Friendship.status == "accepted"
        ),
    )
    .limit(sa.bindparam("at_most", type_=sa.Integer()))
    .subquery()
)
_counts: dict[tuple[int, int], tuple[int, float]] = {}
_counts_lock = threading.Lock()


def friend_count(session: Session, user_id: int, at_most: int = WALK_MIN_FRIENDS) -> int:
    """Return how many friends *user_id* has, counting no further than *at_most*.

    Kept for :data:`FRIEND_COUNT_TTL` seconds per process and database: it only chooses
    how a timeline is read.
    """
    key = (id(session.get_bind()), user_id)
    now = time.monotonic()
    known = _counts.get(key)
    if known is not None and now - known[1] < FRIEND_COUNT_TTL:
        return known[0]
    count = (
        session.connection()
        .execute(_count_statement, {"user_id": user_id, "at_most": at_most})
        .scalar_one()
    )
    with _counts_lock:
        if len(_counts) > 100_000:
            _counts.clear()
        _counts[key] = (count, now)
    return count


def strategies(session: Session, user_id: int) -> tuple[str, ...]:
    """Return how to read *user_id*'s timeline: per author, or the walk then per author."""
    if friend_count(session, user_id) >= WALK_MIN_FRIENDS:
        return ("walk", "per_author")
    return ("per_author",)


def timeline(user_id: int, include_self: bool = True, strategy: str | None = None) -> Source:
    """Return the timeline of *user_id*'s friends (and theirs).

    :param strategy: ``"walk"`` or ``"per_author"`` to force one (tests); else by friend
        count.
    """
    kind = TIMELINE if include_self else FRIENDS_TIMELINE
    if strategy is not None:
        chosen = (strategy, "per_author") if strategy == "walk" else (strategy,)
        return Source(kind, {"user_id": user_id}, lambda session: chosen)
    return Source(kind, {"user_id": user_id}, lambda session: strategies(session, user_id))
