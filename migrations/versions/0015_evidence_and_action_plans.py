"""evidence log and action plans: entries beyond the case files, the force's actions, updates

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:30:00

Adds inspection.published_on (the day its report was published: recommendation timescales run
from it), evidence_entry with its recommendation links, action_plan_item and action_update.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_on", sa.Date(), nullable=True))
    op.create_table(
        "evidence_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("chapters", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_evidence_entry_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_evidence_entry_inspection_id_inspection"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_entry")),
    )
    with op.batch_alter_table("evidence_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_entry_inspection_id"), ["inspection_id"], unique=False
        )
    op.create_table(
        "evidence_recommendation",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["evidence_entry.id"],
            name=op.f("fk_evidence_recommendation_entry_id_evidence_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_evidence_recommendation_recommendation_id_recommendation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "recommendation_id", name=op.f("pk_evidence_recommendation")),
    )
    with op.batch_alter_table("evidence_recommendation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_recommendation_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )
    op.create_table(
        "action_plan_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_action_plan_item_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_action_plan_item_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_action_plan_item_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plan_item")),
    )
    with op.batch_alter_table("action_plan_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_plan_item_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_plan_item_recommendation_id"), ["recommendation_id"], unique=False
        )
    op.create_table(
        "action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action_plan_item.id"],
            name=op.f("fk_action_update_action_id_action_plan_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_action_update_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
    )
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_update_action_id"), ["action_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_update_action_id"))
    op.drop_table("action_update")
    with op.batch_alter_table("action_plan_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_plan_item_recommendation_id"))
        batch_op.drop_index(batch_op.f("ix_action_plan_item_inspection_id"))
    op.drop_table("action_plan_item")
    with op.batch_alter_table("evidence_recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_recommendation_recommendation_id"))
    op.drop_table("evidence_recommendation")
    with op.batch_alter_table("evidence_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_entry_inspection_id"))
    op.drop_table("evidence_entry")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_column("published_on")
