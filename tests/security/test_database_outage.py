"""Database outage (issue 20, point 13): a 503 that needs no database, and locked writes.

- A SQLite write that stays locked past the busy timeout (another process holds the write
  lock) answers 503 with Retry-After and changes nothing; the same save succeeds once the lock
  is gone. These tests use their own SQLite file, whatever TEST_DATABASE_URL says.
- With the database unreachable, in the production configuration (exceptions not propagated,
  as under gunicorn), every kind of page still gets a proper answer: a 503 page in the
  service's own style with Retry-After, JSON for JSON clients, and 404 and 500 pages that
  render without loading the signed-in user. Nothing answers with a broken error handler.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from auditapp import create_app
from auditapp.extensions import db
from auditapp.models import Case, InspectionRole
from auditapp.services.api_tokens import TOKEN_PREFIX
from config import ProductionConfig, TestConfig
from tests import factories
from tests.conftest import AppClient

BUSY_TIMEOUT_MS = 300

# --- a write locked past the busy timeout -------------------------------------------------------


@pytest.fixture
def locked_world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """An app on its own SQLite file with a short busy timeout, an auditor and a draft case."""
    path = tmp_path / "locked.sqlite"

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        SQLITE_BUSY_TIMEOUT_MS = BUSY_TIMEOUT_MS

    application = create_app(_Config)
    application.test_client_class = AppClient
    with application.app_context():
        upgrade()
        inspection = factories.make_inspection("Review 2022")
        auditor = factories.make_member(inspection, "auditor@example.test", InspectionRole.AUDITOR)
        case = factories.make_case(inspection, "DA-LOCKED", auditor=auditor)
        client: AppClient = application.test_client()  # type: ignore[assignment]
        client.refresh_csrf("/auth/login")
        response = client.post_form(
            "/auth/login", {"email": auditor.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302
        client.refresh_csrf(f"/audit/cases/{case.id}")
        yield {"app": application, "client": client, "case_id": case.id, "path": path}
        db.session.remove()
        db.engine.dispose()


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every answer, case and audit event, read by a separate connection."""
    with sqlite3.connect(path) as connection:
        return {
            table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall())
            for table in ("answer", "case", "audit_event")
        }


class _WriteLock:
    """Another process's write transaction: holds SQLite's write lock until released."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=0)
        self.connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def _save(world: dict[str, Any], value: str) -> Any:
    client: AppClient = world["client"]
    with world["app"].app_context():
        version = db.session.get(Case, world["case_id"]).version
    return client.post(
        f"/audit/cases/{world['case_id']}/answers/DA01",
        json={"value": value, "base_version": version},
        headers={"X-CSRFToken": client.csrf_token},
    )


def test_a_save_locked_past_the_busy_timeout_answers_503_with_retry_after(
    locked_world: dict[str, Any],
) -> None:
    path = locked_world["path"]
    before = _rows(path)
    lock = _WriteLock(path)
    try:
        response = _save(locked_world, "yes")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        body = response.get_json()
        assert body["error"] == "busy"
        assert "Nothing from this request was saved" in body["message"]
        assert "tries again by itself" in body["message"]
    finally:
        lock.release()
    assert _rows(path) == before, "a refused save changed the database"
    # The form's retry, once the other writer is done, saves the answer.
    retried = _save(locked_world, "yes")
    assert retried.status_code == 200, retried.get_data(as_text=True)
    assert retried.get_json()["answer"]["value"] == "yes"
    assert _rows(path) != before


# The case form's decision on a reply (auditapp/assets/js/audit-form-logic.mjs), run in Node.
NODE = shutil.which("node")
LOGIC = Path(__file__).resolve().parents[2] / "auditapp" / "assets" / "js" / "audit-form-logic.mjs"
_DECIDE = """
import { readFileSync } from 'node:fs'
import { nextRetryDelay, shouldRetry } from '%s'
const replies = JSON.parse(readFileSync(0, 'utf8'))
const middle = () => 0.5
process.stdout.write(JSON.stringify(replies.map(({ status, data, retryAfter, attempt }) => ({
  retry: shouldRetry(status, data),
  delay: nextRetryDelay(attempt ?? 0, retryAfter ?? null, middle)
}))))
"""


def _form_decides(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the case form does with each reply: retry or not, and after how many ms."""
    assert NODE is not None, "Node.js is needed to run the case form's logic"
    result = subprocess.run(  # noqa: S603 - fixed argv
        [NODE, "--input-type=module", "-e", _DECIDE % LOGIC.as_uri()],
        input=json.dumps(replies),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(result.stdout))


def test_the_case_form_keeps_a_503_answer_and_retries_after_retry_after(
    locked_world: dict[str, Any],
) -> None:
    """The server's real 503 reply, given to the form's logic: retried, not before Retry-After."""
    lock = _WriteLock(locked_world["path"])
    try:
        response = _save(locked_world, "no")
    finally:
        lock.release()
    reply = {
        "status": response.status_code,
        "data": response.get_json(),
        "retryAfter": response.headers["Retry-After"],
    }
    [decision] = _form_decides([reply])
    assert decision == {"retry": True, "delay": 5000}


def test_the_case_form_retries_only_what_may_succeed_later() -> None:
    replies = [
        {"status": None},  # offline: no reply at all
        {"status": 503, "data": {"error": "unavailable"}, "retryAfter": "30"},
        {"status": 503, "data": None},  # a proxy's own 503 page
        {"status": 500, "data": {"error": 500}},
        {"status": 409, "data": {"error": "busy"}},
        {"status": 409, "data": {"error": "conflict"}},
        {"status": 422, "data": {"error": "invalid"}},
        {"status": 400, "data": {"error": "bad_request"}},
        {"status": 200, "data": {"version": 2}},
        # Retry-After: an HTTP date is ignored, a day is capped at 5 minutes, and a long
        # backoff (the 6th failure: 32 s capped at 30 s) is not shortened by a short one.
        {"status": 503, "retryAfter": "Wed, 21 Oct 2015 07:28:00 GMT"},
        {"status": 503, "retryAfter": "86400"},
        {"status": 503, "retryAfter": "5", "attempt": 6},
    ]
    decisions = _form_decides(replies)
    assert [d["retry"] for d in decisions] == [
        *[True] * 5,
        *[False] * 4,
        *[True] * 3,
    ]
    assert decisions[1]["delay"] == 30_000
    assert decisions[0]["delay"] == 1000  # the first backoff step, with the jitter's midpoint
    assert [d["delay"] for d in decisions[-3:]] == [1000, 300_000, 30_000]


def test_the_whole_form_locked_past_the_busy_timeout_gets_a_503_page(
    locked_world: dict[str, Any],
) -> None:
    client: AppClient = locked_world["client"]
    path = locked_world["path"]
    page = client.get(f"/audit/cases/{locked_world['case_id']}").get_data(as_text=True)
    version = re.search(r'name="base_version"[^>]*value="(\d+)"', page)
    assert version is not None
    before = _rows(path)
    lock = _WriteLock(path)
    try:
        response = client.post_form(
            f"/audit/cases/{locked_world['case_id']}",
            {"answer-DA01": "yes", "seen-DA01": "", "base_version": version.group(1)},
        )
    finally:
        lock.release()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    text_of_page = response.get_data(as_text=True)
    assert "The service is busy" in text_of_page
    assert "Nothing from this request was saved" in text_of_page
    assert _rows(path) == before


def test_the_busy_timeout_comes_from_the_configuration(locked_world: dict[str, Any]) -> None:
    with locked_world["app"].app_context(), db.engine.connect() as connection:
        timeout = connection.execute(text("PRAGMA busy_timeout")).scalar_one()
    assert timeout == BUSY_TIMEOUT_MS


# --- the database unreachable, in production ----------------------------------------------------

UNREACHABLE = {
    # A SQLite file in a directory that does not exist: "unable to open database file".
    "sqlite": "sqlite:////nonexistent-auditapp-directory/auditapp.sqlite",
    # A PostgreSQL server on a port nobody listens on: connection refused at once.
    "postgresql": "postgresql+psycopg://auditapp@127.0.0.1:9/auditapp?connect_timeout=2",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def outage_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The production configuration, its database unreachable, with a route that fails."""

    class _Config(ProductionConfig):
        SECRET_KEY = "outage-test-" + "k" * 40
        SECOND_FACTOR_KEY = Fernet.generate_key().decode()
        SQLALCHEMY_DATABASE_URI = UNREACHABLE[request.param]

    application = create_app(_Config)

    def fail() -> None:
        if flask.request.path == "/test-only/fail":
            raise RuntimeError("a bug, while the database is down")

    # The bug comes first, before any hook that loads the signed-in user (which would answer 503
    # for the outage itself), so the 500 handler meets the outage on its own.
    application.before_request_funcs.setdefault(None, []).insert(0, fail)
    assert not application.testing and not application.debug
    # Each request in its own app context, as under gunicorn (none is pushed around them here).
    yield application


def _signed_in(application: Flask) -> FlaskClient:
    """A client with a signed-in session cookie (loading its user needs the database)."""
    client = application.test_client()
    with client.session_transaction(base_url="https://localhost") as session:
        session["_user_id"] = "1:0"
        session["_fresh"] = True
    return client


def _get(client: FlaskClient, path: str, **kwargs: Any) -> Any:
    return client.get(path, base_url="https://localhost", **kwargs)


def _outside_app_context(function: Any, *args: Any, **kwargs: Any) -> Any:
    import contextvars

    return contextvars.Context().run(function, *args, **kwargs)


def test_a_page_answers_a_503_page_that_needs_no_database(outage_app: Flask) -> None:
    client = _signed_in(outage_app)
    response = _outside_app_context(_get, client, "/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "The service is busy" in page
    assert "cannot reach its database" in page
    assert "Answers already shown as saved are safe" in page
    # The service's own page (base.html), not the fixed fallback; no signed-in navigation.
    assert 'class="govuk-header' in page
    assert "dist/app.css" in page
    assert "Sign out" not in page


def test_a_json_client_gets_a_503_with_retry_after(outage_app: Flask) -> None:
    client = _signed_in(outage_app)
    response = _outside_app_context(
        _get, client, "/api/inspections", headers={"Authorization": f"Bearer {TOKEN_PREFIX}x"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json() == {
        "error": "unavailable",
        "message": response.get_json()["message"],
    }
    assert "cannot reach its database" in response.get_json()["message"]


def test_healthz_says_the_database_is_unreachable(outage_app: Flask) -> None:
    response = _outside_app_context(_get, outage_app.test_client(), "/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_a_404_page_renders_without_the_database(outage_app: Flask) -> None:
    response = _outside_app_context(_get, _signed_in(outage_app), "/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'class="govuk-header' in page


def test_the_500_handler_itself_does_not_fail_without_the_database(outage_app: Flask) -> None:
    response = _outside_app_context(_get, _signed_in(outage_app), "/test-only/fail")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page
    assert 'class="govuk-header' in page
    assert "Traceback" not in page and "RuntimeError" not in page


def test_the_sign_in_page_still_works_without_the_database(outage_app: Flask) -> None:
    """Pages that need no data keep working: the sign-in page reads no table."""
    response = _outside_app_context(_get, outage_app.test_client(), "/auth/login")
    assert response.status_code == 200
