"""Who uses Echo: users, their sessions, and the phones bound to them for easy login."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import Base, UTCDateTime, utcnow

__all__ = ["ROLES", "AuthSession", "SubscriberBinding", "User", "UserSearchTerm"]

#: Roles a user may have.
ROLES = ("user", "operator")


class User(Base):
    """Someone who signed up; names are unique regardless of letter case."""

    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("role IN ('user', 'operator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name as typed at sign-up (ASCII letters, digits, "_" and "-").
    name: Mapped[str] = mapped_column(sa.String(20))
    #: ``name`` lowercased; the unique key that makes names case-insensitively unique.
    name_key: Mapped[str] = mapped_column(sa.String(20), unique=True)
    #: The name people know the user by (internal form, emoji allowed; rules in
    #: :mod:`...echo.profiles`). A ``Text``: its length is counted as the reader sees it.
    display_name: Mapped[str | None] = mapped_column(sa.Text)
    #: One line about the user, shown on their profile (same rules).
    profile: Mapped[str | None] = mapped_column(sa.Text)
    #: When the user last opened the replies page: replies and mentions newer than this
    #: are "new" on the home page (NULL: never opened, all are new).
    replies_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Self-describing scrypt hash, see :mod:`mobile_gateway.accounts.passwords`.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: Whether the post box and timeline show on the user's home page.
    echo_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    role: Mapped[str] = mapped_column(sa.String(16), default="user", server_default="user")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @validates("name")
    def _set_name_key(self, key: str, value: str) -> str:
        """Keep ``name_key`` in step with ``name``."""
        self.name_key = value.lower()
        return value

    @property
    def is_operator(self) -> bool:
        """Whether the user may change mappings, IP ranges and the service period."""
        return self.role == "operator"

    @property
    def label(self) -> str:
        """The name to show: the display name if set, else the user name."""
        return self.display_name or self.name

    def __repr__(self) -> str:
        return f"<User {self.id} {self.name!r}>"


class AuthSession(Base):
    """A signed-in user's server-side session, carried in a cookie or in URLs and forms.

    ``id`` is the SHA-256 of the token the terminal holds: a copy of the table gives no
    usable session. Only signed-in users have one: a signed-out visitor's pages write
    nothing (their forms carry signed tokens instead). A session is bound to the terminal
    it began on: carrier, model, full browser or not, and the subscriber id its carrier's
    gateway vouched for at sign-in.
    """

    __tablename__ = "auth_sessions"

    #: Hex SHA-256 of the token.
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The sign-in this session came from: sign-out ends every session of it.
    sign_in_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    #: The easy-login binding that signed it in, if one did: removing it ends the session.
    binding_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subscriber_bindings.id", ondelete="CASCADE"), index=True
    )
    #: Terminal kind the session was made for ("docomo", "au", "pc", ...).
    carrier: Mapped[str] = mapped_column(sa.String(16))
    #: Handset model it was made for (``P503i``, ``iPhone``), NULL when the UA names none.
    model: Mapped[str | None] = mapped_column(sa.String(64))
    #: Whether it was made for a handset's PC-site ("full") browser.
    full_browser: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: HMAC, keyed with the token, of the subscriber id the carrier's gateway vouched for
    #: at sign-in; NULL when none was: such a phone must keep sending that id.
    subscriber_id_hash: Mapped[str | None] = mapped_column(sa.String(64))
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    #: An echo the user was typing when an earlier session expired, put back in the post
    #: box once (then cleared).
    draft: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: End of the absolute lifetime; the idle timeout is checked against ``last_seen_at``.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AuthSession {self.id[:8]}… user={self.user_id} {self.carrier}>"


class SubscriberBinding(Base):
    """A carrier subscriber id bound to an account for easy login, stored only as a keyed hash."""

    __tablename__ = "subscriber_bindings"
    __table_args__ = (sa.UniqueConstraint("carrier", "subscriber_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(sa.String(16))
    #: Hex HMAC-SHA256 of carrier and subscriber id, keyed with the app's SECRET_KEY.
    subscriber_hash: Mapped[str] = mapped_column(sa.String(64))
    #: What the settings page shows ("*****0a"): never the id in clear.
    masked: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<SubscriberBinding {self.id} user={self.user_id} {self.carrier} {self.masked}>"


#: Search terms are compared code point by code point on both databases (SQLite's default;
#: the "C" collation on PostgreSQL), so that a prefix is a plain index range.
SEARCH_TERM_TYPE = sa.String(48).with_variant(sa.String(48, collation="C"), "postgresql")


class UserSearchTerm(Base):
    """One suffix of a user's name or display name in search form (see ``accounts.user_search``).

    Every suffix is stored, so a search for any part of a name is a prefix range of the
    primary key: an index range, bounded by the page size however many users there are.
    """

    __tablename__ = "user_search_terms"
    __table_args__ = (sa.Index("ix_user_search_terms_user_id_term", "user_id", "term"),)

    #: A suffix of the normalised name or display name, at most 48 code points.
    term: Mapped[str] = mapped_column(SEARCH_TERM_TYPE, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<UserSearchTerm {self.term!r} user={self.user_id}>"
