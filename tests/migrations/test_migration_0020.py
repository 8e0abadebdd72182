"""Migration 0020: second-factor secrets written in clear are encrypted on the way up (with the
app's SECOND_FACTOR_KEY) and decrypted on the way down; the unused user.failed_logins and
user.locked_until go, and every row pointing at a rebuilt table stays."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from auditapp.extensions import db
from auditapp.models import CaseStatus, Inspection, SecondFactor, User
from auditapp.services import second_factor
from tests import factories

# The revision before 0020 (renumber with the migration if it moves).
BEFORE_ENCRYPTION = "0019"
LOCK_COLUMNS = {"failed_logins", "locked_until"}


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
    # A recovery code points at the factor: rebuilding second_factor on SQLite must keep it.
    db.session.execute(
        text(
            "INSERT INTO recovery_code (second_factor_id, code_hash) "
            "SELECT id, 'hash' FROM second_factor"
        )
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


def _user_columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("user")}


def _counts() -> dict[str, int]:
    tables = ("user", "membership", "case", "audit_event", "second_factor")
    return {
        table: int(db.session.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one())
        for table in tables
    }


def test_the_unused_lock_columns_go_and_every_row_pointing_at_users_stays(
    app: Flask, inspection: Inspection, auditor: User, lead: User
) -> None:
    factories.make_case(inspection, "DA-1", auditor=auditor, status=CaseStatus.SUBMITTED)
    db.session.commit()
    before = _counts()
    assert before["membership"] and before["case"] and before["audit_event"]
    assert not LOCK_COLUMNS & _user_columns()
    db.session.remove()

    downgrade(revision=BEFORE_ENCRYPTION)
    assert _user_columns() >= LOCK_COLUMNS
    assert db.session.execute(text('SELECT DISTINCT failed_logins FROM "user"')).all() == [(0,)]
    db.session.execute(text('UPDATE "user" SET locked_until = :now'), {"now": datetime.now(UTC)})
    db.session.commit()
    db.session.remove()

    upgrade()
    assert not LOCK_COLUMNS & _user_columns()
    assert _counts() == before
    if db.engine.dialect.name == "sqlite":  # switched off for the rebuild, on again after
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
