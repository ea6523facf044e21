"""The ``operator`` and ``service-period`` commands: who runs the service, and when it is open."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from ..accounts import users
from ..echo import service_period
from ..storage import db
from ..storage.models import utcnow
from .language import speak_environment_language

__all__ = ["operator_group", "service_period_group"]


@click.group("operator")
def operator_group() -> None:
    """Manage operators."""


@operator_group.command("grant")
@click.argument("name")
@with_appcontext
def operator_grant(name: str) -> None:
    """Make the user NAME an operator."""
    try:
        user = users.grant_operator(db.get_session(), name)
    except users.UnknownUser:
        raise click.ClickException(f"No user named {name!r}.") from None
    click.echo(f"{user.name} is now an operator.")


@operator_group.command("revoke")
@click.argument("name")
@with_appcontext
def operator_revoke(name: str) -> None:
    """Make the operator NAME an ordinary user again."""
    try:
        user = users.revoke_operator(db.get_session(), name)
    except users.UnknownUser:
        raise click.ClickException(f"No user named {name!r}.") from None
    click.echo(f"{user.name} is no longer an operator.")


@click.group("service-period")
@click.pass_context
def service_period_group(ctx: click.Context) -> None:
    """Show or set when posting (and reading) is open (errors in LANG's language)."""
    speak_environment_language(ctx)


def _parse_moment(value: str | None) -> datetime | None:
    """Parse an ISO 8601 date or time; ``none`` or empty means open-ended."""
    if value is None or value.strip().lower() in ("", "none"):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date or time: {value!r}") from None


def _show_period(period: service_period.ServicePeriod) -> None:
    """Print *period* in Japan time."""

    def show(moment: datetime | None) -> str:
        return "(open)" if moment is None else moment.astimezone(service_period.JST).isoformat()

    click.echo(f"start:             {show(period.start)}")
    click.echo(f"end:               {show(period.end)}")
    click.echo(f"reading after end: {period.reading_after_end}")
    now = utcnow()
    click.echo(
        f"now:               posting {'open' if period.posting_open(now) else 'closed'}, "
        f"reading {'open' if period.reading_open(now) else 'closed'}"
    )


@service_period_group.command("show")
@with_appcontext
def service_period_show() -> None:
    """Show the service period."""
    _show_period(service_period.get_period(db.get_session()))


@service_period_group.command("set")
@click.option("--start", help="Start, ISO 8601 (naive = Japan time); 'none' for open.")
@click.option("--end", help="End, ISO 8601 (naive = Japan time); 'none' for open.")
@click.option(
    "--reading-after-end",
    type=click.Choice(service_period.READING_AFTER_END),
    default="open",
    show_default=True,
    help="Whether echoes can still be read after the end.",
)
@with_appcontext
def service_period_set(start: str | None, end: str | None, reading_after_end: str) -> None:
    """Set the service period (options left out become open-ended)."""
    try:
        period = service_period.set_period(
            db.get_session(), _parse_moment(start), _parse_moment(end), reading_after_end
        )
    except service_period.ServicePeriodError as error:
        raise click.ClickException(str(error)) from None
    _show_period(period)
