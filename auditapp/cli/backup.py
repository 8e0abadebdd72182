"""`flask backup PATH` and `flask restore PATH`: SQLite's online backup; PostgreSQL's tools.

SQLite: `backup` copies the live database with SQLite's online backup API (a consistent
snapshot while the app keeps running), checks the copy's integrity and writes it as one
self-contained file. `restore` checks the file, keeps a copy of the current database beside
it, then copies the backup into the live database with the same API.

PostgreSQL: both commands refuse and print the pg_dump / pg_restore commands to use instead.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from auditapp.extensions import db

POSTGRESQL_HELP = """\
This database is PostgreSQL: use PostgreSQL's own tools, which copy it consistently while the
app runs. With LIBPQ_URL the DATABASE_URL without "+psycopg" (postgresql://user@host/name):

  back up:   pg_dump --format=custom --file=auditapp-$(date +%Y%m%d-%H%M).dump "$LIBPQ_URL"
  restore:   pg_restore --clean --if-exists --no-owner --single-transaction \\
               --dbname="$LIBPQ_URL" auditapp-YYYYMMDD-HHMM.dump

then run `flask db upgrade` if the backup is older than the code."""


class BackupError(click.ClickException):
    """A backup or restore that cannot be done safely; nothing was changed."""


def _sqlite_path() -> Path:
    """The live database's file, or a clear refusal for PostgreSQL and in-memory databases."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        raise BackupError(POSTGRESQL_HELP)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError(f"Cannot back up {url.get_backend_name()} database {url.database!r}")
    return Path(url.database).resolve()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _check(connection: sqlite3.Connection, what: str) -> str:
    """Integrity check and the schema revision; refuses a damaged or foreign file."""
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what} is not an auditapp database: {error}") from error
    if result != "ok":
        raise BackupError(f"{what} failed its integrity check: {result}")
    if revision is None:
        raise BackupError(f"{what} has no schema revision: not an auditapp database")
    return str(revision[0])


def copy_database(source: Path, target: Path) -> str:
    """Copy a SQLite database consistently into a new file; returns its schema revision."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source_connection = _connect(source)
    target_connection = sqlite3.connect(partial)
    try:
        source_connection.backup(target_connection)
        target_connection.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        revision = _check(target_connection, "The copy")
    finally:
        target_connection.close()
        source_connection.close()
    os.replace(partial, target)  # the file appears whole or not at all
    return revision


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Copy the live SQLite database to PATH, safely while the app runs."""
    source = _sqlite_path()
    if path.exists() and not force:
        raise BackupError(f"{path} exists: choose another name or pass --force")
    if path.resolve() == source:
        raise BackupError("PATH is the live database itself")
    path.parent.mkdir(parents=True, exist_ok=True)
    revision = copy_database(source, path)
    click.echo(f"Backed up {source} to {path} ({path.stat().st_size} bytes, revision {revision}).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the live SQLite database with the backup at PATH (the current one is kept)."""
    live = _sqlite_path()
    backup = _connect(path)
    try:
        revision = _check(backup, str(path))
    finally:
        backup.close()
    if not yes:
        click.confirm(f"Replace {live} with {path} (revision {revision})?", abort=True)
    db.engine.dispose()  # this process's own connections must not hold the file
    kept = None
    if live.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = live.with_name(f"{live.name}.before-restore-{stamp}")
        copy_database(live, kept)
    source = _connect(path)
    target = _connect(live)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        _check(target, "The restored database")
    finally:
        target.close()
        source.close()
    db.engine.dispose()
    click.echo(f"Restored {live} from {path} (revision {revision}).")
    if kept:
        click.echo(f"The previous database is kept as {kept}.")
    click.echo("Run `flask db upgrade` if the backup is older than this version of auditapp.")
