"""The JSON API's personal access tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, UTCDateTime, utcnow

__all__ = ["API_SCOPES", "ApiToken"]

#: What a token may do: read timelines, and write (post, delete, friend requests).
API_SCOPES = ("read", "write")


class ApiToken(Base):
    """A personal access token: named by its user, stored only as a hash, revocable.

    ``token_hash`` is the SHA-256 of the secret the user holds (a high-entropy random
    string, so no slow KDF is needed): a copy of the table gives no usable token.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The user's own name for it ("my bot"), internal-form text.
    name: Mapped[str] = mapped_column(sa.String(40))
    #: Hex SHA-256 of the token.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The last characters of the token, to tell tokens apart on the settings page.
    last_chars: Mapped[str] = mapped_column(sa.String(8))
    #: Space-separated scopes (see :data:`API_SCOPES`).
    scopes: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id} {self.name!r} …{self.last_chars}>"
