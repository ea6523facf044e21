"""The ``mobile-gateway`` commands (also ``flask --app mobile_gateway``).

``init_app`` adds every command group to ``app.cli``; the console script is
:data:`mobile_gateway.__main__.main`, a Flask command group that builds the app with
:func:`mobile_gateway.create_app`. One module per group, each calling the capability it
names: :mod:`.database` (``db``, ``init-db``), :mod:`.demo` (``demo``), :mod:`.serve`
(``serve``), :mod:`.sessions` (``sessions``), :mod:`.operators` (``operator``,
``service-period``), :mod:`.ranges` (``ranges``), :mod:`.emoji` (``emoji``),
:mod:`.crosspost` (``crosspost``) and :mod:`.secret_key` (``secret-key``).

**To add a command**: a click command or group in the module of its capability (or a new
module here), and one line in :func:`init_app`. Commands that touch the app use
``@with_appcontext``; the work itself belongs to the capability's package, not here.
"""

from __future__ import annotations

from flask import Flask

from . import crosspost, database, demo, emoji, operators, ranges, secret_key, serve, sessions

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Add every command group to ``app.cli``."""
    for command in (
        database.db_group,
        database.init_db_command,
        demo.demo_command,
        serve.serve_command,
        sessions.sessions_group,
        operators.operator_group,
        operators.service_period_group,
        emoji.emoji_group,
        ranges.ranges_group,
        crosspost.crosspost_group,
        secret_key.secret_key_group,
    ):
        app.cli.add_command(command)
