"""nlu review entities: the entities a trainer marked on a group of the review inbox
(service with its catalogue id, ticket_id), with their span in each item's masked text;
bot.training.export writes them as Rasa entity markup.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nlu_review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_entities", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nlu_review_items", schema=None) as batch_op:
        batch_op.drop_column("reviewed_entities")
