"""Echoes as lists show them: light read-only objects, loaded in one query per page.

A list page (home, archive, a user's echoes, replies) needs each echo's text, author, time,
the echo it answers with that echo's author, and for ``@name`` links the users it named.
:func:`load` reads all of that for a page in one statement (plus one more for the named
users, only when a body holds an ``@``) and gives :class:`EchoCard` objects with the
attributes templates and the API read on an ORM :class:`~..storage.models.Echo`
(``id``, ``body``, ``created_at``, ``author``, ``reply_to``, ``answers_deleted``,
``mentioned``), so a template renders either. Cards are never written back: changes go
through the ORM in :mod:`.echoes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..storage.models import Echo, Mention, User

__all__ = ["EchoCard", "UserCard", "load", "page_statement"]


@dataclass(frozen=True, slots=True)
class UserCard:
    """An author as a list shows them."""

    id: int
    name: str
    name_key: str
    display_name: str | None
    profile: str | None

    @property
    def label(self) -> str:
        """The name to show: the display name if set, else the user name."""
        return self.display_name or self.name


@dataclass(slots=True)
class EchoCard:
    """One echo of a list, with its author and the echo it answers (one level)."""

    id: int
    author_id: int
    author: UserCard
    body: str
    created_at: datetime
    reply_to_id: int | None
    reply_to: EchoCard | None
    answers_deleted: bool
    #: Lowercased name -> user name of the users ``@name`` may link to: those it named
    #: when posted (and who still exist) and its author. Filled by :func:`load`.
    mentioned: dict[str, str] = field(default_factory=dict)


_author = aliased(User, name="author")
_target = aliased(Echo, name="target")
_target_author = aliased(User, name="target_author")

#: The columns of a card, in the order :func:`_card` reads them.
_COLUMNS = (
    Echo.id,
    Echo.author_id,
    Echo.body,
    Echo.created_at,
    Echo.reply_to_id,
    Echo.answers_deleted,
    _author.name,
    _author.name_key,
    _author.display_name,
    _author.profile,
    _target.author_id,
    _target.body,
    _target.created_at,
    _target.answers_deleted,
    _target_author.name,
    _target_author.name_key,
    _target_author.display_name,
    _target_author.profile,
)


def page_statement(ids: sa.Select, newest_first: bool = True) -> sa.Select:
    """Return the statement that reads the cards of the echoes *ids* selects, in key order.

    *ids* is a SELECT of echo ids (with its own ORDER BY and LIMIT): the page is read in
    one statement. Build it once and keep it (bind parameters carry the values).
    """
    if newest_first:
        order = (Echo.created_at.desc(), Echo.id.desc())
    else:
        order = (Echo.created_at, Echo.id)
    return (
        sa.select(*_COLUMNS)
        .join(_author, _author.id == Echo.author_id)
        .outerjoin(_target, _target.id == Echo.reply_to_id)
        .outerjoin(_target_author, _target_author.id == _target.author_id)
        .where(Echo.id.in_(ids))
        .order_by(*order)
    )


@lru_cache(maxsize=1)
def _mentions_statement() -> sa.Select:
    """The users the echoes of a page named (every mention row), built once."""
    return (
        sa.select(Mention.echo_id, User.name_key, User.name)
        .join(User, User.id == Mention.user_id)
        .where(Mention.echo_id.in_(sa.bindparam("echo_ids", expanding=True)))
    )


def _card(row: Sequence) -> EchoCard:
    """Return the card of one row of :data:`_COLUMNS`."""
    author = UserCard(row[1], row[6], row[7], row[8], row[9])
    target = None
    if row[4] is not None and row[10] is not None:
        target_author = UserCard(row[10], row[14], row[15], row[16], row[17])
        target = EchoCard(row[4], row[10], target_author, row[11], row[12], None, None, row[13])
    card = EchoCard(row[0], row[1], author, row[2], row[3], row[4], target, row[5])
    card.mentioned[author.name_key] = author.name
    return card


def load(connection: sa.Connection, statement: sa.Select, params: dict) -> list[EchoCard]:
    """Run a statement made by :func:`page_statement` and return its cards, in its order.

    The users the cards named come in one more query, and only when a body holds an
    ``@`` (or a full-width ``＠``): a page without mentions costs one statement.
    """
    cards = [_card(row) for row in connection.execute(statement, params)]
    named = [card.id for card in cards if "@" in card.body or "＠" in card.body]
    if named:
        by_id = {card.id: card for card in cards}
        for echo_id, name_key, name in connection.execute(
            _mentions_statement(), {"echo_ids": named}
        ):
            by_id[echo_id].mentioned.setdefault(name_key, name)
    return cards
