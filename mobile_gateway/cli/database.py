"""The ``db`` and ``init-db`` commands: create, upgrade and inspect the database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..storage import db

__all__ = ["db_group", "init_db_command"]


@click.group("db")
def db_group() -> None:
    """Create, upgrade and inspect the database."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema."""
    db.upgrade(db.get_engine(), revision)
    click.echo(f"Database at revision {db.current(db.get_engine())}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the revision of the database and the newest one available."""
    revision = db.current(db.get_engine())
    click.echo(f"current: {revision or '(empty database)'}")
    click.echo(f"head:    {db.head()}")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (same as "db upgrade")."""
    db.init_db()
    click.echo("Initialized the database.")
