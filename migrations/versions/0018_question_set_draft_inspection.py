"""question-set drafts: the inspection whose lead may work on a draft

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-03 16:30:00

A draft started by an inspection's lead names that inspection, so the inspection's leads (and
admins) may change it; admins alone publish. Existing drafts name none: admins' as before.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question_set_draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspection_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_question_set_draft_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_question_set_draft_inspection_id_inspection"),
            "inspection",
            ["inspection_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("question_set_draft", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_question_set_draft_inspection_id_inspection"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_question_set_draft_inspection_id"))
        batch_op.drop_column("inspection_id")
