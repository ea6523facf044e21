"""The upsert both databases know: ``INSERT ... ON CONFLICT DO UPDATE`` (SQLite, PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_on_conflict"]


def insert_on_conflict(connection: sa.Connection, table: sa.Table):
    """Return the dialect's ``INSERT`` that has ``on_conflict_do_update`` (SQLite, PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for {connection.dialect.name}")
