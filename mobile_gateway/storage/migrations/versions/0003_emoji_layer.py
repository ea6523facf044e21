"""The operators' emoji layer: layer rows, their audit log, and the table version.

Revision ID: 0003_emoji_layer
Revises: 0002_gateways
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

#: Revision identifiers, used by Alembic.
revision = "0003_emoji_layer"
down_revision = "0002_gateways"
branch_labels = None
depends_on = None


def _timestamp(name: str) -> sa.Column:
    """Return a timezone-aware timestamp column (``models.UTCDateTime`` in the models)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    """Create the three tables and the version row (version 0: the shipped table)."""
    op.create_table(
        "emoji_layer",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("docomo", sa.Integer(), nullable=True),
        sa.Column("au", sa.Integer(), nullable=True),
        sa.Column("softbank", sa.Integer(), nullable=True),
        sa.Column("docomo_fit", sa.Integer(), nullable=True),
        sa.Column("au_fit", sa.Integer(), nullable=True),
        sa.Column("softbank_fit", sa.Integer(), nullable=True),
        sa.Column("google", sa.Integer(), nullable=True),
        sa.Column("name_ja", sa.String(length=64), nullable=True),
        sa.Column("fit", sa.String(length=64), nullable=True),
        sa.Column("localsrc", sa.Integer(), nullable=True),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_emoji_layer")),
    )
    op.create_table(
        "emoji_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        _timestamp("at"),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reverts_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reverts_id"], ["emoji_audit.id"], name=op.f("fk_emoji_audit_reverts_id_emoji_audit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emoji_audit")),
    )
    op.create_index(op.f("ix_emoji_audit_at"), "emoji_audit", ["at"])
    op.create_index(op.f("ix_emoji_audit_key"), "emoji_audit", ["key"])
    op.create_table(
        "emoji_table_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _timestamp("updated_at"),
        sa.CheckConstraint("id = 1", name=op.f("ck_emoji_table_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emoji_table_version")),
    )
    op.execute(
        "INSERT INTO emoji_table_version (id, version, updated_at) VALUES (1, 0, CURRENT_TIMESTAMP)"
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("emoji_table_version")
    op.drop_index(op.f("ix_emoji_audit_key"), table_name="emoji_audit")
    op.drop_index(op.f("ix_emoji_audit_at"), table_name="emoji_audit")
    op.drop_table("emoji_audit")
    op.drop_table("emoji_layer")
