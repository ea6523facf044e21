"""The ``sessions`` commands: look after the stored sessions."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from ..accounts import sessions
from ..storage import db

__all__ = ["purge_sessions", "sessions_group"]


def purge_sessions() -> int:
    """Delete the sessions past their lifetime or idle timeout; say how many went."""
    idle = timedelta(seconds=current_app.config["AUTH_SESSION_IDLE_TIMEOUT"])
    count = sessions.purge_expired(db.get_session(), idle_timeout=idle)
    click.echo(f"Purged {count} expired session(s).")
    return count


@click.group("sessions")
def sessions_group() -> None:
    """Look after the stored sessions."""


@sessions_group.command("purge")
@with_appcontext
def sessions_purge() -> None:
    """Delete expired sessions (``serve`` does it at start; run it from cron as well)."""
    purge_sessions()
