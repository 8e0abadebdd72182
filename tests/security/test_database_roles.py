"""PostgreSQL least privilege: the app's role may append to the audit log, never change it.

The test builds the README's set-up in a database of its own: an owner role that runs the
migrations (MIGRATION_DATABASE_URL) and `flask audit-log grant-app-role`, and an app role
(DATABASE_URL) under which the app's session then runs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from auditapp import create_app
from auditapp.extensions import db
from auditapp.models import AuditEvent
from auditapp.models.audit_event import AuditChainLink
from auditapp.services.audit_log import event_values, insert_events, record_event
from auditapp.services.database_roles import RoleError, app_role_grants
from config import TestConfig
from tests import factories

SERVER = os.environ.get("TEST_DATABASE_URL", "")

REFUSED = [
    "UPDATE audit_event SET new_value = 'forged'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    "DROP TRIGGER audit_event_chain ON audit_event",
    "DROP TABLE audit_event CASCADE",
    "INSERT INTO audit_chain (seq, event_id, payload_version, prev_hash, hash) "
    "VALUES (999, 1, 1, 'x', 'x')",
    "UPDATE audit_chain SET hash = 'forged'",
    "DELETE FROM audit_chain",
    "TRUNCATE audit_chain",
    "ALTER TABLE audit_chain DISABLE TRIGGER USER",
    "SELECT audit_chain_link(1)",
    "SET session_replication_role = replica",
    "CREATE TRIGGER forged AFTER INSERT ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]


@dataclass
class Roles:
    """The two roles' URLs on the test's own database, and the app running as the app role."""

    owner_url: str
    app_url: str
    app_role: str
    app: Flask


def _cli(app: Flask, *args: str) -> tuple[int, str]:
    """Run a command in ``app``'s own context (the test's context is the suite's app)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def _superuser(statements: list[str], database: str = "postgres") -> None:
    engine = create_engine(make_url(SERVER).set(database=database), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def roles() -> Iterator[Roles]:
    """The README's set-up: roles and database as a superuser, then migrations and grants."""
    if not SERVER.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no roles (TEST_DATABASE_URL names no server)")
    suffix = uuid.uuid4().hex[:10]
    owner, app_role, name = f"auditapp_owner_{suffix}", f"auditapp_app_{suffix}", f"roles_{suffix}"
    _superuser(
        [
            f"CREATE ROLE {owner} LOGIN",
            f"CREATE ROLE {app_role} LOGIN",
            f"CREATE DATABASE {name} OWNER {owner}",
            f"REVOKE ALL ON DATABASE {name} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {name} TO {app_role}",
        ]
    )
    _superuser(
        [
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"ALTER SCHEMA public OWNER TO {owner}",
        ],
        database=name,
    )
    base = make_url(SERVER).set(database=name)
    owner_url = base.set(username=owner).render_as_string(hide_password=False)
    app_url = base.set(username=app_role).render_as_string(hide_password=False)

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = app_url
        MIGRATION_DATABASE_URL = owner_url

    application = create_app(_Config)
    try:
        with application.app_context():
            upgrade()  # as the owner, through MIGRATION_DATABASE_URL
        code, output = _cli(application, "audit-log", "grant-app-role", app_role)
        assert code == 0, output
        yield Roles(owner_url, app_url, app_role, application)
    finally:
        with application.app_context():
            db.engine.dispose()
        _superuser(
            [
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
                f"DROP DATABASE IF EXISTS {name}",
                f"DROP ROLE IF EXISTS {app_role}",
                f"DROP ROLE IF EXISTS {owner}",
            ]
        )


def test_the_app_runs_as_its_role_and_the_tables_belong_to_the_owner(roles: Roles) -> None:
    with roles.app.app_context():
        user, owner = db.session.execute(
            text(
                "SELECT current_user, tableowner FROM pg_tables "
                "WHERE tablename = 'audit_event' AND schemaname = 'public'"
            )
        ).one()
        db.session.rollback()
    assert user == roles.app_role
    assert owner == make_url(roles.owner_url).username


def test_the_app_role_writes_the_app_and_appends_events(roles: Roles) -> None:
    """Rows of the other tables as usual; events through the ORM and the save path's burst."""
    with roles.app.app_context():
        inspection = factories.make_inspection("Least privilege")
        record_event("create", "inspection", user=None, entity_id=inspection.id)
        insert_events([event_values("change_note", "case", user=None, new=n) for n in "ab"])
        db.session.commit()
        inspection.name = "Least privilege, renamed"  # UPDATE of an ordinary table
        db.session.commit()
        events = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        linked = db.session.scalars(select(AuditChainLink.event_id)).all()
        db.session.rollback()
    code, output = _cli(roles.app, "audit-log", "verify")
    assert len(events) >= 3
    assert sorted(linked) == list(events)  # the SECURITY DEFINER trigger wrote the links
    assert code == 0, output
    assert f"{len(events)} events, chain intact" in output


def test_the_app_role_holds_exactly_the_audit_logs_privileges(roles: Roles) -> None:
    privileges = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    with roles.app.app_context():
        held = {
            table: {
                privilege
                for privilege in privileges
                if db.session.execute(
                    text("SELECT has_table_privilege(:table, :privilege)"),
                    {"table": table, "privilege": privilege},
                ).scalar_one()
            }
            for table in ("audit_event", "audit_chain", "case", "alembic_version")
        }
        db.session.rollback()
    assert held == {
        "audit_event": {"SELECT", "INSERT"},
        "audit_chain": {"SELECT"},
        "case": {"SELECT", "INSERT", "UPDATE", "DELETE"},
        "alembic_version": {"SELECT"},
    }


@pytest.mark.parametrize("sql", REFUSED, ids=[s.split(" (")[0][:48] for s in REFUSED])
def test_the_app_role_cannot_change_the_audit_log(roles: Roles, sql: str) -> None:
    with roles.app.app_context():
        record_event("login", "user", user=None, entity_id=1)
        db.session.commit()
        before = db.session.execute(
            text("SELECT e.*, c.hash FROM audit_event e JOIN audit_chain c ON c.event_id = e.id")
        ).all()
        db.session.rollback()
        with pytest.raises(DBAPIError) as refused:
            db.session.execute(text(sql))
        db.session.rollback()
        after = db.session.execute(
            text("SELECT e.*, c.hash FROM audit_event e JOIN audit_chain c ON c.event_id = e.id")
        ).all()
        db.session.rollback()
    assert refused.value.orig is not None
    assert refused.value.orig.sqlstate == "42501", refused.value  # insufficient_privilege
    assert after == before


def test_grant_app_role_refuses_the_owner_and_names_the_problem(roles: Roles) -> None:
    owner = make_url(roles.owner_url).username
    assert owner is not None
    code, output = _cli(roles.app, "audit-log", "grant-app-role", owner)
    assert code == 1
    assert f"{owner} owns audit_event" in output


def test_grant_app_role_dry_run_prints_the_statements(roles: Roles) -> None:
    code, output = _cli(roles.app, "audit-log", "grant-app-role", roles.app_role, "--dry-run")
    assert code == 0, output
    assert f'GRANT SELECT, INSERT ON "public".audit_event TO "{roles.app_role}";' in output
    assert "Granted" not in output


def test_role_names_are_checked_before_they_reach_sql() -> None:
    with pytest.raises(RoleError):
        app_role_grants('app"; DROP TABLE audit_event; --', "owner")
