"""Carrier gateways: their IP ranges, the rate-limit counters, the ids refused from elsewhere."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

__all__ = ["CarrierRange", "RateLimitCounter", "UntrustedSubscriberCount"]


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
