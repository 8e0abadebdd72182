"""Sign-in attacks: guessing passwords, fixation, idle sessions, weak passwords, cookies."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select

from auditapp import create_app
from auditapp.extensions import db, limiter, rate_limit_storage_uri
from auditapp.models import AuditEvent, GlobalRole, User, utcnow
from auditapp.models.user import SignInFailure
from auditapp.services.accounts import (
    InvalidEmailError,
    WeakPasswordError,
    WrongPasswordError,
    account_words,
    change_password,
    create_user,
    password_problem,
)
from config import ProductionConfig, TestConfig
from tests import factories

LOCKED = "Too many failed sign-in attempts"


def _sign_in(client: Any, email: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post_form(
        "/auth/login",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_five_failures_lock_that_address_for_that_account_with_a_clear_message(
    client: Any, auditor: User
) -> None:
    for attempt in range(5):
        response = _sign_in(client, auditor.email, f"wrong-{attempt}", "10.0.0.1")
        assert response.status_code == 200
        assert "Enter a correct email address and password" in response.get_data(as_text=True)
    # Locked in the database for this address: even the right password is refused.
    right = _sign_in(client, auditor.email, factories.PASSWORD, "10.0.0.1")
    assert right.status_code == 429
    assert LOCKED in right.get_data(as_text=True)
    assert "wait 15 minutes" in right.get_data(as_text=True)
    assert right.headers["Retry-After"] == "900"
    assert client.get("/").status_code == 302
    # No lock-out as a weapon: the account's owner, from another address, still signs in.
    assert _sign_in(client, auditor.email, factories.PASSWORD, "10.0.1.1").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("login_failed") == 5


def test_lock_ends_after_its_time_and_a_good_sign_in_clears_the_count(
    client: Any, auditor: User
) -> None:
    long_ago = utcnow() - timedelta(minutes=16)
    for _ in range(5):
        db.session.add(SignInFailure(email=auditor.email, address="127.0.0.1", failed_at=long_ago))
    db.session.add(SignInFailure(email=auditor.email, address="127.0.0.1", failed_at=utcnow()))
    db.session.commit()
    assert _sign_in(client, auditor.email, factories.PASSWORD).status_code == 302
    db.session.expire_all()
    left = db.session.scalars(
        select(SignInFailure).where(SignInFailure.email == auditor.email)
    ).all()
    assert left == []


def test_failed_sign_ins_are_limited_per_address(client: Any, auditor: User) -> None:
    for attempt in range(20):
        response = _sign_in(client, f"nobody{attempt}@example.test", "whatever-it-is", "10.1.1.1")
        assert response.status_code == 200, attempt
    blocked = _sign_in(client, auditor.email, factories.PASSWORD, "10.1.1.1")
    assert blocked.status_code == 429
    assert LOCKED in blocked.get_data(as_text=True)
    assert blocked.headers["Retry-After"] == "900"
    # Another address is not affected.
    assert _sign_in(client, auditor.email, factories.PASSWORD, "10.1.1.2").status_code == 302


def test_unknown_account_is_limited_like_a_real_one(client: Any) -> None:
    """Per email and address; the answer does not reveal whether the account exists."""
    for _ in range(5):
        _sign_in(client, "nobody@example.test", "whatever-it-is", "10.2.0.1")
    response = _sign_in(client, "NOBODY@example.test", "whatever-it-is", "10.2.0.1")
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)


def test_successful_sign_ins_do_not_count_towards_the_limits(
    client: Any, login_as: Any, auditor: User
) -> None:
    for _ in range(6):
        login_as(auditor)
    response = _sign_in(client, auditor.email, "wrong-password")
    assert response.status_code == 200


def test_sign_in_without_csrf_token_is_refused_before_counting(client: Any, auditor: User) -> None:
    for _ in range(8):
        response = client.post("/auth/login", data={"email": auditor.email, "password": "x"})
        assert response.status_code == 400
    assert _sign_in(client, auditor.email, factories.PASSWORD).status_code == 302


def test_rate_limits_use_memory_by_default_and_redis_when_configured() -> None:
    assert rate_limit_storage_uri({"REDIS_URL": None}) == "memory://"
    assert rate_limit_storage_uri({"REDIS_URL": "redis://r:6379/0"}) == "redis://r:6379/0"


def test_rate_limits_are_shared_through_redis(database_url: str) -> None:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI starts it)")
    # The limiter is one per process, its key prefix set by the first app ("auditapp"): this
    # test's keys are told apart by its own address (10.3.x.x) and unique emails.
    tag = uuid.uuid4().hex[:8]
    address = f"10.3.{int(tag[:2], 16)}.{int(tag[2:4], 16)}"

    class _RedisConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = url

    from tests.conftest import AppClient

    first, second = create_app(_RedisConfig), create_app(_RedisConfig)  # two "workers"
    try:
        assert type(limiter.storage).__name__ == "RedisStorage"
        for number in range(20):  # the per-address limit, split between the two workers
            application = (first, second)[number % 2]
            with application.app_context():
                application.test_client_class = AppClient
                c = application.test_client()
                email = f"shared-{tag}-{number}@example.test"
                response = _sign_in(c, email, "wrong-password", address)
                assert response.status_code == 200
        with second.app_context():
            second.test_client_class = AppClient
            c = second.test_client()
            response = _sign_in(c, f"shared-{tag}-x@example.test", "wrong-password", address)
            assert response.status_code == 429  # the other worker's failures counted too
        keys = [key.decode() for key in connection.scan_iter(f"*{address}*")]
        assert any("auditapp" in key for key in keys)
    finally:
        for pattern in (f"*{address}*",):
            for key in connection.scan_iter(pattern):
                connection.delete(key)
        for application in (first, second):
            with application.app_context():
                db.engine.dispose()


def test_sign_in_starts_a_new_session(client: Any, auditor: User) -> None:
    """No session fixation: nothing planted before sign-in survives it, the CSRF token too."""
    client.refresh_csrf()
    with client.session_transaction() as session:
        session["planted"] = "attacker-chosen"
        token_before = session["csrf_token"]
    assert _sign_in(client, auditor.email, factories.PASSWORD).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != token_before
        assert session.permanent


def test_idle_session_is_signed_out_with_a_message(
    app: Flask, login_as: Any, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(minutes=5))
    c = login_as(auditor)
    with c.session_transaction() as session:
        session["last_seen"] = int(time.time()) - 4 * 60
    assert c.get("/").status_code == 200  # four idle minutes: still signed in
    with c.session_transaction() as session:
        session["last_seen"] = int(time.time()) - 6 * 60
    response = c.get("/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "You were signed out after 5 minutes without activity" in page
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in page
    assert c.get("/").status_code == 302


def test_session_lifetime_comes_from_session_minutes() -> None:
    assert timedelta(minutes=int(os.environ.get("SESSION_MINUTES", "120"))) == (
        TestConfig.PERMANENT_SESSION_LIFETIME
    )


def test_production_cookies_are_secure_httponly_and_samesite(
    database_url: str, auditor: User
) -> None:
    class _Production(ProductionConfig):
        SECRET_KEY = "production-test-key-" + "x" * 32
        SECOND_FACTOR_KEY = Fernet.generate_key().decode()
        SQLALCHEMY_DATABASE_URI = database_url

    application = create_app(_Production)
    assert application.config["SESSION_COOKIE_SECURE"] is True
    assert application.config["SESSION_COOKIE_HTTPONLY"] is True
    assert application.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert application.config["REMEMBER_COOKIE_SECURE"] is True
    try:
        with application.app_context():
            c = application.test_client()
            response = c.get("/auth/login", base_url="https://audit.example.test")
            cookie = response.headers["Set-Cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
            hsts = response.headers["Strict-Transport-Security"]
            assert hsts.startswith("max-age=31536000")
    finally:
        with application.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass", "at least 12 characters"),
        ("x" * 201, "200 characters or fewer"),
        ("password1234", "too common"),
        ("Sunshine2024!!", "too common"),  # a common word dressed up
        ("!!football!!", "too common"),
        ("123456789012", "too common"),
        ("abcabcabcabc", "too common"),
        ("PasswordPassword", "too common"),
        ("P@ssw0rd1234", "too common"),  # l33t
        ("drowssap1234", "too common"),  # reversed
        ("Liverpool2024", "too common"),
        ("qwertyuiopasdfgh", None),  # not in the list as a whole (a keyboard walk though)
        ("violet-harbour-tram-7", None),
        ("correct-horse-battery", None),
    ],
)
def test_password_policy(password: str, problem: str | None) -> None:
    found = password_problem(password)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_a_password_made_of_the_accounts_own_name_or_email_is_refused() -> None:
    words = account_words("alex.auditor@example.test", "Alex Auditor")
    assert password_problem("alexauditor2024", words) == (
        "Password must not be made of your name or email address"
    )
    assert password_problem("Alex.Auditor!!", words) is not None
    assert password_problem("alexauditor2024") is None  # someone else's name is not refused
    assert password_problem("auditor-harbour-tram", words) is None
    assert password_problem(factories.PASSWORD, words) is None


def test_account_errors_say_by_their_type_which_part_is_wrong(auditor: User) -> None:
    """Views pick the form field by the exception's type, never by its message."""
    with pytest.raises(WrongPasswordError):
        change_password(auditor, "not-the-password", "violet-harbour-tram-7")
    with pytest.raises(WeakPasswordError):
        change_password(auditor, factories.PASSWORD, "password1234")
    with pytest.raises(InvalidEmailError):
        create_user("not-an-email", "Someone", GlobalRole.USER)
    with pytest.raises(InvalidEmailError):
        create_user(auditor.email.upper(), "Someone", GlobalRole.USER)
    with pytest.raises(WeakPasswordError):
        create_user("new@example.test", "Someone", GlobalRole.USER, "short")


def test_changing_to_a_common_password_is_refused(login_as: Any, auditor: User) -> None:
    c = login_as(auditor)
    response = c.post_form(
        "/auth/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "Liverpool2024",
            "confirm_password": "Liverpool2024",
        },
    )
    assert response.status_code == 200
    assert "Password is too common: choose another" in response.get_data(as_text=True)


def test_sign_in_keeps_working_and_limited_when_redis_is_down(database_url: str) -> None:
    class _RedisDown(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    from tests.conftest import AppClient

    application = create_app(_RedisDown)
    application.test_client_class = AppClient
    try:
        with application.app_context():
            c = application.test_client()
            codes = [
                _sign_in(c, f"x{n}@example.test", "wrong-password").status_code for n in range(21)
            ]
        assert codes == [200] * 20 + [429]  # the per-address limit, in the worker's memory
    finally:
        with application.app_context():
            db.engine.dispose()
