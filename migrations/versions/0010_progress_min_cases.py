"""recommendation progress: minimum cases per inspection; cases behind an entered baseline

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-12 09:00:00

- inspection.progress_min_cases: the fewest distinct cases on each side (baseline and now) a
  suggested progress judgement may speak on; below it the suggestion is "insufficient evidence
  to judge". Existing inspections get the default, 5.
- recommendation_judgement.baseline_cases: how many cases a baseline rate entered by a lead
  came from (the earlier report's sample), so the minimum applies to it too. Null for rates
  entered before: their suggestions say the number is not known.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("progress_min_cases", sa.Integer(), server_default="5", nullable=False)
        )
    with op.batch_alter_table("recommendation_judgement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline_cases", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recommendation_judgement", schema=None) as batch_op:
        batch_op.drop_column("baseline_cases")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_column("progress_min_cases")
