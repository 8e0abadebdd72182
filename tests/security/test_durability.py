"""Durability (issue 20, point 15): SQLite syncs every commit to disk in production.

With WAL, `synchronous=NORMAL` survives a crash of the app but a power cut or kernel crash may
undo the last commits, and the app has already told the auditor "Saved". Production runs with
FULL (ProductionConfig.SQLITE_SYNCHRONOUS), so what the app acknowledges is on disk.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from auditapp import create_app
from auditapp.database import configure_engine_events
from auditapp.extensions import db
from config import DevelopmentConfig, ProductionConfig, TestConfig

FULL, NORMAL = 2, 1  # PRAGMA synchronous reads back as a number


def _pragmas(config: type, path: Path) -> dict[str, object]:
    class _Config(config):  # type: ignore[misc, valid-type]
        SECRET_KEY = "durability-test-" + "k" * 40
        SECOND_FACTOR_KEY = Fernet.generate_key().decode()
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    application = create_app(_Config)
    with application.app_context():
        with db.engine.connect() as connection:
            values = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar_one()
                for name in ("synchronous", "journal_mode", "busy_timeout", "foreign_keys")
            }
        db.engine.dispose()
    return values


def test_production_syncs_every_commit_to_disk(tmp_path: Path) -> None:
    assert _pragmas(ProductionConfig, tmp_path / "prod.sqlite") == {
        "synchronous": FULL,
        "journal_mode": "wal",
        "busy_timeout": 5000,
        "foreign_keys": 1,
    }


@pytest.mark.parametrize("config", [DevelopmentConfig, TestConfig], ids=["development", "test"])
def test_development_and_tests_keep_normal_for_speed(config: type, tmp_path: Path) -> None:
    assert _pragmas(config, tmp_path / "dev.sqlite")["synchronous"] == NORMAL


def test_an_unknown_synchronous_level_is_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        configure_engine_events(engine, synchronous="OFF; DROP TABLE x")
    engine.dispose()
