"""Friendships indexed by user and status on both sides of the pair.

The home page counts the friend requests waiting for a user; with only ``user_high_id``
indexed, a user with 5,000 friends had all 5,000 rows read for it. ``(user_high_id,
status)`` replaces the index on ``user_high_id`` (it serves everything that one did).

Revision ID: 0009_friendship_status
Revises: 0008_audit_reason
Create Date: 2026-11-29
"""

from alembic import op

#: Revision identifiers, used by Alembic.
revision = "0009_friendship_status"
down_revision = "0008_audit_reason"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index friendships by (user, status) from each side; drop the plain high-side index."""
    op.create_index("ix_friendships_user_low_id_status", "friendships", ["user_low_id", "status"])
    op.create_index("ix_friendships_user_high_id_status", "friendships", ["user_high_id", "status"])
    op.drop_index("ix_friendships_user_high_id", table_name="friendships")


def downgrade() -> None:
    """Put the plain index on ``user_high_id`` back."""
    op.create_index("ix_friendships_user_high_id", "friendships", ["user_high_id"])
    op.drop_index("ix_friendships_user_high_id_status", table_name="friendships")
    op.drop_index("ix_friendships_user_low_id_status", table_name="friendships")
