"""nlu review decisions: the trainer's decision on a review item (status confirmed,
relabelled or discarded), the intent it is trained under, who decided and when. The
`trainer` console role needs no schema change (roles are stored as plain strings).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nlu_review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_intent", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_nlu_review_items_reviewed_by_officers"),
            "officers",
            ["reviewed_by"],
            ["id"],
        )
        batch_op.create_index("ix_nlu_review_items_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nlu_review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_nlu_review_items_status")
        batch_op.drop_constraint(
            batch_op.f("fk_nlu_review_items_reviewed_by_officers"), type_="foreignkey"
        )
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("reviewed_intent")
