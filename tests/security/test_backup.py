"""`flask backup` / `flask restore`: a consistent copy while the app runs, restored exactly."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from auditapp import create_app
from auditapp.extensions import db
from auditapp.models.audit_chain import register_sqlite_functions
from auditapp.services.audit_log import record_event
from config import TestConfig
from tests import factories
from tests.security.world import snapshot


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on its own SQLite file (on either test database), migrated, with some data."""

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'live.sqlite'}"

    application = create_app(_Config)
    with application.app_context():
        upgrade()
        inspection = factories.make_inspection("Review 2022")
        factories.make_case(inspection, "C1", answers={})
        yield application
        db.session.remove()
        db.engine.dispose()


def _run(application: Flask, *args: str) -> tuple[int, str]:
    result = application.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_backup_then_restore_gives_back_exactly_the_backed_up_data(
    sqlite_app: Flask, tmp_path: Path
) -> None:
    backed_up = snapshot()
    code, output = _run(sqlite_app, "backup", str(tmp_path / "backup.sqlite"))
    assert code == 0, output
    head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert "Backed up" in output and f"revision {head}" in output
    copy = sqlite3.connect(tmp_path / "backup.sqlite")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    copy.close()

    # Work continues after the backup...
    factories.make_case(factories.make_inspection("Later"), "C2", answers={})
    db.session.remove()
    assert snapshot() != backed_up

    code, output = _run(sqlite_app, "restore", str(tmp_path / "backup.sqlite"), "--yes")
    assert code == 0, output
    assert "Restored" in output and "before-restore-" in output
    assert snapshot() == backed_up
    kept = list(tmp_path.glob("live.sqlite.before-restore-*"))
    assert len(kept) == 1  # and the data it replaced is kept


def test_backup_is_consistent_while_the_app_writes(sqlite_app: Flask, tmp_path: Path) -> None:
    """Writers keep committing during the backup; the copy is a whole snapshot, never torn."""
    stop = threading.Event()
    live = Path(sqlite_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))

    def writer() -> None:
        connection = sqlite3.connect(live, timeout=30)
        register_sqlite_functions(connection)  # the audit log's chain trigger calls them
        number = 0
        while not stop.is_set() and number < 2000:
            with connection:  # one transaction: two rows that belong together
                for entity in ("pair-a", "pair-b"):
                    connection.execute(
                        "INSERT INTO audit_event (occurred_at, action, entity, entity_id) "
                        "VALUES (datetime('now'), 'test', ?, ?)",
                        (entity, str(number)),
                    )
            number += 1
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for attempt in range(3):
            code, output = _run(sqlite_app, "backup", str(tmp_path / f"b{attempt}.sqlite"))
            assert code == 0, output
    finally:
        stop.set()
        thread.join()
    for attempt in range(3):
        copy = sqlite3.connect(tmp_path / f"b{attempt}.sqlite")
        counts = dict(
            copy.execute(
                "SELECT entity, count(*) FROM audit_event WHERE action = 'test' GROUP BY entity"
            ).fetchall()
        )
        assert counts.get("pair-a") == counts.get("pair-b")
        copy.close()


def test_backup_refuses_to_overwrite_without_force(sqlite_app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "exists.sqlite"
    target.write_text("precious")
    code, output = _run(sqlite_app, "backup", str(target))
    assert code != 0 and "exists" in output
    assert target.read_text() == "precious"


def test_restore_refuses_a_file_that_is_not_an_auditapp_backup(
    sqlite_app: Flask, tmp_path: Path
) -> None:
    record_event("create", "case", user=None, entity_id=1)
    db.session.commit()
    before = snapshot()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    code, output = _run(sqlite_app, "restore", str(junk), "--yes")
    assert code != 0 and "not an auditapp database" in output
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    code, output = _run(sqlite_app, "restore", str(empty), "--yes")
    assert code != 0 and "not an auditapp database" in output
    assert snapshot() == before


def test_postgresql_backup_and_restore_point_to_pg_dump(tmp_path: Path) -> None:
    class _Postgres(TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://auditapp@127.0.0.1:1/auditapp"

    application = create_app(_Postgres)
    with application.app_context():
        code, output = _run(application, "backup", str(tmp_path / "never-written.dump"))
        assert code != 0
        assert "pg_dump --format=custom" in output
        code, output = _run(application, "restore", __file__, "--yes")
        assert code != 0
        assert "pg_restore --clean" in output
    assert not (tmp_path / "never-written.dump").exists()
