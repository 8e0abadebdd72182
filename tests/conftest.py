"""Shared fixtures: a fresh database per run (SQLite file or a new PostgreSQL database),
emptied after every test, and signed-in clients for each role."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from auditapp import create_app
from auditapp.extensions import db, limiter, mail
from auditapp.models import Base, InspectionRole, User
from config import TestConfig
from tests import factories
from tests.mail_server import SmtpServer

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _postgres_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on the server, yield its URL, drop it afterwards."""
    url = make_url(server_url)
    name = f"auditapp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway database: a commit need not wait for its WAL to reach the disk (the
        # suite commits thousands of times). Nothing is lost unless the server itself crashes.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite file by default; a fresh PostgreSQL database when TEST_DATABASE_URL names a server."""
    server = os.environ.get("TEST_DATABASE_URL", "")
    if server.startswith("postgresql"):
        yield from _postgres_database(server)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on a migrated database (migrations, not create_all: they are tested too).

    Its instance folder (stored uploads, problem lists) is a temporary one, emptied after each
    test, so no test sees another's files and the checkout's own instance/ is never touched.
    """

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    application = create_app(_Config)
    application.instance_path = str(tmp_path_factory.mktemp("instance"))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _app_context(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test runs in an app context and leaves an empty database behind.

    Domain unit tests (tests/unit) need neither, so they run without the app or a database.
    """
    if "unit" in request.node.path.parts:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _empty_database()
        for entry in Path(app.instance_path).iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        # Sign-in rate limits count per test, not per run. The limiter is one per process
        # (extensions.py) and a test may have bound it to an app of its own (Redis-backed, say):
        # binding it to this app again gives it this app's storage, empty.
        limiter.init_app(app)


# PostgreSQL: the sequences a test drew ids from (restarted, so ids start at 1 again, as after
# TRUNCATE ... RESTART IDENTITY), and the tables with triggers of ours (audit_event's
# append-only ones, which refuse the clean-up's DELETE).
_USED_SEQUENCES = text(
    "SELECT sequencename FROM pg_sequences "
    "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)
_TABLES_WITH_TRIGGERS = text(
    "SELECT DISTINCT event_object_table FROM information_schema.triggers "
    "WHERE trigger_schema = current_schema()"
)


def _empty_postgres_database(connection: Any, tables: list[str]) -> None:
    """Delete the rows of the tables that have any, children first; restart used sequences.

    One TRUNCATE of every table took about a second and a half per test (it replaces each
    table's files); a test fills a dozen small tables, and deleting their rows takes a tenth.
    """
    filled = set(
        connection.execute(
            text(
                " UNION ALL ".join(
                    f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables
                )
            )
        ).scalars()
    )
    with_triggers = set(connection.execute(_TABLES_WITH_TRIGGERS).scalars())
    for name in tables:  # children before the tables they reference
        if name not in filled:
            continue
        if name in with_triggers:
            connection.execute(text(f'ALTER TABLE "{name}" DISABLE TRIGGER USER'))
        connection.execute(text(f'DELETE FROM "{name}"'))
        if name in with_triggers:
            connection.execute(text(f'ALTER TABLE "{name}" ENABLE TRIGGER USER'))
    for sequence in connection.execute(_USED_SEQUENCES).scalars().all():
        connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


def _empty_database() -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            _empty_postgres_database(connection, tables)
        else:
            # audit_event's append-only triggers (migration 0002) also refuse this DELETE:
            # lift them for the clean-up and put them back. (PostgreSQL's TRUNCATE skips them.)
            triggers = connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            for name, _ in triggers:
                connection.execute(text(f'DROP TRIGGER "{name}"'))
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
            for _, sql in triggers:
                connection.execute(text(sql))


class AppClient(FlaskClient):
    """A test client that knows its CSRF token and can post forms with it."""

    csrf_token: str | None = None

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Start each request with an empty `g`, as in production.

        Tests keep one app context open (so they share the request's session); without this,
        per-request caches in `g` (CSRF token, signed-in user) would leak between requests.
        """
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)

    def refresh_csrf(self, path: str = "/auth/login") -> str:
        """Read a fresh token from a page that renders a form."""
        response = self.get(path)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def post_form(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST with the session's CSRF token added."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token or self.refresh_csrf())
        return self.post(path, data=payload, **kwargs)


@pytest.fixture
def client(app: Flask) -> AppClient:
    """An anonymous client."""
    app.test_client_class = AppClient
    return app.test_client()  # type: ignore[return-value]  # test_client_class is AppClient


@pytest.fixture
def login_as(app: Flask) -> Callable[[User], AppClient]:
    """Sign a user in through the real sign-in form; returns a client with a CSRF token."""

    def _login(user: User, password: str = factories.PASSWORD) -> AppClient:
        app.test_client_class = AppClient
        c: AppClient = app.test_client()  # type: ignore[assignment]  # test_client_class is AppClient
        c.refresh_csrf("/auth/login")
        response = c.post_form("/auth/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        c.refresh_csrf("/")
        return c

    return _login


MAIL_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_TIMEOUT")


@contextmanager
def mail_settings(app: Flask, **settings: Any) -> Iterator[None]:
    """The app sends mail with these MAIL_* settings inside the block (Flask-Mailman re-read)."""
    saved = {key: app.config.get(key) for key in MAIL_SETTINGS}
    app.config.update(settings)
    mail.init_app(app)
    try:
        yield
    finally:
        app.config.update(saved)
        mail.init_app(app)


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), and the app configured to send to it.

    `smtp_server.messages` holds what it received.
    """
    server = SmtpServer().start()
    try:
        with mail_settings(
            app,
            MAIL_SERVER=server.host,
            MAIL_PORT=server.port,
            MAIL_USE_TLS=False,
            MAIL_USE_SSL=False,
            MAIL_TIMEOUT=5,
        ):
            yield server
    finally:
        server.stop()


@pytest.fixture
def admin() -> User:
    return factories.make_user("admin@example.test", admin=True)


@pytest.fixture
def inspection() -> Any:
    """An inspection whose scope is every case type the test imported before it (autouse
    fixtures run first); make_case puts its case's type in scope too."""
    return factories.scope_every_case_type(factories.make_inspection("Review 2022"))


@pytest.fixture
def other_inspection() -> Any:
    return factories.make_inspection("Another force's review")


@pytest.fixture
def lead(inspection: Any) -> User:
    return factories.make_member(inspection, "lead@example.test", InspectionRole.LEAD)


@pytest.fixture
def auditor(inspection: Any) -> User:
    return factories.make_member(inspection, "auditor@example.test", InspectionRole.AUDITOR)


@pytest.fixture
def second_auditor(inspection: Any) -> User:
    return factories.make_member(inspection, "auditor2@example.test", InspectionRole.AUDITOR)


@pytest.fixture
def observer(inspection: Any) -> User:
    return factories.make_member(inspection, "observer@example.test", InspectionRole.OBSERVER)


@pytest.fixture
def outsider(other_inspection: Any) -> User:
    """A lead of a different inspection: a non-member of `inspection`."""
    return factories.make_member(other_inspection, "outsider@example.test", InspectionRole.LEAD)
