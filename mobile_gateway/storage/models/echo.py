"""Echoes, friendships ("mai-miku") and the operators' service settings.

Deleting an echo deletes its row for real (no "deleted" flag): a deleted echo is gone from
every query without a filter to forget, and replies to it keep their text while their
``reply_to_id`` becomes NULL (``ON DELETE SET NULL``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, UTCDateTime, utcnow

__all__ = ["FRIENDSHIP_STATES", "Echo", "Friendship", "ServiceSetting"]

#: States of a friendship ("mai-miku"): asked, then accepted by the other side.
FRIENDSHIP_STATES = ("pending", "accepted")


class Echo(Base):
    """One line posted by a user, possibly answering another echo."""

    __tablename__ = "echoes"
    __table_args__ = (
        # Home, archive, a user's page: newest first per author, keyset on (created_at, id).
        # Plain ascending columns: both databases scan them backwards for DESC orders.
        sa.Index("ix_echoes_author_id_created_at_id", "author_id", "created_at", "id"),
        # Newest echoes overall, for timelines whose authors post often.
        sa.Index("ix_echoes_created_at_id", "created_at", "id"),
        # A post form's one-time token: a retried post lands once (NULLs do not collide).
        sa.UniqueConstraint("author_id", "post_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: Internal-form text; its length in characters is checked by :mod:`...echo.text`, not here.
    body: Mapped[str] = mapped_column(sa.Text)
    reply_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("echoes.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Digest of the post form's one-time token with what was posted (see
    #: :func:`...echo.echoes.post`); NULL for echoes posted without a token.
    post_key: Mapped[str | None] = mapped_column(sa.String(32))

    author: Mapped[User] = relationship()
    reply_to: Mapped[Echo | None] = relationship(remote_side=[id], passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Echo {self.id} by {self.author_id} {self.body[:20]!r}>"


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_low_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    user_high_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
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
