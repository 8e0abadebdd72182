"""one-time account links (invitations, password resets); must change password

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 09:00:00

- account_link: a one-time link to set a password, for a new account (invitation) or a reset
  started by an administrator. Only the SHA-256 of the token is kept; a link works once
  (used_at), until expires_at, and is revoked by a newer link or a deactivation (revoked_at).
- user.must_change_password: set with a temporary password given by an administrator; the
  user changes it before anything else. Existing accounts: false.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_account_link_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_account_link_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
    )
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_link_user_id"), ["user_id"], unique=False)

    # A plain ADD COLUMN (no table rebuild on SQLite); the default fills existing rows.
    op.add_column(
        "user",
        sa.Column(
            "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")

    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_link_user_id"))
    op.drop_table("account_link")
