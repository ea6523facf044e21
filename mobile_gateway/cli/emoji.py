"""The ``emoji`` commands: the operators' emoji layer from the shell, as on the console.

They print in the language of their environment (``LANG=ja_JP.UTF-8``: Japanese, else
English; :mod:`.language`). Every change asks for ``--reason``, as the console does.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

import carrier_emoji

from ..phone.i18n import gettext as _
from ..storage import db
from . import emoji_output
from .language import speak_environment_language

__all__ = ["emoji_group"]


@click.group("emoji")
@click.pass_context
def emoji_group(ctx: click.Context) -> None:
    """Look up, change, check, import and export the operators' emoji mappings.

    Every change is checked like on the console (/admin), logged with --actor and
    --reason, and reaches the running app instances within seconds. Output is in Japanese
    when LANG (or LC_ALL, LC_MESSAGES, LANGUAGE) asks for it, else in English.
    """
    speak_environment_language(ctx)


def _actor_option(command):
    """Add ``--actor``: the name the audit log records."""
    import getpass

    return click.option(
        "--actor",
        default=lambda: f"cli:{getpass.getuser()}",
        show_default="cli:<login>",
        help="Who makes the change, for the audit log.",
    )(command)


def _reason_option(command):
    """Add ``--reason``: why the change is made, for the audit log (required for a change)."""
    return click.option(
        "--reason",
        help="Why you make this change, for the audit log (required unless --dry-run).",
    )(command)


def _require_reason(reason: str | None, dry_run: bool = False) -> str | None:
    """Return the reason of a change, checked; a dry run needs none.

    :raises click.UsageError: no reason for a change.
    """
    from ..operators import emoji_changes, emoji_layer

    if dry_run:
        return reason
    if not (reason or "").strip():
        raise click.UsageError(_("a reason is required for a change: --reason TEXT"))
    try:
        return emoji_changes.check_reason(reason)
    except emoji_layer.LayerError as error:
        raise click.ClickException(_("refused: %(why)s", why=error)) from None


def _refused(why) -> click.ClickException:
    return click.ClickException(_("refused: %(why)s", why=why))


def _emoji_apply(change, actor: str, action: str, dry_run: bool, reason: str | None) -> None:
    """Review *change*, print it, and apply it with *reason* unless *dry_run* or refused."""
    from ..operators import emoji_changes, emoji_layer, emoji_review

    session = db.get_session()
    layer = emoji_layer.load_layer(session)
    result = emoji_review.review(layer, change, emoji_layer.read_version(session) or 0)
    emoji_output.echo_review(result)
    if not result.ok:
        raise _refused("; ".join(result.problems))
    if dry_run:
        click.echo(_("dry run: nothing saved"))
        return
    expected = {key: layer.get(key) for key in change}
    try:
        saved = emoji_changes.apply(
            session, change, actor, action, expected=expected, reason=reason
        )
    except emoji_layer.LayerError as error:
        raise _refused(error) from None
    click.echo(_("Saved: emoji table version %(version)d.", version=saved.version))


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
    click.echo(_("%(count)d row(s)", count=len(rows)), err=True)


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
        raise click.ClickException(_("nothing found for %(query)r", query=query))
    for match in matches:
        click.echo(f"-- {match.how}" + ("" if match.in_table else " " + _("(not in the table)")))
        emoji_output.echo_row(match.row, layer)


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
@_reason_option
@with_appcontext
def emoji_add(key, carrier, code, means, dry_run, actor, reason, **fields) -> None:
    """Add or change a mapping, after the console's checks and preview.

    KEY with field options (``add ☀️ --au-fit F660``, ``add :sun: --localsrc 44``), or a
    carrier-only code: ``add --carrier docomo --code F94A --means ☀️``.
    """
    from ..operators import emoji_layer, emoji_lookup, emoji_notation

    reason = _require_reason(reason, dry_run)
    layer = emoji_layer.load_layer(db.get_session())
    try:
        if carrier or code:
            if not (carrier and code) or key:
                raise click.UsageError(_("give --carrier and --code together, without KEY"))
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
                raise click.UsageError(_("nothing to change: give at least one field option"))
            row, problems = emoji_notation.row_from_fields(given, base)
            if problems:
                raise emoji_layer.LayerError(problems)
        else:
            raise click.UsageError(_("give KEY, or --carrier and --code"))
    except emoji_layer.LayerError as error:
        raise _refused(error) from None
    _emoji_apply({row.key: row}, actor, "set", dry_run, reason)


@emoji_group.command("remove")
@click.argument("key")
@click.option("--dry-run", is_flag=True, help="Check and preview only.")
@_actor_option
@_reason_option
@with_appcontext
def emoji_remove(key: str, dry_run: bool, actor: str, reason: str | None) -> None:
    """Remove the operator row of KEY (its shipped row, if any, applies again)."""
    from ..operators import emoji_layer, emoji_notation

    reason = _require_reason(reason, dry_run)
    try:
        key = emoji_notation.parse_key(key)
    except emoji_layer.LayerError as error:
        raise click.ClickException(str(error)) from None
    if key not in emoji_layer.load_layer(db.get_session()):
        raise click.ClickException(
            _("%(emoji)s has no operator row", emoji=emoji_notation.describe_key(key))
        )
    _emoji_apply({key: None}, actor, "remove", dry_run, reason)


@emoji_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Only report what would change.")
@click.option("--replace", is_flag=True, help="Also remove operator rows the file lacks.")
@_actor_option
@_reason_option
@with_appcontext
def emoji_import(file, dry_run: bool, replace: bool, actor: str, reason: str | None) -> None:
    """Import operator rows from a CSV FILE (columns: see emoji_csv's docstring)."""
    from ..operators import emoji_csv, emoji_layer, emoji_notation

    reason = _require_reason(reason, dry_run)
    text = file.read()
    session = db.get_session()
    with click.progressbar(length=max(text.count("\n"), 1), label=_("Reading rows")) as bar:
        plan = emoji_csv.plan_import(session, text, replace, progress=lambda n: bar.update(1))
    click.echo(plan.summary())
    for name, keys in ((_("added"), plan.added), (_("changed"), plan.changed)):
        for key in keys:
            click.echo(f"  {name}: {emoji_notation.describe_key(key)}")
    for key in plan.removed:
        click.echo(f"  {_('removed')}: {emoji_notation.describe_key(key)}")
    if plan.review is not None and plan.ok:
        click.echo(_("Affects %(effect)s.", effect=plan.review.effect))
    if not plan.ok:
        for problem in plan.problems:
            click.echo(_("error: %(problem)s", problem=problem), err=True)
        raise _refused(_("nothing imported"))
    if dry_run or not plan.change:
        click.echo(_("dry run: nothing changed") if dry_run else _("nothing to import"))
        return
    try:
        result = emoji_csv.import_csv(session, plan, actor, reason=reason)
    except emoji_layer.LayerError as error:
        raise _refused(error) from None
    click.echo(_("Imported: emoji table version %(version)d.", version=result.version))


@emoji_group.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def emoji_export(file) -> None:
    """Write the operator rows as CSV to FILE (default: standard output)."""
    from ..operators import emoji_csv, emoji_layer

    count = emoji_csv.export_csv(emoji_layer.load_layer(db.get_session()), file)
    click.echo(_("%(count)d row(s) exported", count=count), err=True)


@emoji_group.command("check")
@with_appcontext
def emoji_check() -> None:
    """Validate the effective table: operator rows, codes taken once, every round trip."""
    from ..operators import emoji_checks, emoji_layer

    session = db.get_session()
    problems = emoji_checks.check_table(emoji_layer.load_layer(session))
    for problem in problems:
        click.echo(_("error: %(problem)s", problem=problem), err=True)
    if problems:
        raise click.ClickException(_("%(count)d problem(s)", count=len(problems)))
    version = emoji_layer.read_version(session) or 0
    click.echo(_("The emoji table at version %(version)d is consistent.", version=version))


@emoji_group.command("log")
@click.option("--key", help="Only the changes of this emoji.")
@click.option("--limit", default=20, show_default=True, help="How many entries.")
@with_appcontext
def emoji_log(key: str | None, limit: int) -> None:
    """Show the audit log, newest first: who, when, why, and each field before -> after."""
    from ..operators import emoji_changes, emoji_layer, emoji_notation

    try:
        key = emoji_notation.parse_key(key) if key else None
    except emoji_layer.LayerError as error:
        raise click.ClickException(str(error)) from None
    for entry in emoji_changes.audit_entries(db.get_session(), limit, key=key):
        emoji_output.echo_entry(entry)


@emoji_group.command("revert")
@click.argument("entry_id", type=int)
@click.option("--dry-run", is_flag=True, help="Preview the revert only.")
@_actor_option
@_reason_option
@with_appcontext
def emoji_revert(entry_id: int, dry_run: bool, actor: str, reason: str | None) -> None:
    """Undo the change of audit entry ENTRY_ID, after its preview (logged as a change)."""
    from ..operators import emoji_changes, emoji_layer, emoji_review

    reason = _require_reason(reason, dry_run)
    session = db.get_session()
    try:
        plan = emoji_changes.plan_revert(session, entry_id)
    except emoji_layer.LayerError as error:
        raise _refused(error) from None
    emoji_output.echo_entry(plan.entry)
    layer = emoji_layer.load_layer(session)
    result = emoji_review.review(layer, plan.change, emoji_layer.read_version(session) or 0)
    emoji_output.echo_review(result)
    if not result.ok:
        raise _refused("; ".join(result.problems))
    if dry_run:
        click.echo(_("dry run: nothing saved"))
        return
    try:
        result = emoji_changes.revert(session, entry_id, actor, reason=reason)
    except emoji_layer.LayerError as error:
        raise _refused(error) from None
    click.echo(
        _(
            "Reverted #%(id)d: emoji table version %(version)d.",
            id=entry_id,
            version=result.version,
        )
    )
