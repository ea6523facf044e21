"""Database models: users, echoes, friendships, sessions and service settings.

Every text column holds internal-form text (see :mod:`carrier_emoji`); every timestamp is
timezone-aware UTC when read back, on SQLite as on PostgreSQL.

Deleting an echo deletes its row for real (no "deleted" flag): a deleted echo is gone from
every query without a filter to forget, and replies to it keep their text while their
``reply_to_id`` becomes NULL (``ON DELETE SET NULL``).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    WriteOnlyMapped,
    mapped_column,
    relationship,
    validates,
)

__all__ = [
    "AuthSession",
    "Base",
    "DomainError",
    "Echo",
    "EmojiAuditEntry",
    "EmojiMapping",
    "EmojiTableVersion",
    "Friendship",
    "MAX_ID",
    "ServiceSetting",
    "User",
    "UTCDateTime",
    "utcnow",
]

#: Constraint and index names, so that migrations and models agree on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Largest value of an ``Integer`` id column on every database (PostgreSQL ``integer``):
#: a larger number names no row, and the database refuses it as a parameter.
MAX_ID = 2**31 - 1

#: Roles a user may have.
ROLES = ("user", "operator")
#: States of a friendship ("mai-miku"): asked, then accepted by the other side.
FRIENDSHIP_STATES = ("pending", "accepted")


class DomainError(ValueError):
    """A refusal by a domain module; ``str()`` is a message to show the user."""


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always read back as an aware UTC datetime."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes and hand the database UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime given for a UTC column: {value!r}")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            # SQLite has no time zone type: store naive UTC, in a sortable text form.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        """Attach (or convert to) UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Base of every model; carries the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """Someone who signed up; names are unique regardless of letter case."""

    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("role IN ('user', 'operator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name as typed at sign-up (ASCII letters, digits, "_" and "-").
    name: Mapped[str] = mapped_column(sa.String(20))
    #: ``name`` lowercased; the unique key that makes names case-insensitively unique.
    name_key: Mapped[str] = mapped_column(sa.String(20), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(40))
    #: Self-describing scrypt hash, see :mod:`mobile_gateway.accounts`.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: Whether the post box and timeline show on the user's home page.
    echo_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    role: Mapped[str] = mapped_column(sa.String(16), default="user", server_default="user")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    echoes: WriteOnlyMapped[Echo] = relationship(back_populates="author", passive_deletes=True)

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


class Echo(Base):
    """One line posted by a user, possibly answering another echo."""

    __tablename__ = "echoes"
    __table_args__ = (
        # Home, archive, a user's page: newest first per author, keyset on (created_at, id).
        # Plain ascending columns: both databases scan them backwards for DESC orders.
        sa.Index("ix_echoes_author_id_created_at_id", "author_id", "created_at", "id"),
        # Newest echoes overall, for timelines whose authors post often.
        sa.Index("ix_echoes_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: Internal-form text; its length in characters is checked by :mod:`.echoes`, not here.
    body: Mapped[str] = mapped_column(sa.Text)
    reply_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("echoes.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(back_populates="echoes")
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


class AuthSession(Base):
    """A server-side session, carried in a cookie or in URLs and forms.

    ``id`` is the SHA-256 of the token the terminal holds: a copy of the table gives no
    usable session. Anonymous sessions (``user_id`` NULL) exist for CSRF tokens.
    """

    __tablename__ = "auth_sessions"

    #: Hex SHA-256 of the token.
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: Terminal kind the session was made for ("docomo", "au", "pc", ...).
    carrier: Mapped[str] = mapped_column(sa.String(16))
    #: HMAC of the carrier subscriber id keyed with the token; NULL when none was sent.
    subscriber_id_hash: Mapped[str | None] = mapped_column(sa.String(64))
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: End of the absolute lifetime; the idle timeout is checked against ``last_seen_at``.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuthSession {self.id[:8]}… user={self.user_id} {self.carrier}>"


class ServiceSetting(Base):
    """One operator setting as a key and a text value (the service period lives here)."""

    __tablename__ = "service_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ServiceSetting {self.key}={self.value!r}>"


# Carrier gateways, easy login and rate limits (see gateway_ranges, easy_login, rate_limits).
class CarrierRange(Base):
    """One network (CIDR) of a carrier's gateways; a subscriber id is believed only from these."""

    __tablename__ = "carrier_ranges"
    __table_args__ = (sa.UniqueConstraint("carrier", "cidr"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "docomo", "au", "softbank" or "willcom".
    carrier: Mapped[str] = mapped_column(sa.String(16))
    #: The network in normalised form (``ipaddress.ip_network(...).compressed``).
    cidr: Mapped[str] = mapped_column(sa.String(64))
    #: Where the operator got it (the ``source`` column of an imported file), if known.
    source: Mapped[str | None] = mapped_column(sa.Text)
    #: The ``date`` column of an imported file, as written there.
    source_date: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<CarrierRange {self.carrier} {self.cidr}>"


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


class RateLimitCounter(Base):
    """Hits of one rate-limit key in one fixed window, shared by every app instance."""

    __tablename__ = "rate_limit_counters"

    #: What is limited and for whom ("login:addr:192.0.2.1"); ids appear only hashed.
    key: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    #: Start of the window, in seconds since the epoch (a multiple of the window length).
    window_start: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<RateLimitCounter {self.key} @{self.window_start}: {self.count}>"


class UntrustedSubscriberCount(Base):
    """How many requests per carrier and day sent a subscriber id from outside the gateways."""

    __tablename__ = "untrusted_subscriber_counts"

    carrier: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    #: UTC day.
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Client address of the latest such request (addresses are not secret; ids are).
    last_address: Mapped[str | None] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<UntrustedSubscriberCount {self.carrier} {self.day}: {self.count}>"


# The operators' emoji layer (see emoji_layer, emoji_sync).
class EmojiMapping(Base):
    """One row of the operators' emoji layer: it replaces the shipped row of the same key.

    Columns mirror :class:`carrier_emoji.EmojiRow`; carrier codes are Shift_JIS codes.
    """

    __tablename__ = "emoji_layer"

    #: Internal form of the emoji (a standard emoji, or one carrier-only character).
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    docomo: Mapped[int | None] = mapped_column()
    au: Mapped[int | None] = mapped_column()
    softbank: Mapped[int | None] = mapped_column()
    docomo_fit: Mapped[int | None] = mapped_column()
    au_fit: Mapped[int | None] = mapped_column()
    softbank_fit: Mapped[int | None] = mapped_column()
    google: Mapped[int | None] = mapped_column()
    name_ja: Mapped[str | None] = mapped_column(sa.String(64))
    fit: Mapped[str | None] = mapped_column(sa.String(64))
    localsrc: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<EmojiMapping {self.key!r}>"


class EmojiAuditEntry(Base):
    """One change of the emoji layer: who, when, and the layer row before and after.

    ``before``/``after`` are the layer row as JSON (``null``: no layer row, the shipped
    row applies). A revert is itself an entry, pointing at the entry it undid.
    """

    __tablename__ = "emoji_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: User name of the operator, or ``cli:<login>`` for the command line.
    actor: Mapped[str] = mapped_column(sa.String(64))
    #: "set", "remove", "import" or "revert".
    action: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(64), index=True)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    #: Table version this change produced.
    version: Mapped[int] = mapped_column()
    reverts_id: Mapped[int | None] = mapped_column(sa.ForeignKey("emoji_audit.id"))

    def __repr__(self) -> str:
        return f"<EmojiAuditEntry {self.id} {self.action} {self.key!r} by {self.actor}>"


class EmojiTableVersion(Base):
    """The one row (id 1) whose version every change of the emoji layer bumps."""

    __tablename__ = "emoji_table_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<EmojiTableVersion {self.version}>"
