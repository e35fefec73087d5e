"""nlu review items: citizen messages the language model may have got wrong (low
confidence, fallback, followed by a correction), masked, for the trainers' inbox; and the
collector's cursor in Rasa's `events` table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nlu_review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracker_event_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_review_items")),
        sa.UniqueConstraint("tracker_event_id", name=op.f("uq_nlu_review_items_tracker_event_id")),
    )
    op.create_index(
        "ix_nlu_review_items_created_at", "nlu_review_items", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_nlu_review_items_sender_hash"), "nlu_review_items", ["sender_hash"], unique=False
    )
    op.create_table(
        "nlu_review_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_review_cursor")),
    )


def downgrade() -> None:
    op.drop_table("nlu_review_cursor")
    op.drop_index(op.f("ix_nlu_review_items_sender_hash"), table_name="nlu_review_items")
    op.drop_index("ix_nlu_review_items_created_at", table_name="nlu_review_items")
    op.drop_table("nlu_review_items")
