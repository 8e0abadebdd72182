"""second-factor secrets encrypted at rest; user.failed_logins and user.locked_until dropped

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-14 09:00:00

- second_factor.secret (base32 in clear, 64) becomes encrypted_secret (a Fernet token, 255:
  140 characters for a 32-character secret), and every existing secret is encrypted with
  SECOND_FACTOR_KEY: the app's own setting when run by `flask db upgrade`, else the
  environment's, else the published development key config.py derives for development and
  tests (production refuses to start, and so to migrate, without the key once second factors
  exist). Downgrade decrypts them (with SECOND_FACTOR_KEY or a key of
  SECOND_FACTOR_KEY_FALLBACKS).
- user.failed_logins and user.locked_until, unused since 0005 (sign_in_failure counts failed
  sign-ins), are dropped. Downgrade adds them back empty (0 and NULL).

SQLite rebuilds both tables (batch mode); migrations/env.py switches foreign keys off while
migrating, so dropping the old table does not trip over the rows pointing at it, and checks
every reference afterwards.
"""

import base64
import hashlib
import os

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app, has_app_context

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# As config.py derives DEVELOPMENT_SECOND_FACTOR_KEY; copied, as a migration must not change
# when the app's code does.
_DEVELOPMENT_LABEL = "auditapp development second-factor key"


def _key_ring() -> MultiFernet:
    settings = current_app.config if has_app_context() else {}
    primary = (
        settings.get("SECOND_FACTOR_KEY")
        or os.environ.get("SECOND_FACTOR_KEY")
        or base64.urlsafe_b64encode(hashlib.sha256(_DEVELOPMENT_LABEL.encode()).digest()).decode()
    )
    fallbacks = settings.get("SECOND_FACTOR_KEY_FALLBACKS") or [
        key.strip()
        for key in os.environ.get("SECOND_FACTOR_KEY_FALLBACKS", "").split(",")
        if key.strip()
    ]
    return MultiFernet([Fernet(key) for key in [primary, *fallbacks]])


def _rewrite(change) -> None:
    """Replace each stored secret by change(secret): the column is renamed before, or after."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, encrypted_secret FROM second_factor")).all()
    for row_id, value in rows:
        bind.execute(
            sa.text("UPDATE second_factor SET encrypted_secret = :value WHERE id = :id"),
            {"value": change(value), "id": row_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("second_factor", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            new_column_name="encrypted_secret",
            existing_type=sa.String(length=64),
            type_=sa.String(length=255),
            existing_nullable=False,
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")
    ring = _key_ring()
    _rewrite(lambda secret: ring.encrypt(secret.encode()).decode())


def downgrade() -> None:
    ring = _key_ring()

    def decrypt(token: str) -> str:
        try:
            return ring.decrypt(token.encode()).decode()
        except InvalidToken:
            raise RuntimeError(
                "A second-factor secret cannot be decrypted: set SECOND_FACTOR_KEY (or "
                "SECOND_FACTOR_KEY_FALLBACKS) to the key it was encrypted with"
            ) from None

    _rewrite(decrypt)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("failed_logins", server_default=None)
    with op.batch_alter_table("second_factor", schema=None) as batch_op:
        batch_op.alter_column(
            "encrypted_secret",
            new_column_name="secret",
            existing_type=sa.String(length=255),
            type_=sa.String(length=64),
            existing_nullable=False,
        )
