"""threshold confirmations: a lead confirms a question set's unverified thresholds per inspection

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 16:30:00

- threshold_confirmation: a threshold marked ``unverified`` in a question-set version (e.g.
  "OC10:low"), confirmed by a lead for one inspection; until then the grades of that
  inspection's cases that use it are provisional.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "threshold_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("question_set_id", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.String(length=100), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_threshold_confirmation_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["question_set_id"],
            ["question_set.id"],
            name=op.f("fk_threshold_confirmation_question_set_id_question_set"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user.id"],
            name=op.f("fk_threshold_confirmation_confirmed_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threshold_confirmation")),
        sa.UniqueConstraint(
            "inspection_id",
            "question_set_id",
            "threshold",
            name="uq_threshold_confirmation_once",
        ),
    )
    with op.batch_alter_table("threshold_confirmation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_threshold_confirmation_inspection_id"), ["inspection_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("threshold_confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_threshold_confirmation_inspection_id"))
    op.drop_table("threshold_confirmation")
