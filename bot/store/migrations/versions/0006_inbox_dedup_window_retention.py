"""inbox dedup window and retention: Telegram update ids are unique only for a while, so
`(bot_id, update_id)` is unique only among rows whose deduplication window is open
(`dedup_active` true, NULL once a later update reused the id); raw updates may be blanked
(retention); an index for the retry and recovery jobs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedup_active", sa.Boolean(), nullable=True))
        batch_op.alter_column("raw", existing_type=sa.JSON(), nullable=True)
    # Every stored row keeps deduplicating its id until the id is reused after the window.
    op.execute(sa.text("UPDATE inbox_messages SET dedup_active = :yes").bindparams(yes=True))
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_inbox_bot_update", type_="unique")
        batch_op.create_unique_constraint(
            "uq_inbox_bot_update_open", ["bot_id", "update_id", "dedup_active"]
        )
        batch_op.create_index("ix_inbox_status_due", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    # The old constraint allows one row per update id ever: drop rows whose window closed.
    op.execute(sa.text("DELETE FROM inbox_messages WHERE dedup_active IS NULL"))
    op.execute(sa.text("UPDATE inbox_messages SET raw = '{}' WHERE raw IS NULL"))
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_status_due")
        batch_op.drop_constraint("uq_inbox_bot_update_open", type_="unique")
        batch_op.create_unique_constraint("uq_inbox_bot_update", ["bot_id", "update_id"])
        batch_op.alter_column("raw", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("dedup_active")
