"""skm responses: the Survei Kepuasan Masyarakat (PermenPANRB 14/2017), one row per
citizen's survey of a service or resolved ticket, keyed by an HMAC of the sender (never the
Telegram id), nine answers 1-4 (NULL: skipped), a masked comment. The 1-5 `ratings` table
stays for the old data and free feedback.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skm_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_key", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.String(length=40), nullable=True),
        sa.Column("office_id", sa.String(length=40), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *[sa.Column(f"u{n}", sa.Integer(), nullable=True) for n in range(1, 10)],
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_skm_responses_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_skm_responses_service_id_services"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_skm_responses_office_id_offices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skm_responses")),
    )
    with op.batch_alter_table("skm_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_skm_responses_respondent_created", ["respondent_key", "created_at"], unique=False
        )
        batch_op.create_index("ix_skm_responses_period", ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_skm_responses_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("skm_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skm_responses_ticket_id"))
        batch_op.drop_index("ix_skm_responses_period")
        batch_op.drop_index("ix_skm_responses_respondent_created")
    op.drop_table("skm_responses")
