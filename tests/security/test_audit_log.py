"""The audit log is append-only: the ORM, the database and every route refuse to change it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from auditapp.extensions import db
from auditapp.models import AuditEvent
from auditapp.models.audit_event import AuditLogError
from auditapp.services.audit_chain import verify_chain
from auditapp.services.audit_log import record_event
from tests.security.targets import state_changing_targets
from tests.security.world import client_for, fresh_world, request, routes

APP_DIR = Path(__file__).resolve().parents[2] / "auditapp"


def _event() -> AuditEvent:
    event = record_event("create", "case", user=None, entity_id=1, field="status", new="draft")
    db.session.commit()
    return event


def _rows() -> list[tuple[Any, ...]]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT * FROM audit_event"))]


def test_orm_refuses_to_change_an_audit_event() -> None:
    event = _event()
    event.new_value = "moderated"
    with pytest.raises(AuditLogError):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_to_delete_an_audit_event() -> None:
    event = _event()
    db.session.delete(event)
    with pytest.raises(AuditLogError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [update(AuditEvent).values(new_value="x"), delete(AuditEvent)],
    ids=["update", "delete"],
)
def test_orm_refuses_bulk_statements_on_audit_events(statement: Any) -> None:
    _event()
    with pytest.raises(AuditLogError):
        db.session.execute(statement)
    db.session.rollback()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_event SET new_value = 'forged'", "DELETE FROM audit_event"],
    ids=["update", "delete"],
)
def test_database_refuses_to_change_audit_events_from_any_client(sql: str) -> None:
    """Raw SQL past the ORM: the triggers of migration 0002 refuse it."""
    _event()
    before = _rows()
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(sql))
    assert _rows() == before


def test_no_application_code_updates_or_deletes_audit_events() -> None:
    """A static check over auditapp/: no update/delete of the audit log's events or links."""
    pattern = re.compile(
        r"(update|delete)\(\s*(AuditEvent|AuditChainLink)"
        r"|(UPDATE|DELETE\s+FROM)\s+\"?audit_(event|chain)",
        re.IGNORECASE,
    )
    offenders = [
        f"{path.relative_to(APP_DIR.parent)}:{number}"
        for path in APP_DIR.rglob("*.py")
        if path.name != "audit_event.py"  # the guard itself names what it refuses
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


@pytest.mark.slow
def test_no_route_changes_or_removes_recorded_events(app: Flask) -> None:
    """Every state-changing route, used by an allowed user: earlier events stay as they were,
    and the hash chain over them and the route's own events still verifies."""
    targets = state_changing_targets(app)
    world = fresh_world()
    for target in targets:
        world.restore()
        _event()
        before = set(_rows())
        client = client_for(app, world, target.actor)
        rule = next(r for r in routes(app) if r.endpoint == target.endpoint)
        path = rule.build(world.arguments(rule, "own", target.case), append_unknown=False)[1]
        if target.access.json is not None:
            client.open(
                path,
                method=target.method,
                json=target.access.json,
                headers={"X-CSRFToken": client.csrf_token},
            )
        else:
            request(client, target.method, path, query_string=target.access.query)
        # (A 5xx here is reported by the matrix and hostile-input tests; this test is the log.)
        assert before <= set(_rows()), f"{target.id} changed or removed an audit event"
        db.session.rollback()
        with db.engine.connect() as connection:
            report = verify_chain(connection)
        assert report.intact, f"{target.id}: {[b.describe() for b in report.breaks]}"
