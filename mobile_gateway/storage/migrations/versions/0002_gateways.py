"""Carrier gateways: gateway IP ranges, easy-login bindings, rate limits, untrusted-id counts.

Revision ID: 0002_gateways
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

#: Revision identifiers, used by Alembic.
revision = "0002_gateways"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "carrier_ranges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("cidr", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("source_date", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_ranges")),
        sa.UniqueConstraint("carrier", "cidr", name=op.f("uq_carrier_ranges_carrier_cidr")),
    )
    op.create_table(
        "subscriber_bindings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("subscriber_hash", sa.String(length=64), nullable=False),
        sa.Column("masked", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subscriber_bindings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriber_bindings")),
        sa.UniqueConstraint(
            "carrier",
            "subscriber_hash",
            name=op.f("uq_subscriber_bindings_carrier_subscriber_hash"),
        ),
    )
    op.create_index(op.f("ix_subscriber_bindings_user_id"), "subscriber_bindings", ["user_id"])
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_limit_counters")),
    )
    op.create_index(
        op.f("ix_rate_limit_counters_window_start"), "rate_limit_counters", ["window_start"]
    )
    op.create_table(
        "untrusted_subscriber_counts",
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_address", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("carrier", "day", name=op.f("pk_untrusted_subscriber_counts")),
    )


def downgrade() -> None:
    """Drop the four tables (their indexes go with them)."""
    op.drop_table("untrusted_subscriber_counts")
    op.drop_table("rate_limit_counters")
    op.drop_table("subscriber_bindings")
    op.drop_table("carrier_ranges")
