"""The JSON API's tokens; feed subscriptions and the entries seen of them (cross-posting).

Revision ID: 0007_api
Revises: 0006_social
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

#: Revision identifiers, used by Alembic.
revision = "0007_api"
down_revision = "0006_social"
branch_labels = None
depends_on = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    """Return a timezone-aware timestamp column (``models.UTCDateTime`` in the models)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create ``api_tokens``, ``feed_subscriptions`` and ``crosspost_entries``."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("last_chars", sa.String(length=8), nullable=False),
        sa.Column("scopes", sa.String(length=32), nullable=False),
        _timestamp("created_at"),
        _timestamp("last_used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_api_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    op.create_table(
        "feed_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        _timestamp("created_at"),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        _timestamp("synced_at", nullable=True),
        _timestamp("last_fetched_at", nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("posted_count", sa.Integer(), server_default="0", nullable=False),
        _timestamp("next_fetch_at"),
        _timestamp("leased_until", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_feed_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_subscriptions")),
        sa.UniqueConstraint("user_id", "url", name=op.f("uq_feed_subscriptions_user_id_url")),
    )
    op.create_index(op.f("ix_feed_subscriptions_user_id"), "feed_subscriptions", ["user_id"])
    op.create_index(
        op.f("ix_feed_subscriptions_next_fetch_at"), "feed_subscriptions", ["next_fetch_at"]
    )
    op.create_table(
        "crosspost_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.String(length=64), nullable=False),
        sa.Column("echo_id", sa.Integer(), nullable=True),
        _timestamp("seen_at"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["feed_subscriptions.id"],
            name=op.f("fk_crosspost_entries_subscription_id_feed_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["echo_id"],
            ["echoes.id"],
            name=op.f("fk_crosspost_entries_echo_id_echoes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosspost_entries")),
        sa.UniqueConstraint(
            "subscription_id",
            "entry_key",
            name=op.f("uq_crosspost_entries_subscription_id_entry_key"),
        ),
    )
    op.create_index(op.f("ix_crosspost_entries_echo_id"), "crosspost_entries", ["echo_id"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_index(op.f("ix_crosspost_entries_echo_id"), table_name="crosspost_entries")
    op.drop_table("crosspost_entries")
    op.drop_index(op.f("ix_feed_subscriptions_next_fetch_at"), table_name="feed_subscriptions")
    op.drop_index(op.f("ix_feed_subscriptions_user_id"), table_name="feed_subscriptions")
    op.drop_table("feed_subscriptions")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
