"""question-set drafts, apart from the immutable versions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-14 09:00:00

- question_set_draft: a question set being prepared (status draft / published / discarded),
  holding the data a question-set file parses to. It is a table of its own so that
  question_set keeps only immutable versions: nothing that points at question_set (cases,
  an inspection's chosen versions, the parsed-set cache keyed on its id) can reach a draft.
  Publishing stores the next version in question_set and links it here (published_id).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_set_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("published_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["question_set.id"],
            name=op.f("fk_question_set_draft_based_on_id_question_set"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_question_set_draft_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["published_id"],
            ["question_set.id"],
            name=op.f("fk_question_set_draft_published_id_question_set"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_question_set_draft_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_set_draft")),
    )


def downgrade() -> None:
    op.drop_table("question_set_draft")
