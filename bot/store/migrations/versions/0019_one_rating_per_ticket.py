"""one rating per citizen and ticket (N10): a citizen who rates a ticket again replaces
their earlier rating (bot.store.repository.Repository.store_rating), so officers' reports
and averages count each citizen's rating of a ticket once. Ratings stored twice before this
are reduced to the latest one (their scores and comments stay in the ticket's history as
"rating" events). General feedback (no ticket) and ratings whose citizen was deleted (NULL)
are not limited: NULLs are distinct in a unique index on SQLite and PostgreSQL alike.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-11 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM ratings WHERE citizen_id IS NOT NULL AND ticket_id IS NOT NULL "
        "AND id NOT IN (SELECT MAX(id) FROM ratings WHERE citizen_id IS NOT NULL "
        "AND ticket_id IS NOT NULL GROUP BY citizen_id, ticket_id)"
    )
    op.create_index(
        "uq_ratings_citizen_ticket", "ratings", ["citizen_id", "ticket_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_ratings_citizen_ticket", table_name="ratings")
