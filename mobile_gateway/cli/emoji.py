"""The ``emoji`` commands: the operators' emoji layer from the shell, as on the console."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

import carrier_emoji

from ..storage import db

__all__ = ["emoji_group"]


@click.group("emoji")
def emoji_group() -> None:
    """Look up, change, check, import and export the operators' emoji mappings.

    Every change is checked like on the console (/admin), logged with --actor, and reaches
    the running app instances within seconds.
    """


def _actor_option(command):
    """Add ``--actor``: the name the audit log records."""
    import getpass

    return click.option(
        "--actor",
        default=lambda: f"cli:{getpass.getuser()}",
        show_default="cli:<login>",
        help="Who makes the change, for the audit log.",
    )(command)


def _echo_row(row, layer) -> None:
    """Print one row with every notation of its codes."""
    from ..operators import emoji_layer, emoji_notation

    origin = "operator row" if row.key in layer else "shipped row"
    click.echo(f"{emoji_notation.describe_key(row.key)}  [{origin}]")
    for carrier, label in emoji_layer.CARRIER_LABELS.items():
        code, fit = row.code(carrier), row.fit_code(carrier)
        shown = "  ".join(emoji_notation.code_notations(carrier, code).values()) if code else "-"
        if carrier == "au" and row.localsrc:
            shown += f"  localsrc {row.localsrc}"
        if fit:
            shown += f"  (best fit {emoji_notation.format_code(fit)})"
        click.echo(f"  {label:<9} {shown}")
    click.echo(f"  name      {'[' + row.name_ja + ']' if row.name_ja else '-'}")
    if row.fit:
        click.echo(f"  means     {emoji_notation.describe_key(row.fit)}")
    if row.google:
        click.echo(f"  Google    U+{row.google:05X}")


def _echo_review(result) -> None:
    """Print a review: field changes, preview, effect, warnings, problems."""
    from ..operators import emoji_notation

    for row_change in result.rows:
        click.echo(f"{emoji_notation.describe_key(row_change.key)}:")
        for name, before, after in row_change.fields_changed:
            click.echo(f"  {name}: {before!r} -> {after!r}")
        for line in result.preview.get(row_change.key, ()):
            mark = "*" if line.changed else " "
            click.echo(f" {mark}{line.codec:<24} {line.before.hex(' ').upper()}")
            if line.changed:
                click.echo(f"  {'':<24} -> {line.after.hex(' ').upper()}  {line.after_view}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    if not result.problems:
        click.echo(f"Affects {result.effect}.")


def _emoji_apply(change, actor: str, action: str, dry_run: bool) -> None:
    """Review *change*, print it, and apply it unless *dry_run* or refused."""
    from ..operators import emoji_changes, emoji_layer, emoji_review

    session = db.get_session()
    layer = emoji_layer.load_layer(session)
    result = emoji_review.review(layer, change, emoji_layer.read_version(session) or 0)
    _echo_review(result)
    if not result.ok:
        raise click.ClickException("refused: " + "; ".join(result.problems))
    if dry_run:
        click.echo("dry run: nothing saved")
        return
    expected = {key: layer.get(key) for key in change}
    try:
        saved = emoji_changes.apply(session, change, actor, action, expected=expected)
    except emoji_layer.LayerError as error:
        raise click.ClickException(f"refused: {error}") from None
    click.echo(f"Saved: emoji table version {saved.version}.")


@emoji_group.command("list")
@click.option("--all", "everything", is_flag=True, help="List the whole effective table.")
@with_appcontext
def emoji_list(everything: bool) -> None:
    """List the operator rows (tab-separated: emoji, DoCoMo, au, SoftBank, name, means)."""
    from ..operators import emoji_layer, emoji_notation

    layer = emoji_layer.load_layer(db.get_session())
    rows = emoji_layer.effective_index(layer).rows if everything else list(layer.values())
    for row in rows:
        codes = [emoji_notation.format_code(row.code(c)) or "-" for c in emoji_layer.CARRIER_LABELS]
        click.echo(
            "\t".join(
                [emoji_notation.describe_key(row.key), *codes, row.name_ja or "-", row.fit or "-"]
            )
        )
    click.echo(f"{len(rows)} row(s)", err=True)


@emoji_group.command("show")
@click.argument("query")
@click.option(
    "--carrier",
    type=click.Choice(("docomo", "au", "softbank")),
    help="Read a bare Shift_JIS code as this carrier's.",
)
@with_appcontext
def emoji_show(query: str, carrier: str | None) -> None:
    """Show the mappings QUERY finds: an emoji, :name:, a name, F89F, U+E63E, $Gj, localsrc."""
    from ..operators import emoji_layer, emoji_lookup

    layer = emoji_layer.load_layer(db.get_session())
    matches = emoji_lookup.lookup(emoji_layer.effective_index(layer), query, carrier)
    if not matches:
        raise click.ClickException(f"nothing found for {query!r}")
    for match in matches:
        click.echo(f"-- {match.how}" + ("" if match.in_table else " (not in the table)"))
        _echo_row(match.row, layer)


@emoji_group.command("add")
@click.argument("key", required=False)
@click.option(
    "--carrier",
    type=click.Choice(("docomo", "au", "softbank")),
    help="With --code: a carrier code that stands for no standard emoji yet.",
)
@click.option("--code", help="With --carrier: the code (F94A, U+E6A6, $Gj).")
@click.option("--means", help="With --carrier/--code: the standard emoji it means.")
@click.option("--docomo", help="DoCoMo round-trip code ('' for none).")
@click.option("--au", help="au round-trip code.")
@click.option("--softbank", help="SoftBank round-trip code.")
@click.option("--docomo-fit", help="DoCoMo best-fit code (one way).")
@click.option("--au-fit", help="au best-fit code (one way).")
@click.option("--softbank-fit", help="SoftBank best-fit code (one way).")
@click.option("--google", help="Google code point, hex.")
@click.option("--name-ja", help="Name of the text fallback ([name]).")
@click.option("--fit", help="For a carrier-only emoji: the standard emoji it means.")
@click.option("--localsrc", help="au's emoji number (1-518, 700-822).")
@click.option("--dry-run", is_flag=True, help="Check and preview only.")
@_actor_option
@with_appcontext
def emoji_add(key, carrier, code, means, dry_run, actor, **fields) -> None:
    """Add or change a mapping, after the console's checks and preview.

    KEY with field options (``add ☀️ --au-fit F660``, ``add :sun: --localsrc 44``), or a
    carrier-only code: ``add --carrier docomo --code F94A --means ☀️``.
    """
    from ..operators import emoji_layer, emoji_lookup, emoji_notation

    layer = emoji_layer.load_layer(db.get_session())
    try:
        if carrier or code:
            if not (carrier and code) or key:
                raise click.UsageError("give --carrier and --code together, without KEY")
            parsed = emoji_notation.parse_code(carrier, code, "code")
            row = emoji_lookup.propose_carrier_only(
                emoji_layer.effective_index(layer),
                carrier,
                parsed,
                emoji_notation.parse_key(means) if means else None,
                fields.get("name_ja"),
            )
        elif key:
            key = emoji_notation.parse_key(key)
            base = emoji_layer.effective_row(layer, key) or carrier_emoji.EmojiRow(key)
            given = {name: value for name, value in fields.items() if value is not None}
            if not given:
                raise click.UsageError("nothing to change: give at least one field option")
            row, problems = emoji_notation.row_from_fields(given, base)
            if problems:
                raise emoji_layer.LayerError(problems)
        else:
            raise click.UsageError("give KEY, or --carrier and --code")
    except emoji_layer.LayerError as error:
        raise click.ClickException(f"refused: {error}") from None
    _emoji_apply({row.key: row}, actor, "set", dry_run)


@emoji_group.command("remove")
@click.argument("key")
@click.option("--dry-run", is_flag=True, help="Check and preview only.")
@_actor_option
@with_appcontext
def emoji_remove(key: str, dry_run: bool, actor: str) -> None:
    """Remove the operator row of KEY (its shipped row, if any, applies again)."""
    from ..operators import emoji_layer, emoji_notation

    try:
        key = emoji_notation.parse_key(key)
    except emoji_layer.LayerError as error:
        raise click.ClickException(str(error)) from None
    if key not in emoji_layer.load_layer(db.get_session()):
        raise click.ClickException(f"{emoji_notation.describe_key(key)} has no operator row")
    _emoji_apply({key: None}, actor, "remove", dry_run)


@emoji_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
@click.option("--replace", is_flag=True, help="Also remove operator rows the file lacks.")
@_actor_option
@with_appcontext
def emoji_import(file, dry_run: bool, replace: bool, actor: str) -> None:
    """Import operator rows from a CSV FILE (columns: see emoji_csv's docstring)."""
    from ..operators import emoji_csv, emoji_layer, emoji_notation

    text = file.read()
    session = db.get_session()
    with click.progressbar(length=max(text.count("\n"), 1), label="Reading rows") as bar:
        plan = emoji_csv.plan_import(session, text, replace, progress=lambda n: bar.update(1))
    click.echo(plan.summary())
    for name, keys in (("added", plan.added), ("changed", plan.changed), ("removed", plan.removed)):
        for key in keys:
            click.echo(f"  {name}: {emoji_notation.describe_key(key)}")
    if plan.review is not None and plan.ok:
        click.echo(f"Affects {plan.review.effect}.")
    if not plan.ok:
        for problem in plan.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException("refused: nothing imported")
    if dry_run or not plan.change:
        click.echo("dry run: nothing changed" if dry_run else "nothing to import")
        return
    try:
        result = emoji_csv.import_csv(session, plan, actor)
    except emoji_layer.LayerError as error:
        raise click.ClickException(f"refused: {error}") from None
    click.echo(f"Imported: emoji table version {result.version}.")


@emoji_group.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def emoji_export(file) -> None:
    """Write the operator rows as CSV to FILE (default: standard output)."""
    from ..operators import emoji_csv, emoji_layer

    count = emoji_csv.export_csv(emoji_layer.load_layer(db.get_session()), file)
    click.echo(f"{count} row(s) exported", err=True)


@emoji_group.command("check")
@with_appcontext
def emoji_check() -> None:
    """Validate the effective table: operator rows, codes taken once, every round trip."""
    from ..operators import emoji_checks, emoji_layer

    session = db.get_session()
    problems = emoji_checks.check_table(emoji_layer.load_layer(session))
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s)")
    version = emoji_layer.read_version(session) or 0
    click.echo(f"The emoji table at version {version} is consistent.")


@emoji_group.command("log")
@click.option("--key", help="Only the changes of this emoji.")
@click.option("--limit", default=20, show_default=True, help="How many entries.")
@with_appcontext
def emoji_log(key: str | None, limit: int) -> None:
    """Show the audit log, newest first (before/after are operator rows as JSON)."""
    from ..operators import emoji_changes, emoji_notation

    entries = emoji_changes.audit_entries(
        db.get_session(), limit, key=emoji_notation.parse_key(key) if key else None
    )
    for e in entries:
        what = e.action + (f" of #{e.reverts_id}" if e.reverts_id else "")
        click.echo(
            f"#{e.id} {e.at.isoformat(timespec='seconds')} {e.actor} {what}"
            f" {emoji_notation.describe_key(e.key)} v{e.version}"
        )
        click.echo(f"    before {emoji_changes.audit_json(e.before)}")
        click.echo(f"    after  {emoji_changes.audit_json(e.after)}")


@emoji_group.command("revert")
@click.argument("entry_id", type=int)
@_actor_option
@with_appcontext
def emoji_revert(entry_id: int, actor: str) -> None:
    """Undo the change of audit entry ENTRY_ID (logged as a change of its own)."""
    from ..operators import emoji_changes, emoji_layer

    try:
        result = emoji_changes.revert(db.get_session(), entry_id, actor)
    except emoji_layer.LayerError as error:
        raise click.ClickException(f"refused: {error}") from None
    click.echo(f"Reverted #{entry_id}: emoji table version {result.version}.")
