"""sample draws: the one-step draw they belong to, and whether each was a top-up

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14 09:00:00

- sample_draw.batch: the number of the lead's one-step draw (1, 2, ...) within the
  inspection; every case type drawn in one step shares it, and a draw is undone by it.
  Existing draws: each its own batch, numbered by id.
- sample_draw.top_up: true when cases of the type were already in the sample when it was
  drawn. Existing draws: false.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sample_draw", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("top_up", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE sample_draw SET batch = id")
    with op.batch_alter_table("sample_draw", schema=None) as batch_op:
        batch_op.alter_column("batch", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("top_up", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("sample_draw", schema=None) as batch_op:
        batch_op.drop_column("top_up")
        batch_op.drop_column("batch")
