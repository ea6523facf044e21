"""The ``secret-key`` commands: rotate ``SECRET_KEY``.

``SECRET_KEY`` keys the HMAC of bound subscriber ids (easy login), the rate-limit keys of
ids, and the signed tokens of signed-out forms. After a new key no binding can match (the
phones must be bound again), and forms opened before it must be reloaded; sessions of
signed-in users do not depend on it and go on.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import config
from ..accounts import easy_login
from ..storage import db

__all__ = ["secret_key_group"]


@click.group("secret-key")
def secret_key_group() -> None:
    """Rotate SECRET_KEY (bound phones must then be bound again)."""


def _drop_bindings() -> None:
    count = easy_login.unbind_all(db.get_session())
    click.echo(f"Removed {count} easy-login binding(s): those phones must be bound again.")


@secret_key_group.command("rotate")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def rotate(yes: bool) -> None:
    """Write a new random key to the instance folder and remove every binding."""
    source = current_app.config.get("SECRET_KEY_SOURCE")
    if source in (None, "the configuration"):
        raise click.ClickException(
            "SECRET_KEY is set in the configuration, not generated into the instance folder:"
            " put a new random key there, restart every instance, then run"
            " `mobile-gateway secret-key drop-bindings`."
        )
    if not yes:
        click.confirm("Every easy-login binding will be removed. Go on?", abort=True)
    path = config.replace_secret_key_file(current_app.instance_path)
    click.echo(f"New key written to {path}. Restart every instance now.")
    _drop_bindings()


@secret_key_group.command("drop-bindings")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def drop_bindings(yes: bool) -> None:
    """Remove every easy-login binding (after SECRET_KEY was changed in the configuration)."""
    if not yes:
        click.confirm("Every easy-login binding will be removed. Go on?", abort=True)
    _drop_bindings()
