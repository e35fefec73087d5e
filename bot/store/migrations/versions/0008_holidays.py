"""holidays: the working-day calendar moves from the tracked `data/holidays.yml` into the
database, where admins edit it; the new table is seeded from that file (HOLIDAYS_PATH).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
import yaml
from alembic import op

from bot.config import get_settings

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _seed_rows() -> list[dict[str, object]]:
    """The entries of the holidays file, as rows (self-contained: migrations do not import
    the application's readers, which may change later)."""
    path = get_settings().holidays_path
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    now = datetime.now(timezone.utc)
    rows: dict[date, dict[str, object]] = {}
    for entry in raw.get("holidays") or []:
        value = entry["date"]
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        rows[day] = {
            "day": day,
            "name": " ".join(str(entry.get("name", "")).split())[:200],
            "kind": str(entry.get("kind", "libur_nasional")),
            "provisional": bool(entry.get("provisional", False)),
            "updated_at": now,
        }
    return [rows[day] for day in sorted(rows)]


def upgrade() -> None:
    holidays = op.create_table(
        "holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holidays")),
    )
    rows = _seed_rows()
    if rows:
        op.bulk_insert(holidays, rows)


def downgrade() -> None:
    op.drop_table("holidays")
