"""nlu review export: when a reviewed item went into the training data
(`python -m bot nlu export`, bot.training.export), so a second export adds nothing again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nlu_review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nlu_review_items", schema=None) as batch_op:
        batch_op.drop_column("exported_at")
