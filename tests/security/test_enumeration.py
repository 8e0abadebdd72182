"""Accounts cannot be told apart by sign-in answers, and failed sign-ins cannot lock anyone out.

Unknown, locked and real accounts answer with the same status, the same page and about the
same time; failures lock one email+address pair, with a ceiling per account, and an admin
can unlock (in the browser and on the command line), which the audit log records.
"""

from __future__ import annotations

import logging
import re
import statistics
import time
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import func, select

from auditapp import create_app
from auditapp.extensions import db
from auditapp.models import AuditEvent, User
from auditapp.models.user import SignInFailure
from auditapp.security import PER_WORKER_LIMITS_WARNING
from config import ProductionConfig
from tests import factories

UNKNOWN = "nobody-here@example.test"


def _sign_in(client: Any, email: str, password: str, address: str) -> Any:
    return client.post_form(
        "/auth/login",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _page(response: Any) -> str:
    """The page without what differs on every request (CSRF token, CSP nonce) or names the email."""
    page = response.get_data(as_text=True)
    page = re.sub(r'value="[^"]*"', 'value=""', page)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', page)


def test_unknown_and_real_accounts_answer_alike_through_the_lock(
    client: Any, auditor: User
) -> None:
    """The reported leak: a real account answered 429 on the fifth failure, an unknown one 200."""
    real = [_sign_in(client, auditor.email, "wrong-password", "10.20.0.1") for _ in range(7)]
    unknown = [_sign_in(client, UNKNOWN, "wrong-password", "10.20.0.2") for _ in range(7)]
    assert [r.status_code for r in real] == [r.status_code for r in unknown]
    assert [r.status_code for r in real] == [200] * 5 + [429] * 2
    assert [_page(r) for r in real] == [_page(r) for r in unknown]
    assert [r.headers.get("Retry-After") for r in real] == [
        r.headers.get("Retry-After") for r in unknown
    ]


def _seconds(client: Any, email: str, address: str) -> float:
    start = time.perf_counter()
    _sign_in(client, email, "wrong-password", address)
    return time.perf_counter() - start


def test_unknown_locked_and_wrong_password_take_about_as_long(
    client: Any, auditor: User, admin: User
) -> None:
    """A locked account answered in 8 ms, an unknown one in 90 ms: no hash was checked.

    The three kinds are timed in turn, round after round, so that a busy machine slows them
    alike; each is its median over the rounds.
    """
    for _ in range(5):
        _sign_in(client, admin.email, "wrong-password", "10.21.0.9")  # lock admin here
    kinds = {
        "wrong": (auditor.email, "10.21.0.1"),  # 4 rounds: stays under the lock
        "unknown": (UNKNOWN, "10.21.0.2"),
        "locked": (admin.email, "10.21.0.9"),
    }
    times: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(4):
        for name, (email, address) in kinds.items():
            times[name].append(_seconds(client, email, address))
    wrong = statistics.median(times["wrong"])
    for name in ("unknown", "locked"):
        seconds = statistics.median(times[name])
        assert 0.5 * wrong < seconds < 2.0 * wrong, (name, seconds, wrong)


def test_failures_from_other_addresses_never_lock_the_owner_out(client: Any, auditor: User) -> None:
    """Lock-out as a weapon: 50 wrong guesses from 10 addresses, then the owner signs in."""
    for address in range(10):
        for _ in range(5):
            _sign_in(client, auditor.email, "wrong-password", f"10.22.0.{address}")
    assert _sign_in(client, auditor.email, factories.PASSWORD, "10.22.1.1").status_code == 302


def test_the_account_ceiling_refuses_every_address_until_an_admin_unlocks(
    app: Flask, client: Any, login_as: Any, auditor: User, admin: User, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "LOCKOUT_ACCOUNT_CEILING", 8)
    for address in range(4):
        for _ in range(2):
            _sign_in(client, auditor.email, "wrong-password", f"10.23.0.{address}")
    assert _sign_in(client, auditor.email, factories.PASSWORD, "10.23.9.9").status_code == 429
    admin_client = login_as(admin)
    listing = admin_client.get("/admin/", query_string={"status": "locked"}).get_data(as_text=True)
    assert auditor.email in listing
    page = admin_client.get(f"/admin/users/{auditor.id}").get_data(as_text=True)
    assert "Locked after failed sign-ins" in page
    response = admin_client.post_form(f"/admin/users/{auditor.id}/unlock")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{auditor.id}"
    page = admin_client.get(f"/admin/users/{auditor.id}").get_data(as_text=True)
    assert "can sign in again" in page and "Locked after failed sign-ins" not in page
    assert _sign_in(client, auditor.email, factories.PASSWORD, "10.23.9.9").status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "unlock")).one()
    assert event.user_id == admin.id and event.entity_id == str(auditor.id)


def test_only_admins_may_unlock(login_as: Any, auditor: User, lead: User) -> None:
    response = login_as(lead).post_form(f"/admin/users/{auditor.id}/unlock")
    assert response.status_code == 403


def test_users_unlock_command(app: Flask, client: Any, auditor: User) -> None:
    for _ in range(5):
        _sign_in(client, auditor.email, "wrong-password", "10.24.0.1")
    assert _sign_in(client, auditor.email, factories.PASSWORD, "10.24.0.1").status_code == 429
    result = app.test_cli_runner().invoke(args=["users", "unlock", auditor.email.upper()])
    assert result.exit_code == 0, result.output
    assert "Unlocked auditor@example.test (5 failed sign-in(s) forgotten)" in result.output
    assert db.session.scalar(select(func.count(SignInFailure.id))) == 0
    assert _sign_in(client, auditor.email, factories.PASSWORD, "10.24.0.1").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "unlock" in actions
    missing = app.test_cli_runner().invoke(args=["users", "unlock", "no@example.test"])
    assert missing.exit_code != 0 and "No user with email" in missing.output


@pytest.mark.parametrize(
    ("workers", "redis_url", "warned"),
    [(4, None, True), (1, None, False), (4, "redis://127.0.0.1:6379/0", False)],
)
def test_production_warns_loudly_when_limits_are_per_worker(
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
    redis_url: str | None,
    warned: bool,
) -> None:
    """Without Redis each worker counted alone: 53 failures from one address were accepted."""

    class _Production(ProductionConfig):
        SECRET_KEY = "production-test-key-" + "x" * 32
        SECOND_FACTOR_KEY = Fernet.generate_key().decode()
        SQLALCHEMY_DATABASE_URI = database_url
        WORKERS = workers
        REDIS_URL = redis_url

    # Alembic's logging set-up (the test database's migration) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("auditapp"), "disabled", False)
    with caplog.at_level(logging.WARNING):
        application = create_app(_Production)
    with application.app_context():
        db.engine.dispose()
    expected = PER_WORKER_LIMITS_WARNING % workers
    assert any(r.getMessage() == expected for r in caplog.records) is warned
