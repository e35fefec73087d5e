"""outbox claims: which front end is sending a message (`claimed_by`), so that several
front-end replicas share one outbox. A message being sent holds a lease (its
`next_attempt_at` while "sending"); a replica that dies leaves it to the others once the
lease runs out, and to itself at once when it starts again under the same name. The index
serves the claim's check that a chat's earlier messages are not still on their way.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_outbox_chat_status", ["chat_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat_status")
        batch_op.drop_column("claimed_by")
