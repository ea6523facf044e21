"""Echoes, the users they speak to, friendships ("mai-miku") and the operators' settings.

Deleting an echo deletes its row for real (no "deleted" flag): a deleted echo is gone from
every query without a filter to forget, and replies to it keep their text while their
``reply_to_id`` becomes NULL (``ON DELETE SET NULL``). Before the row goes, its replies are
marked ``answers_deleted``, so that a conversation says "削除されました" where the echo
was instead of showing the reply as if it answered nothing.

Why a mark on the replies rather than a kept "tombstone" row: a tombstone must be left
out of every timeline, user page and count by a filter each list has to remember, and
that filter would cost the home timeline its index-only reads of
``(author_id, created_at, id)``; it would also keep a deleted echo's author tied to it.
The mark is written once, on the few replies of the echo deleted, and read only where a
reply shows what it answers. What is given up: the replies of a deleted echo are no
longer listed under the echo it answered in turn (they stay on their authors' pages and
in timelines, saying that what they answered was deleted).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, UTCDateTime, utcnow

__all__ = [
    "FRIENDSHIP_STATES",
    "MENTION_KINDS",
    "Echo",
    "Friendship",
    "Mention",
    "ServiceSetting",
]

#: States of a friendship ("mai-miku"): asked, then accepted by the other side.
FRIENDSHIP_STATES = ("pending", "accepted")
#: Why an echo speaks to a user: it names them (``@name``) or answers their echo.
MENTION_KINDS = ("mention", "reply")


class Echo(Base):
    """One line posted by a user, possibly answering another echo."""

    __tablename__ = "echoes"
    __table_args__ = (
        # Home, archive, a user's page: newest first per author, keyset on (created_at, id).
        # Plain ascending columns: both databases scan them backwards for DESC orders.
        sa.Index("ix_echoes_author_id_created_at_id", "author_id", "created_at", "id"),
        # Newest echoes overall, for timelines whose authors post often.
        sa.Index("ix_echoes_created_at_id", "created_at", "id"),
        # The replies to one echo, newest first and keyset-paged (a conversation); also
        # what the foreign key's ON DELETE SET NULL looks up.
        sa.Index("ix_echoes_reply_to_id_created_at_id", "reply_to_id", "created_at", "id"),
        # A post form's one-time token: a retried post lands once (NULLs do not collide).
        sa.UniqueConstraint("author_id", "post_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: Internal-form text; its length in characters is checked by :mod:`...echo.text`, not here.
    body: Mapped[str] = mapped_column(sa.Text)
    reply_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("echoes.id", ondelete="SET NULL"))
    #: The echo this one answered was deleted (``reply_to_id`` is NULL then).
    answers_deleted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Digest of the post form's one-time token with what was posted (see
    #: :func:`...echo.echoes.post`); NULL for echoes posted without a token.
    post_key: Mapped[str | None] = mapped_column(sa.String(32))

    author: Mapped[User] = relationship()
    reply_to: Mapped[Echo | None] = relationship(remote_side=[id], passive_deletes=True)
    #: The users this echo names or answers (loaded with a page: see ``echo.paging``).
    mentions: Mapped[list[Mention]] = relationship(
        back_populates="echo", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def mentioned(self) -> dict[str, str]:
        """The names ``@name`` may link to in this echo: lowercased name -> user name.

        The users it mentioned when it was posted (and still exist), and its author.
        """
        names = {m.user.name_key: m.user.name for m in self.mentions}
        names[self.author.name_key] = self.author.name
        return names

    def __repr__(self) -> str:
        return f"<Echo {self.id} by {self.author_id} {self.body[:20]!r}>"


class Mention(Base):
    """A user an echo speaks to: one it names as ``@name``, or the author of the echo it answers.

    Written when the echo is posted, so that the replies page, the home page's count of new
    replies and the links of ``@name`` are index reads, never a search through bodies.
    ``created_at`` is the echo's, for the ``(user_id, created_at, echo_id)`` index that pages
    a user's replies and mentions newest first. No row names the echo's own author. A user
    deleted takes their rows along, so ``@name`` of a deleted user is plain text again.
    """

    __tablename__ = "mentions"
    __table_args__ = (
        sa.Index("ix_mentions_user_id_created_at_echo_id", "user_id", "created_at", "echo_id"),
        sa.CheckConstraint("kind IN ('mention', 'reply')", name="kind"),
    )

    echo_id: Mapped[int] = mapped_column(
        sa.ForeignKey("echoes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: "mention" (named as ``@name``) or "reply" (their echo was answered; wins over both).
    kind: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    echo: Mapped[Echo] = relationship(back_populates="mentions")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Mention echo={self.echo_id} user={self.user_id} {self.kind}>"


class Friendship(Base):
    """A mutual friendship ("mai-miku"), pending until the addressee accepts it.

    The pair is stored in a fixed order (``user_low_id < user_high_id``) so that the
    database itself refuses a second row for the same two users in either direction.
    """

    __tablename__ = "friendships"
    __table_args__ = (
        sa.UniqueConstraint("user_low_id", "user_high_id"),
        sa.CheckConstraint("user_low_id < user_high_id", name="ordered_pair"),
        sa.CheckConstraint(
            "requester_id = user_low_id OR requester_id = user_high_id", name="requester_in_pair"
        ),
        sa.CheckConstraint("status IN ('pending', 'accepted')", name="status"),
        # A user's rows of one status from either side of the pair: the requests waiting
        # on the home page are found among them, not among all of a user's friends.
        sa.Index("ix_friendships_user_low_id_status", "user_low_id", "status"),
        sa.Index("ix_friendships_user_high_id_status", "user_high_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_low_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    user_high_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: Who asked; the other user of the pair is the addressee.
    requester_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])

    @property
    def addressee_id(self) -> int:
        """The user who was asked."""
        return self.other_id(self.requester_id)

    def other_id(self, user_id: int) -> int:
        """Return the id of the pair member that is not *user_id*."""
        return self.user_high_id if user_id == self.user_low_id else self.user_low_id

    def __repr__(self) -> str:
        return (
            f"<Friendship {self.user_low_id}-{self.user_high_id} {self.status}"
            f" asked by {self.requester_id}>"
        )


class ServiceSetting(Base):
    """One operator setting as a key and a text value (the service period lives here)."""

    __tablename__ = "service_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ServiceSetting {self.key}={self.value!r}>"
