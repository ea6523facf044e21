"""Saving changes of the emoji layer, the audit log, and revert.

:func:`apply` takes the table version's row lock first (an ``UPDATE`` that bumps it),
reviews again against the layer as it is then (:func:`.emoji_review.review`), and writes
the rows and one audit entry per key (who, when, before and after as JSON) in the same
transaction; :func:`revert` undoes one entry, as a change of its own. App instances
notice the new version within a second or two (:mod:`.emoji_sync`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from carrier_emoji import EmojiRow

from ..storage.models import EmojiAuditEntry, EmojiMapping, EmojiTableVersion, utcnow
from .emoji_layer import LayerError, load_layer, row_of, store_row
from .emoji_notation import describe_key, key_text, row_from_json, row_to_json
from .emoji_review import Review, review

__all__ = ["ACTIONS", "apply", "audit_entries", "audit_json", "revert"]

#: Actions written to the audit log.
ACTIONS = ("set", "remove", "import", "revert")


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
) -> Review:
    """Review *change* again under the version lock, then save it and log it; commit.

    :param expected: the layer rows the operator saw in the preview; when one changed
        meanwhile the change is refused.
    :raises LayerError: the change is refused; nothing was written.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    try:
        version = _bump_version(session)
        layer = load_layer(session)
        if expected is not None:
            stale = [k for k, row in expected.items() if layer.get(k) != row]
            if stale:
                raise LayerError(
                    "changed by someone else since the preview: "
                    + ", ".join(describe_key(k) for k in stale)
                    + "; look again"
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


def revert(session: Session, entry_id: int, actor: str) -> Review:
    """Undo audit entry *entry_id*: put its key's layer row back as it was before.

    :raises LayerError: no such entry, or the row changed since (revert the later entry
        first), or the table refuses the old row now.
    """
    entry = session.get(EmojiAuditEntry, entry_id)
    if entry is None:
        session.rollback()
        raise LayerError(f"no audit entry #{entry_id}")
    key, before, after = entry.key, row_from_json(entry.before), row_from_json(entry.after)
    current = session.get(EmojiMapping, key)
    if (row_of(current) if current is not None else None) != after:
        later = session.scalar(
            sa.select(EmojiAuditEntry.id)
            .where(EmojiAuditEntry.key == key, EmojiAuditEntry.id > entry_id)
            .order_by(EmojiAuditEntry.id.desc())
            .limit(1)
        )
        session.rollback()
        raise LayerError(
            f"{describe_key(key)} changed after entry #{entry_id}"
            + (f" (by entry #{later}); revert that one first" if later else "")
        )
    session.rollback()  # end the read; apply() takes the lock and looks again
    return apply(
        session, {key: before}, actor, "revert", expected={key: after}, reverts_id=entry_id
    )


def audit_json(data: dict | None) -> str:
    """Show an audit before/after value as JSON (``null`` for none), keys readable."""
    if data is not None and data.get("key"):
        data = dict(data, key=key_text(data["key"]))
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
