"""How the ``emoji`` commands print a row, the review of a change, and an audit entry.

In the language in force (:mod:`.language`): the same words as the console's.
"""

from __future__ import annotations

import click

from ..phone.i18n import gettext as _

__all__ = ["echo_entry", "echo_review", "echo_row"]


def echo_row(row, layer) -> None:
    """Print one row with every notation of its codes."""
    from ..operators import emoji_layer, emoji_notation

    origin = _("operator row") if row.key in layer else _("shipped row")
    click.echo(f"{emoji_notation.describe_key(row.key)}  [{origin}]")
    for carrier, label in emoji_layer.CARRIER_LABELS.items():
        code, fit = row.code(carrier), row.fit_code(carrier)
        shown = "  ".join(emoji_notation.code_notations(carrier, code).values()) if code else "-"
        if carrier == "au" and row.localsrc:
            shown += f"  localsrc {row.localsrc}"
        if fit:
            shown += "  " + _("(best fit %(code)s)", code=emoji_notation.format_code(fit))
        click.echo(f"  {label:<9} {shown}")
    click.echo(f"  {_('name'):<9} {'[' + row.name_ja + ']' if row.name_ja else '-'}")
    if row.fit:
        click.echo(f"  {_('means'):<9} {emoji_notation.describe_key(row.fit)}")
    if row.google:
        click.echo(f"  {'Google':<9} U+{row.google:05X}")


def echo_review(result) -> None:
    """Print a review: field changes, preview, effect, warnings, problems."""
    from ..operators import emoji_notation

    for row_change in result.rows:
        click.echo(f"{emoji_notation.describe_key(row_change.key)}:")
        for name, before, after in row_change.fields_changed:
            label = _(emoji_notation.FIELD_LABELS[name])
            shown = emoji_notation.show_value(name, before), emoji_notation.show_value(name, after)
            click.echo(f"  {label}: {shown[0]} -> {shown[1]}")
        for line in result.preview.get(row_change.key, ()):
            mark = "*" if line.changed else " "
            click.echo(f" {mark}{line.codec:<24} {line.before.hex(' ').upper()}")
            if line.changed:
                click.echo(f"  {'':<24} -> {line.after.hex(' ').upper()}  {line.after_view}")
    for warning in result.warnings:
        click.echo(_("warning: %(warning)s", warning=warning))
    if not result.problems:
        click.echo(_("Affects %(effect)s.", effect=result.effect))


def echo_entry(entry) -> None:
    """Print one audit entry: a heading line, its reason, and its fields before -> after."""
    from ..operators import emoji_changes, emoji_notation
    from ..phone import i18n

    what = _(emoji_changes.ACTION_LABELS.get(entry.action, entry.action))
    if entry.reverts_id:
        what = _("revert of #%(id)d", id=entry.reverts_id)
    click.echo(
        f"#{entry.id} {i18n.format_datetime(entry.at)} {entry.actor} {what}"
        f" {emoji_notation.describe_key(entry.key)} v{entry.version}"
    )
    reason = entry.reason or _("(none: logged before reasons were asked for)")
    click.echo(f"    {_('reason')}: {reason}")
    diff = emoji_changes.audit_diff(entry)
    click.echo(f"    {_('before')}: {diff.before_origin} -> {_('after')}: {diff.after_origin}")
    for label, before, after in diff.fields:
        click.echo(f"    {label}: {before} -> {after}")
    if not diff.fields:
        click.echo(f"    {_('no field changes')}")
