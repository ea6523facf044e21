"""Security: sessions bound to the terminal and to their sign-in; one-time post tokens.

Sessions get the model and full-browser flag of the terminal they were made for, the id
of the sign-in they came from, the easy-login binding that opened them, and the draft of
an echo typed when an earlier session expired; only signed-in users have sessions now.
Every stored session is ended (none was bound to its model): users sign in once more.
Echoes get ``post_key``, unique per author: a retried post lands once.

Revision ID: 0005_security
Revises: 0004_sequence_fits
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

#: Revision identifiers, used by Alembic.
revision = "0005_security"
down_revision = "0004_sequence_fits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """End every session, add the binding columns; add ``echoes.post_key``."""
    op.execute(sa.text("DELETE FROM auth_sessions"))
    with op.batch_alter_table("auth_sessions") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch.add_column(sa.Column("sign_in_id", sa.String(length=32), nullable=False))
        batch.add_column(sa.Column("binding_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("model", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("full_browser", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("draft", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_auth_sessions_binding_id_subscriber_bindings"),
            "subscriber_bindings",
            ["binding_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_auth_sessions_sign_in_id"), ["sign_in_id"])
        batch.create_index(op.f("ix_auth_sessions_binding_id"), ["binding_id"])
        batch.create_index(op.f("ix_auth_sessions_last_seen_at"), ["last_seen_at"])
    with op.batch_alter_table("echoes") as batch:
        batch.add_column(sa.Column("post_key", sa.String(length=32), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_echoes_author_id_post_key"), ["author_id", "post_key"]
        )


def downgrade() -> None:
    """Drop the columns again (sessions end once more)."""
    with op.batch_alter_table("echoes") as batch:
        batch.drop_constraint(op.f("uq_echoes_author_id_post_key"), type_="unique")
        batch.drop_column("post_key")
    op.execute(sa.text("DELETE FROM auth_sessions"))
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_index(op.f("ix_auth_sessions_last_seen_at"))
        batch.drop_index(op.f("ix_auth_sessions_binding_id"))
        batch.drop_index(op.f("ix_auth_sessions_sign_in_id"))
        batch.drop_constraint(
            op.f("fk_auth_sessions_binding_id_subscriber_bindings"), type_="foreignkey"
        )
        batch.drop_column("draft")
        batch.drop_column("full_browser")
        batch.drop_column("model")
        batch.drop_column("binding_id")
        batch.drop_column("sign_in_id")
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
