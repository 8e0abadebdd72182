"""case-type labels remembered per force

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-14 09:00:00

- case_type_label: a force's own case-type label (lower case, as in its case list) and the
  case type the lead mapped it to; offered again at the force's next case-list import.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_type_label",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(length=120), nullable=False),
        sa.Column("label", sa.String(length=160), nullable=False),
        sa.Column("case_type_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_type_id"],
            ["case_type.id"],
            name=op.f("fk_case_type_label_case_type_id_case_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_type_label")),
        sa.UniqueConstraint("force", "label", name=op.f("uq_case_type_label_force_label")),
    )
    with op.batch_alter_table("case_type_label", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_type_label_case_type_id"), ["case_type_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_type_label", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_type_label_case_type_id"))
    op.drop_table("case_type_label")
