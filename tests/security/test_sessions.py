"""Sessions end at sign-out: a session cookie copied before signing out is refused after.

Each session carries the user's session generation; sign-out, a password change and
deactivation increase it, and the user loader refuses a cookie with an older one.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from auditapp.extensions import db
from auditapp.models import User
from auditapp.services.accounts import deactivate_user
from tests import factories
from tests.conftest import AppClient


def _copy_of_session(app: Flask, signed_in: Any) -> AppClient:
    """Another client holding the same session cookie: what an attacker copied."""
    cookie = signed_in.get_cookie("session")
    assert cookie is not None
    app.test_client_class = AppClient
    thief: AppClient = app.test_client()  # type: ignore[assignment]  # test_client_class is AppClient
    thief.set_cookie("session", cookie.value, domain=cookie.domain or "localhost")
    return thief


def test_a_copied_cookie_is_refused_after_sign_out(
    app: Flask, login_as: Any, auditor: User
) -> None:
    browser = login_as(auditor)
    thief = _copy_of_session(app, browser)
    assert thief.get("/").status_code == 200  # the copy works while the session lasts
    assert browser.post_form("/auth/logout").status_code == 302
    assert thief.get("/").status_code == 302  # sent to sign in
    assert thief.get(f"/inspections/{auditor.memberships[0].inspection_id}").status_code == 302
    # Signing in again gives a new session that works; the old copy stays refused.
    again = login_as(auditor)
    assert again.get("/").status_code == 200
    assert thief.get("/").status_code == 302


def test_a_copied_cookie_is_refused_after_a_password_change(
    app: Flask, login_as: Any, auditor: User
) -> None:
    browser = login_as(auditor)
    thief = _copy_of_session(app, browser)
    response = browser.post_form(
        "/auth/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "a-much-better-passphrase",
            "confirm_password": "a-much-better-passphrase",
        },
    )
    assert response.status_code == 302
    assert browser.get("/").status_code == 200  # the browser that changed it stays signed in
    assert thief.get("/").status_code == 302


def test_a_copied_cookie_is_refused_after_deactivation(
    app: Flask, login_as: Any, auditor: User
) -> None:
    browser = login_as(auditor)
    thief = _copy_of_session(app, browser)
    deactivate_user(db.session.get(User, auditor.id), by=None)  # type: ignore[arg-type]  # the auditor exists
    db.session.commit()
    assert browser.get("/").status_code == 302
    assert thief.get("/").status_code == 302


def test_sign_out_increases_the_session_generation(login_as: Any, auditor: User) -> None:
    before = auditor.session_epoch
    login_as(auditor).post_form("/auth/logout")
    db.session.expire_all()
    user = db.session.get(User, auditor.id)
    assert user is not None and user.session_epoch == before + 1
