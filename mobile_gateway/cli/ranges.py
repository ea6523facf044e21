"""The ``ranges`` commands: the carrier gateway IP ranges subscriber ids are believed from.

They print in the language of their environment (:mod:`.language`), like the console.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..phone.i18n import gettext as _
from ..storage import db
from .language import speak_environment_language

__all__ = ["ranges_group"]


@click.group("ranges")
@click.pass_context
def ranges_group(ctx: click.Context) -> None:
    """Manage the carrier gateway IP ranges (subscriber ids are believed only from them)."""
    speak_environment_language(ctx)


@ranges_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
@click.option("--replace", is_flag=True, help="Also remove ranges of the file's carriers it lacks.")
@with_appcontext
def ranges_import(file, dry_run: bool, replace: bool) -> None:
    """Import ranges from FILE (tab-separated: carrier, cidr, source, date)."""
    from ..gateways import carrier_ranges, range_import

    session = db.get_session()
    plan = range_import.plan_import(session, range_import.parse_file(file), replace=replace)
    for line in plan.report():
        click.echo(line)
    if plan.parsed.errors:
        raise click.ClickException(_("the file has errors; nothing imported"))
    if dry_run:
        click.echo(_("dry run: nothing changed"))
        return
    range_import.apply_plan(session, plan)
    carrier_ranges.invalidate()
    click.echo(
        _(
            "imported: %(added)d added, %(removed)d removed",
            added=len(plan.add),
            removed=len(plan.remove),
        )
    )


@ranges_group.command("list")
@click.option("--carrier", type=click.Choice(("docomo", "au", "softbank", "willcom")))
@with_appcontext
def ranges_list(carrier: str | None) -> None:
    """List the stored ranges."""
    from ..gateways import carrier_ranges

    rows = carrier_ranges.list_ranges(db.get_session(), carrier)
    for row in rows:
        click.echo(f"{row.carrier}\t{row.cidr}\t{row.source or ''}")
    click.echo(_("%(count)d range(s)", count=len(rows)), err=True)


@ranges_group.command("add")
@click.argument("carrier")
@click.argument("cidr")
@with_appcontext
def ranges_add(carrier: str, cidr: str) -> None:
    """Add the range CIDR of CARRIER."""
    from ..gateways import carrier_ranges

    try:
        row = carrier_ranges.add_range(db.get_session(), carrier, cidr, source="cli")
    except carrier_ranges.RangeError as error:
        raise click.ClickException(str(error)) from None
    carrier_ranges.invalidate()
    click.echo(_("added %(range)s", range=" ".join((row.carrier, row.cidr))))


@ranges_group.command("remove")
@click.argument("carrier")
@click.argument("cidr")
@with_appcontext
def ranges_remove(carrier: str, cidr: str) -> None:
    """Remove the range CIDR of CARRIER."""
    from ..gateways import carrier_ranges

    try:
        carrier_ranges.remove_range(db.get_session(), carrier, cidr)
    except carrier_ranges.RangeError as error:
        raise click.ClickException(str(error)) from None
    carrier_ranges.invalidate()
    click.echo(_("removed %(range)s", range=" ".join((carrier, cidr))))


@ranges_group.command("stats")
@with_appcontext
def ranges_stats() -> None:
    """Show per carrier the stored ranges and the subscriber ids refused from elsewhere."""
    from ..gateways import carrier_ranges, subscriber_ids

    rows = carrier_ranges.list_ranges(db.get_session())
    click.echo("carrier   ranges  refused  today  last refused")
    for stats in subscriber_ids.untrusted_stats():
        count = sum(1 for row in rows if row.carrier == stats.carrier)
        last = (
            f"{stats.last_seen_at.isoformat(timespec='seconds')} from {stats.last_address}"
            if stats.last_seen_at
            else "-"
        )
        click.echo(f"{stats.carrier:<9} {count:>6}  {stats.total:>7}  {stats.today:>5}  {last}")
