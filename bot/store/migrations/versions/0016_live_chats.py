"""live chats: a citizen's request to talk to an officer (waiting, taken, ended, or a
call-back request) and its messages, the officer's delivered through the outbox.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("office_id", sa.String(length=40), nullable=True),
        sa.Column("service_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("end_reason", sa.String(length=24), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("typing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("typing_shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_live_chats_citizen_id_citizens")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_live_chats_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_live_chats_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_live_chats_officer_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_live_chats_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_chats")),
    )
    with op.batch_alter_table("live_chats", schema=None) as batch_op:
        batch_op.create_index(
            "ix_live_chats_state_requested", ["state", "requested_at"], unique=False
        )
        batch_op.create_index("ix_live_chats_sender_state", ["sender_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_chats_citizen_id"), ["citizen_id"], unique=False)
    op.create_table(
        "live_chat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("live_chat_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("history", sa.Boolean(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["live_chat_id"],
            ["live_chats.id"],
            name=op.f("fk_live_chat_messages_live_chat_id_live_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox_messages.id"],
            name=op.f("fk_live_chat_messages_outbox_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_chat_messages")),
    )
    with op.batch_alter_table("live_chat_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_chat_messages_live_chat_id"), ["live_chat_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("live_chat_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_chat_messages_live_chat_id"))
    op.drop_table("live_chat_messages")
    with op.batch_alter_table("live_chats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_chats_citizen_id"))
        batch_op.drop_index("ix_live_chats_sender_state")
        batch_op.drop_index("ix_live_chats_state_requested")
    op.drop_table("live_chats")
