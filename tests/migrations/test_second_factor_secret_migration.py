"""Migration 0020: second-factor secrets written in clear are encrypted on the way up (with the
app's SECOND_FACTOR_KEY) and decrypted on the way down."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from auditapp.extensions import db
from auditapp.models import SecondFactor
from auditapp.services import second_factor
from tests import factories

# The revision before the secrets were encrypted (renumber with the migration if it moves).
BEFORE_ENCRYPTION = "0012"


def _stored(column: str) -> str:
    return str(db.session.execute(text(f"SELECT {column} FROM second_factor")).scalar_one())


def test_secrets_in_clear_are_encrypted_going_up_and_decrypted_going_down(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = factories.make_user("totp@example.test").id
    db.session.commit()
    db.session.remove()
    downgrade(revision=BEFORE_ENCRYPTION)
    secret = pyotp.random_base32()
    db.session.execute(
        text(
            "INSERT INTO second_factor (user_id, secret, created_at) "
            "VALUES (:user_id, :secret, :created_at)"
        ),
        {"user_id": user_id, "secret": secret, "created_at": datetime.now(UTC)},
    )
    db.session.commit()

    upgrade()
    stored = _stored("encrypted_secret")
    assert secret not in stored and len(stored) > 64  # the column was widened for the token
    assert Fernet(app.config["SECOND_FACTOR_KEY"]).decrypt(stored.encode()).decode() == secret
    factor = db.session.scalars(db.select(SecondFactor)).one()
    assert second_factor.secret_of(factor) == secret  # the app reads what the migration wrote
    db.session.remove()

    # Down again needs the key the secrets were encrypted with, and says so.
    monkeypatch.setitem(app.config, "SECOND_FACTOR_KEY", Fernet.generate_key().decode())
    with pytest.raises(SystemExit):  # Flask-Migrate reports the RuntimeError and exits
        downgrade(revision=BEFORE_ENCRYPTION)
    db.session.remove()
    assert _stored("encrypted_secret") == stored  # nothing was changed
    db.session.remove()  # PostgreSQL: an open read would hold up the ALTER below
    monkeypatch.undo()

    downgrade(revision=BEFORE_ENCRYPTION)
    assert _stored("secret") == secret
    db.session.remove()
    upgrade()
