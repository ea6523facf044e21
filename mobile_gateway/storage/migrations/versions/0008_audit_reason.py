"""The operator's reason for each change of the emoji layer.

Revision ID: 0008_audit_reason
Revises: 0007_api
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

#: Revision identifiers, used by Alembic.
revision = "0008_audit_reason"
down_revision = "0007_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``emoji_audit.reason`` (empty for the entries written before it was asked for)."""
    with op.batch_alter_table("emoji_audit") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    """Drop the reasons."""
    with op.batch_alter_table("emoji_audit") as batch:
        batch.drop_column("reason")
