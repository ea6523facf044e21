"""Saving changes of the emoji layer, the audit log, and revert.

:func:`apply` takes the table version's row lock first (an ``UPDATE`` that bumps it),
reviews again against the layer as it is then (:func:`.emoji_review.review`), and writes
the rows and one audit entry per key (who, when, why, before and after as JSON) in the
same transaction. Every change carries the operator's reason (:func:`check_reason`).
:func:`plan_revert` tells what undoing one entry would change, for a preview made like
any other (:func:`.emoji_review.review`); :func:`revert` does it, as a change of its own.
:func:`audit_diff` shows an entry for people: the fields it changed, before and after.
App instances notice the new version within a second or two (:mod:`.emoji_sync`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from carrier_emoji import EmojiRow

from ..phone.i18n import N_
from ..phone.i18n import gettext as _
from ..storage.models import EmojiAuditEntry, EmojiMapping, EmojiTableVersion, utcnow
from .emoji_layer import FIELDS, LayerError, load_layer, row_of, shipped_by_key, store_row
from .emoji_notation import FIELD_LABELS, describe_key, row_from_json, row_to_json, show_value
from .emoji_review import Review, review

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "MAX_REASON_CHARS",
    "AuditDiff",
    "RevertPlan",
    "apply",
    "audit_diff",
    "audit_entries",
    "check_reason",
    "plan_revert",
    "revert",
]

#: Actions written to the audit log, and what the console calls them (translated on use).
ACTION_LABELS = {
    "set": N_("set"),
    "remove": N_("remove"),
    "import": N_("import"),
    "revert": N_("revert"),
}
ACTIONS = tuple(ACTION_LABELS)
#: Longest reason for a change (the column holds 500).
MAX_REASON_CHARS = 500
#: Characters that would make a reason read otherwise than it is stored (bidi overrides).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_reason(reason: str | None) -> str:
    """Return an operator's reason for a change as it is stored (runs of spaces made one).

    :raises LayerError: no reason, one over :data:`MAX_REASON_CHARS` characters, or one
        with control characters.
    """
    text = " ".join((reason or "").split())
    if not text:
        raise LayerError(_("a reason is required: say why you make this change"))
    if len(text) > MAX_REASON_CHARS:
        raise LayerError(
            _(
                "the reason is %(length)d characters long; at most %(most)d, please",
                length=len(text),
                most=MAX_REASON_CHARS,
            )
        )
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI_CONTROLS for c in text):
        raise LayerError(_("the reason has control characters; write it as plain text"))
    return text


def _bump_version(session: Session) -> int:
    """Bump the table version, taking its row lock until the transaction ends."""
    version = session.execute(
        sa.update(EmojiTableVersion)
        .where(EmojiTableVersion.id == 1)
        .values(version=EmojiTableVersion.version + 1, updated_at=utcnow())
        .returning(EmojiTableVersion.version)
    ).scalar()
    if version is None:
        session.add(EmojiTableVersion(id=1, version=1))
        session.flush()
        version = 1
    return version


def apply(
    session: Session,
    change: Mapping[str, EmojiRow | None],
    actor: str,
    action: str = "set",
    expected: Mapping[str, EmojiRow | None] | None = None,
    reverts_id: int | None = None,
    *,
    reason: str,
) -> Review:
    """Review *change* again under the version lock, then save it and log it; commit.

    :param expected: the layer rows the operator saw in the preview; when one changed
        meanwhile the change is refused.
    :param reason: why the operator makes the change (:func:`check_reason`), logged with it.
    :raises LayerError: the change is refused; nothing was written.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    reason = check_reason(reason)
    try:
        version = _bump_version(session)
        layer = load_layer(session)
        if expected is not None:
            stale = [k for k, row in expected.items() if layer.get(k) != row]
            if stale:
                raise LayerError(
                    _(
                        "changed by someone else since the preview: %(emoji)s; look again",
                        emoji=", ".join(describe_key(k) for k in stale),
                    )
                )
        result = review(layer, change, version - 1, preview=False)
        if not result.ok:
            raise LayerError(result.problems)
        now = utcnow()
        for row_change in result.rows:
            if row_change.layer_before == row_change.layer_after:
                continue
            _write_row(session, row_change.key, row_change.layer_after)
            session.add(
                EmojiAuditEntry(
                    at=now,
                    actor=actor,
                    action=action,
                    key=row_change.key,
                    before=row_to_json(row_change.layer_before),
                    after=row_to_json(row_change.layer_after),
                    version=version,
                    reverts_id=reverts_id,
                    reason=reason,
                )
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    result.index.version = version
    result.version = version
    return result


def _write_row(session: Session, key: str, row: EmojiRow | None) -> None:
    mapping = session.get(EmojiMapping, key)
    if row is None:
        if mapping is not None:
            session.delete(mapping)
        return
    if mapping is None:
        mapping = EmojiMapping(key=key)
        session.add(mapping)
    store_row(mapping, row)
    mapping.updated_at = utcnow()
    session.flush()


def audit_entries(
    session: Session, limit: int = 50, before_id: int | None = None, key: str | None = None
) -> list[EmojiAuditEntry]:
    """Return audit entries, newest first."""
    query = sa.select(EmojiAuditEntry).order_by(EmojiAuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(EmojiAuditEntry.id < before_id)
    if key is not None:
        query = query.where(EmojiAuditEntry.key == key)
    return list(session.scalars(query))


@dataclass
class RevertPlan:
    """What undoing one audit entry changes: its key's layer row put back as it was."""

    entry: EmojiAuditEntry
    #: The change that undoes the entry: its key -> the layer row before it (None: none).
    change: dict[str, EmojiRow | None]
    #: The layer row in force now, which the entry left (a revert is refused if it moved).
    expected: dict[str, EmojiRow | None]


def plan_revert(session: Session, entry_id: int) -> RevertPlan:
    """Tell what undoing audit entry *entry_id* would change (writes nothing).

    :raises LayerError: no such entry, or its key's row changed since (revert the later
        entry first).
    """
    entry = session.get(EmojiAuditEntry, entry_id)
    if entry is None:
        raise LayerError(_("no audit entry #%(id)d", id=entry_id))
    key, before, after = entry.key, row_from_json(entry.before), row_from_json(entry.after)
    current = session.get(EmojiMapping, key)
    if (row_of(current) if current is not None else None) != after:
        later = session.scalar(
            sa.select(EmojiAuditEntry.id)
            .where(EmojiAuditEntry.key == key, EmojiAuditEntry.id > entry_id)
            .order_by(EmojiAuditEntry.id.desc())
            .limit(1)
        )
        if later:
            raise LayerError(
                _(
                    "%(emoji)s changed after entry #%(id)d (by entry #%(later)d);"
                    " revert that one first",
                    emoji=describe_key(key),
                    id=entry_id,
                    later=later,
                )
            )
        raise LayerError(
            _("%(emoji)s changed after entry #%(id)d", emoji=describe_key(key), id=entry_id)
        )
    return RevertPlan(entry, {key: before}, {key: after})


def revert(session: Session, entry_id: int, actor: str, *, reason: str) -> Review:
    """Undo audit entry *entry_id*: put its key's layer row back as it was before.

    :raises LayerError: no reason, no such entry, or the row changed since (revert the
        later entry first), or the table refuses the old row now.
    """
    reason = check_reason(reason)
    try:
        plan = plan_revert(session, entry_id)
    finally:
        session.rollback()  # end the read; apply() takes the lock and looks again
    return apply(
        session,
        plan.change,
        actor,
        "revert",
        expected=plan.expected,
        reverts_id=entry_id,
        reason=reason,
    )


@dataclass
class AuditDiff:
    """An audit entry for people: what was in force before and after, field by field."""

    #: Where the row in force came from before and after: "operator row", "shipped row",
    #: "not in the table" (translated).
    before_origin: str
    after_origin: str
    #: (field label, before, after) for each field that changed, all as text.
    fields: list[tuple[str, str, str]]


def _origin(layer_row: EmojiRow | None, shipped: EmojiRow | None) -> str:
    if layer_row is not None:
        return _("operator row")
    return _("shipped row") if shipped is not None else _("not in the table")


def audit_diff(entry: EmojiAuditEntry) -> AuditDiff:
    """Show *entry* as the fields it changed, before and after, in the language in force.

    Before and after are the rows in force: the operator's row, or where there was none
    the shipped row of the key (as this version of the product ships it).
    """
    shipped = shipped_by_key().get(entry.key)
    layer_before, layer_after = row_from_json(entry.before), row_from_json(entry.after)
    empty = EmojiRow(entry.key)
    before = layer_before or shipped or empty
    after = layer_after or shipped or empty
    fields = [
        (
            _(FIELD_LABELS[name]),
            show_value(name, getattr(before, name)),
            show_value(name, getattr(after, name)),
        )
        for name in FIELDS[1:]
        if getattr(before, name) != getattr(after, name)
    ]
    return AuditDiff(_origin(layer_before, shipped), _origin(layer_after, shipped), fields)
