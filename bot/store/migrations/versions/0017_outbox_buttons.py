"""outbox buttons: the inline buttons (title, payload) of an outbox message, for the
assistant's replies in a conversation, which now pass through the outbox so that a
failed send to Telegram is retried instead of lost (NULL: the kind's buttons, if any).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("buttons", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("buttons")
