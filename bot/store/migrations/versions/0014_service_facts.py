"""service facts: where each aspect of a catalogue service comes from (source, the date it
was checked, whether the rule is regional). Schema only: `make seed` adds the catalogue
file's facts to stored services (bot.store.catalogue.seed_catalogue).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=40), nullable=False),
        sa.Column("aspect", sa.String(length=30), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("checked", sa.Date(), nullable=True),
        sa.Column("regional", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_facts_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_facts")),
        sa.UniqueConstraint("service_id", "aspect", name="uq_service_facts_aspect"),
    )
    with op.batch_alter_table("service_facts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_facts_service_id"), ["service_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("service_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_facts_service_id"))
    op.drop_table("service_facts")
