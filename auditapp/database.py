"""Engine set-up that differs by database: SQLite gets WAL, a busy timeout and foreign keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# PRAGMA synchronous values the app may ask for (config.py: SQLITE_SYNCHRONOUS).
SYNCHRONOUS_LEVELS = ("NORMAL", "FULL", "EXTRA")


def configure_engine_events(
    engine: Engine, *, busy_timeout_ms: int = 5000, synchronous: str = "NORMAL"
) -> None:
    """Make SQLite safe for several workers: WAL journal, busy timeout, enforced foreign keys.

    busy_timeout_ms: how long a write waits for another writer before SQLite gives up with
    "database is locked" (the app then answers 503 with Retry-After: errors.py).
    synchronous: NORMAL, or FULL in production, so that a save the app has acknowledged
    survives a power cut, not just a crash of the app (README, Security: durability).
    """
    if engine.dialect.name != "sqlite":
        return
    if synchronous not in SYNCHRONOUS_LEVELS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {SYNCHRONOUS_LEVELS}")
    busy_timeout = int(busy_timeout_ms)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()
