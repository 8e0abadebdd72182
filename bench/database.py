"""A fresh database for one benchmark run: a SQLite file, or a new PostgreSQL database."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import Config


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str]:
    """Yield the URL of an empty database, removed afterwards.

    A PostgreSQL server URL gets a new database ``auditapp_bench_<random>`` that is dropped
    at the end (after terminating leftover connections); anything else gets a SQLite file in a
    temporary directory.
    """
    if server_url and server_url.startswith("postgresql"):
        url = make_url(server_url)
        name = f"auditapp_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory(prefix="auditapp-bench-") as directory:
            yield f"sqlite:///{Path(directory) / 'bench.sqlite'}"


def bench_config(database_url: str) -> type[Config]:
    """Production-like settings (no debug, no template reloading) on the bench database.

    Cookies are not marked secure, because the load clients talk plain HTTP on loopback, and
    rate limits are off: sixteen clients sign in from one address. No second factor is asked
    for: the pages are measured as a signed-in lead sees them, not the set-up they would be sent
    to first.
    """

    class BenchConfig(Config):
        SECRET_KEY = "bench-only-not-secret"  # noqa: S105 - synthetic data on loopback
        SQLALCHEMY_DATABASE_URI = database_url
        DEBUG = False
        TESTING = False
        LOAD_DEMO_DATA_ALLOWED = False
        RATELIMIT_ENABLED = False
        MFA_REQUIRED_FOR = "nobody"

    return BenchConfig


def database_version(engine_url: str) -> str:
    """The database server's version string, e.g. "PostgreSQL 15.20" or "SQLite 3.40.1"."""
    engine = create_engine(engine_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                version = connection.execute(text("SHOW server_version")).scalar_one()
                return f"PostgreSQL {version.split()[0]}"
            return "SQLite " + connection.execute(text("select sqlite_version()")).scalar_one()
    finally:
        engine.dispose()
