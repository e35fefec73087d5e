"""nlu model registry: every trained model (file, data hash, training progress, held-out
scores, who activated it and why) and the history of activations that rollback walks back.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nlu_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("trained_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("training_seconds", sa.Float(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=200), nullable=False),
        sa.Column("log_tail", sa.Text(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_by", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["trained_by"], ["officers.id"], name=op.f("fk_nlu_models_trained_by_officers")
        ),
        sa.ForeignKeyConstraint(
            ["activated_by"], ["officers.id"], name=op.f("fk_nlu_models_activated_by_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_models")),
        sa.UniqueConstraint("file_name", name=op.f("uq_nlu_models_file_name")),
    )
    op.create_index(op.f("ix_nlu_models_status"), "nlu_models", ["status"], unique=False)
    op.create_table(
        "nlu_model_activations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["nlu_models.id"],
            name=op.f("fk_nlu_model_activations_model_id_nlu_models"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["officers.id"], name=op.f("fk_nlu_model_activations_actor_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_model_activations")),
    )
    op.create_index(
        op.f("ix_nlu_model_activations_model_id"),
        "nlu_model_activations",
        ["model_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_nlu_model_activations_model_id"), table_name="nlu_model_activations")
    op.drop_table("nlu_model_activations")
    op.drop_index(op.f("ix_nlu_models_status"), table_name="nlu_models")
    op.drop_table("nlu_models")
