"""What every model shares: the declarative base, its naming convention, UTC timestamps.

Every text column holds internal-form text (see :mod:`carrier_emoji`); every timestamp is
timezone-aware UTC when read back, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

__all__ = ["MAX_ID", "NAMING_CONVENTION", "Base", "DomainError", "UTCDateTime", "utcnow"]

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
