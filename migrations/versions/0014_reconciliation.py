"""urgent concerns acknowledged with what was done; blind second audits reconciled per question

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:20:00

- case.current_risk_action, case.current_risk_action_at: what the acknowledging lead did about
  an urgent concern (e.g. passed to the force's duty inspector) and when they did it.
- answer_reconciliation: for each question where a first and a blind second audit differ, which
  answer stands (first, second, or one the lead entered), its value and the lead's reason.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_risk_action", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("current_risk_action_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "answer_reconciliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("second_audit_id", sa.Integer(), nullable=False),
        sa.Column("question_code", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_answer_reconciliation_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["second_audit_id"],
            ["second_audit.id"],
            name=op.f("fk_answer_reconciliation_second_audit_id_second_audit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_reconciliation")),
        sa.UniqueConstraint(
            "second_audit_id",
            "question_code",
            name=op.f("uq_answer_reconciliation_second_audit_id_question_code"),
        ),
    )
    with op.batch_alter_table("answer_reconciliation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_reconciliation_second_audit_id"),
            ["second_audit_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("answer_reconciliation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_reconciliation_second_audit_id"))
    op.drop_table("answer_reconciliation")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("current_risk_action_at")
        batch_op.drop_column("current_risk_action")
