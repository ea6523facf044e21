"""The operators' emoji layer: its rows, the audit log of its changes, and its version."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

__all__ = ["EmojiAuditEntry", "EmojiMapping", "EmojiTableVersion"]


class EmojiMapping(Base):
    """One row of the operators' emoji layer: it replaces the shipped row of the same key.

    Columns mirror :class:`carrier_emoji.EmojiRow`; carrier codes are Shift_JIS codes. A
    best fit of two emoji keeps its second code in ``<carrier>_fit_next``.
    """

    __tablename__ = "emoji_layer"

    #: Internal form of the emoji (a standard emoji, or one carrier-only character).
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    docomo: Mapped[int | None] = mapped_column()
    au: Mapped[int | None] = mapped_column()
    softbank: Mapped[int | None] = mapped_column()
    docomo_fit: Mapped[int | None] = mapped_column()
    au_fit: Mapped[int | None] = mapped_column()
    softbank_fit: Mapped[int | None] = mapped_column()
    #: Second code of a best fit that is a sequence of two emoji (``F89F+F8A0``).
    docomo_fit_next: Mapped[int | None] = mapped_column()
    au_fit_next: Mapped[int | None] = mapped_column()
    softbank_fit_next: Mapped[int | None] = mapped_column()
    google: Mapped[int | None] = mapped_column()
    name_ja: Mapped[str | None] = mapped_column(sa.String(64))
    fit: Mapped[str | None] = mapped_column(sa.String(64))
    localsrc: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<EmojiMapping {self.key!r}>"


class EmojiAuditEntry(Base):
    """One change of the emoji layer: who, when, why, and the layer row before and after.

    ``before``/``after`` are the layer row as JSON (``null``: no layer row, the shipped
    row applies). A revert is itself an entry, pointing at the entry it undid.
    """

    __tablename__ = "emoji_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: User name of the operator, or ``cli:<login>`` for the command line.
    actor: Mapped[str] = mapped_column(sa.String(64))
    #: "set", "remove", "import" or "revert".
    action: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(64), index=True)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    #: Table version this change produced.
    version: Mapped[int] = mapped_column()
    reverts_id: Mapped[int | None] = mapped_column(sa.ForeignKey("emoji_audit.id"))
    #: Why the operator made the change, as they wrote it (None: logged before reasons were
    #: asked for). Every change asks for one (``emoji_changes.check_reason``).
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    def __repr__(self) -> str:
        return f"<EmojiAuditEntry {self.id} {self.action} {self.key!r} by {self.actor}>"


class EmojiTableVersion(Base):
    """The one row (id 1) whose version every change of the emoji layer bumps."""

    __tablename__ = "emoji_table_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<EmojiTableVersion {self.version}>"
