"""service reporting deadline: a legal deadline for the citizen (a birth reported within
60 days, a death within 30), with its basis, answered when a citizen asks "batas waktunya".

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporting_deadline", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reporting_deadline_basis", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("reporting_deadline_basis")
        batch_op.drop_column("reporting_deadline")
