"""Best fits of two emoji: the second code of each carrier's fit.

Revision ID: 0004_sequence_fits
Revises: 0003_emoji_layer
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

#: Revision identifiers, used by Alembic.
revision = "0004_sequence_fits"
down_revision = "0003_emoji_layer"
branch_labels = None
depends_on = None

CARRIERS = ("docomo", "au", "softbank")


def upgrade() -> None:
    """Add ``<carrier>_fit_next`` to the layer rows (None: a fit of one emoji)."""
    with op.batch_alter_table("emoji_layer") as batch:
        for carrier in CARRIERS:
            batch.add_column(sa.Column(f"{carrier}_fit_next", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop the second codes (sequence fits become their first emoji)."""
    with op.batch_alter_table("emoji_layer") as batch:
        for carrier in CARRIERS:
            batch.drop_column(f"{carrier}_fit_next")
