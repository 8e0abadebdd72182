"""sign-in failures per email and address; API tokens expire

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 09:00:00

- sign_in_failure: one row per failed sign-in (the email tried, the client's address, when),
  counted to lock an email+address pair and to cap an account's failures from everywhere.
  It replaces the outright account lock. user.failed_logins and user.locked_until are no
  longer used but stay: on SQLite, dropping a column rebuilds "user", which the foreign keys
  pointing at it refuse; a later revision can drop them with foreign keys switched off.
- api_token.expires_at: chosen at creation. Tokens that exist already expire 90 days after
  this migration.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

EXISTING_TOKENS_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sign_in_failure_email_failed_at", ["email", "failed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sign_in_failure_failed_at"), ["failed_at"], unique=False
        )

    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + timedelta(days=EXISTING_TOKENS_DAYS)
    op.get_bind().execute(
        sa.text("UPDATE api_token SET expires_at = :expires WHERE expires_at IS NULL"),
        {"expires": expires},
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_failure_failed_at"))
        batch_op.drop_index("ix_sign_in_failure_email_failed_at")
    op.drop_table("sign_in_failure")
