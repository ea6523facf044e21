"""The ``crosspost`` group: run the cross-posting worker once (cron) or in a loop."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..crosspost import worker
from ..storage import db

__all__ = ["crosspost_group"]


@click.group("crosspost")
def crosspost_group() -> None:
    """Post the new entries of the feeds users subscribed to."""


def _say(report: worker.FeedReport) -> None:
    """Print one line per feed fetched."""
    if report.status == "error":
        click.echo(f"feed {report.subscription_id} {report.url}: error: {report.error}")
    else:
        click.echo(
            f"feed {report.subscription_id} {report.url}: {report.status},"
            f" {report.posted} posted"
        )


@crosspost_group.command("run")
@click.option("--loop", is_flag=True, help="Keep running, fetching feeds as they fall due.")
@click.option(
    "--rounds", type=click.IntRange(min=1), default=None, help="With --loop: stop after N rounds."
)
@with_appcontext
def run_command(loop: bool, rounds: int | None) -> None:
    """Fetch the feeds that are due and post their new entries (once, or with --loop)."""
    settings = worker.WorkerSettings.from_config(current_app.config)
    if not loop:
        reports = worker.run_once(db.get_session(), settings)
        for report in reports:
            _say(report)
        click.echo(f"{len(reports)} feeds fetched.")
        return
    factory = db.make_session_factory(db.get_engine())
    worker.run_loop(factory, settings, rounds=rounds, report=_say)
