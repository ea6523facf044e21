"""Cross-posting: the feeds users have elsewhere, and each entry seen of them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, UTCDateTime, utcnow
from .echo import Echo

__all__ = ["CrosspostEntry", "FeedSubscription"]


class FeedSubscription(Base):
    """A user's feed elsewhere (Atom or RSS) whose new entries become their echoes."""

    __tablename__ = "feed_subscriptions"
    __table_args__ = (sa.UniqueConstraint("user_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The address as the user gave it (http or https, checked when added and fetched).
    url: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Validators of the last full response, sent back as If-None-Match / If-Modified-Since.
    etag: Mapped[str | None] = mapped_column(sa.String(255))
    last_modified: Mapped[str | None] = mapped_column(sa.String(64))
    #: When a fetch first worked: entries seen then, older than the subscription or
    #: undated, are the feed's past and are not posted.
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When a worker last finished fetching it, and how that went.
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "ok", "not_modified", "error", or None before the first fetch.
    last_status: Mapped[str | None] = mapped_column(sa.String(16))
    #: The error the user sees ("タイムアウトしました"), when the last fetch failed.
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    #: Fetches that failed in a row (the backoff grows with it).
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Echoes posted from this feed so far.
    posted_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the feed is due next; workers take due feeds, oldest due first.
    next_fetch_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: A worker holds the feed until then (another worker skips it meanwhile).
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<FeedSubscription {self.id} user={self.user_id} {self.url!r}>"


class CrosspostEntry(Base):
    """One entry of a feed, seen once: posted as an echo, or skipped.

    The unique (subscription, entry key) pair is what makes each entry an echo exactly
    once, however many workers fetch the feed at the same time: the second insert fails.
    """

    __tablename__ = "crosspost_entries"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "entry_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("feed_subscriptions.id", ondelete="CASCADE")
    )
    #: Hex SHA-256 of the entry's id (or of its link, or of its text when it has neither).
    entry_key: Mapped[str] = mapped_column(sa.String(64))
    #: The echo it became; NULL when skipped (older than the subscription) or deleted since.
    echo_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("echoes.id", ondelete="SET NULL"), index=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    echo: Mapped[Echo | None] = relationship()

    def __repr__(self) -> str:
        return f"<CrosspostEntry {self.subscription_id}:{self.entry_key[:8]} echo={self.echo_id}>"
