"""Sign in, sign out, change password, CSRF and the user CLI."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import AuditEvent, User
from tests import factories


def test_sign_in_with_right_password_reaches_home_page(client: Any, auditor: User) -> None:
    response = client.post_form(
        "/auth/login", {"email": auditor.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Your inspections" in page
    assert "Review 2022" in page


def test_sign_in_is_case_insensitive_on_email(client: Any, auditor: User) -> None:
    response = client.post_form(
        "/auth/login", {"email": auditor.email.upper(), "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def test_sign_in_with_wrong_password_is_refused_with_message(client: Any, auditor: User) -> None:
    response = client.post_form("/auth/login", {"email": auditor.email, "password": "nope"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Enter a correct email address and password" in page
    assert "<title>Error: Sign in" in page
    assert client.get("/").status_code == 302  # still signed out


def test_unknown_email_gets_the_same_message(client: Any) -> None:
    response = client.post_form(
        "/auth/login", {"email": "nobody@example.test", "password": "whatever-it-is"}
    )
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_anonymous_user_is_sent_to_sign_in_with_next(client: Any, inspection: Any) -> None:
    response = client.get(f"/inspections/{inspection.id}")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert "next=" in response.headers["Location"]


def test_sign_in_follows_only_local_next(client: Any, auditor: User) -> None:
    response = client.post_form(
        "/auth/login?next=https://evil.example/",
        {"email": auditor.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_sign_out_ends_session(login_as: Any, auditor: User) -> None:
    c = login_as(auditor)
    response = c.post_form("/auth/logout")
    assert response.status_code == 302
    assert c.get("/").status_code == 302


def test_sign_out_needs_post_with_csrf(login_as: Any, auditor: User) -> None:
    c = login_as(auditor)
    assert c.get("/auth/logout").status_code == 405
    assert c.post("/auth/logout").status_code == 400  # no token
    assert c.get("/").status_code == 200  # still signed in


def test_change_password_then_sign_in_with_new_one(
    login_as: Any, client: Any, auditor: User
) -> None:
    c = login_as(auditor)
    response = c.post_form(
        "/auth/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "a-much-better-passphrase",
            "confirm_password": "a-much-better-passphrase",
        },
    )
    assert response.status_code == 302
    assert c.get("/").status_code == 200  # this session stays signed in
    client.refresh_csrf()
    bad = client.post_form("/auth/login", {"email": auditor.email, "password": factories.PASSWORD})
    assert bad.status_code == 200
    good = client.post_form(
        "/auth/login", {"email": auditor.email, "password": "a-much-better-passphrase"}
    )
    assert good.status_code == 302


def test_change_password_signs_out_other_sessions(login_as: Any, auditor: User) -> None:
    first = login_as(auditor)
    second = login_as(auditor)
    first.post_form(
        "/auth/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "a-much-better-passphrase",
            "confirm_password": "a-much-better-passphrase",
        },
    )
    assert second.get("/").status_code == 302


def test_change_password_rejects_wrong_current_and_short_new(login_as: Any, auditor: User) -> None:
    c = login_as(auditor)
    wrong = c.post_form(
        "/auth/password",
        {"current_password": "wrong", "new_password": "x" * 20, "confirm_password": "x" * 20},
    )
    assert "Your current password is wrong" in wrong.get_data(as_text=True)
    assert _field_error(wrong, "current_password") == "Your current password is wrong"
    assert _field_error(wrong, "new_password") is None
    short = c.post_form(
        "/auth/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
        },
    )
    assert "at least 12 characters" in short.get_data(as_text=True)
    assert "at least 12 characters" in (_field_error(short, "new_password") or "")
    assert _field_error(short, "current_password") is None
    common = c.post_form(
        "/auth/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "passwordpassword",
            "confirm_password": "passwordpassword",
        },
    )
    assert "too common" in common.get_data(as_text=True)
    assert "too common" in (_field_error(common, "new_password") or "")


def _field_error(response: Any, field: str) -> str | None:
    """The error message shown under a form field, without its hidden "Error:" prefix."""
    page = response.get_data(as_text=True)
    found = re.search(rf'<p id="{field}-error"[^>]*>(.*?)</p>', page, re.DOTALL)
    if found is None:
        return None
    return re.sub(r"<[^>]+>", "", found.group(1)).strip().removeprefix("Error:").strip()


def test_post_without_csrf_token_is_refused(client: Any, auditor: User) -> None:
    response = client.post(
        "/auth/login", data={"email": auditor.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)


def test_sign_in_is_recorded_in_audit_log(client: Any, auditor: User) -> None:
    client.post_form("/auth/login", {"email": auditor.email, "password": factories.PASSWORD})
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.user_id == auditor.id)
    ).all()
    assert "login" in actions


def test_users_create_cli_generates_password(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "New@Example.test",
            "--name",
            "Nina Lead",
            "--role",
            "admin",
            "--generate",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output
    password = result.output.split("Password: ")[1].strip()
    user = db.session.scalar(select(User).where(User.email == "new@example.test"))
    assert user is not None and user.is_admin and user.check_password(password)
    assert user.name == "Nina Lead"


def test_users_create_cli_needs_a_name(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["users", "create", "x@example.test", "--generate"])
    assert result.exit_code != 0 and "--name" in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.test")) is None


def test_users_create_cli_refuses_duplicates_and_weak_passwords(app: Flask, auditor: User) -> None:
    runner = app.test_cli_runner()
    dup = runner.invoke(
        args=["users", "create", auditor.email, "--name", "A", "--password", "long-enough-pass"]
    )
    assert dup.exit_code != 0 and "already exists" in dup.output
    weak = runner.invoke(
        args=["users", "create", "x@example.test", "--name", "X", "--password", "short"]
    )
    assert weak.exit_code != 0 and "at least 12" in weak.output
