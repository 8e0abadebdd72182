"""Accounts in the browser (admin blueprint, admin/accounts.py): creating an account with an
invitation link or a temporary password, one-time links, names, deactivation, unlocking, the
list with search and filters, refusals (403, CSRF), and every action in the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pyotp
import pytest
from flask import Flask
from sqlalchemy import func, select, text, update

from auditapp.extensions import db
from auditapp.models import AccountLink, AccountLinkPurpose, AuditEvent, GlobalRole, User, utcnow
from auditapp.services import account_links, api_tokens
from tests import factories
from tests.conftest import AppClient

LINK_RE = re.compile(r'id="account-link"[^>]*value="([^"]+)"')
TEMPORARY_RE = re.compile(r'id="temporary-password"[^>]*value="([^"]+)"')
USER_LINK_RE = re.compile(r'href="/admin/users/\d+"')
NEW_PASSWORD = "plum-orchard-lantern-42"
SET_UP = "/auth/second-factor/set-up"


def link_path(page: str) -> str:
    """The path of the one-time link shown on a page (it fails when none is shown)."""
    match = LINK_RE.search(page)
    assert match, "no one-time link on the page"
    return urlparse(match.group(1)).path


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def user_count() -> int:
    return int(db.session.scalar(select(func.count(User.id))) or 0)


def create(client: AppClient, **fields: str) -> Any:
    data = {
        "name": "Nina Okafor",
        "email": "nina.okafor@example.test",
        "role": "user",
        "first_sign_in": "invitation",
    }
    data.update(fields)
    return client.post_form("/admin/users/new", data)


def set_password(client: AppClient, path: str, password: str = NEW_PASSWORD) -> Any:
    client.refresh_csrf(path)
    return client.post_form(path, {"new_password": password, "confirm_password": password})


def sign_in(client: AppClient, email: str, password: str) -> Any:
    client.refresh_csrf("/auth/login")
    return client.post_form("/auth/login", {"email": email, "password": password})


def bearer(client: AppClient, token: str) -> int:
    response = client.get("/api/inspections", headers={"Authorization": f"Bearer {token}"})
    return int(response.status_code)


# --- creating an account with an invitation ---------------------------------------------------


def test_admin_creates_an_account_and_sees_the_invitation_link_once(
    login_as: Callable[..., AppClient], admin: User
) -> None:
    c = login_as(admin)
    response = create(c)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Account created" in page
    assert "shown only on this page" in page
    path = link_path(page)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 40

    user = user_by_email("nina.okafor@example.test")
    assert user is not None
    assert (user.name, user.role, user.active) == ("Nina Okafor", GlobalRole.USER, True)
    link = db.session.scalars(select(AccountLink)).one()
    assert link.purpose == AccountLinkPurpose.INVITATION and link.user_id == user.id
    assert link.token_hash == api_tokens.hash_token(token) and token not in link.token_hash
    assert timedelta(hours=71) < link.expires_at - utcnow() <= timedelta(hours=72)
    # Only the hash is kept: the token is nowhere in the database.
    with db.engine.connect() as connection:
        for table in ("account_link", "audit_event", "user"):
            dump = str(connection.execute(text(f'SELECT * FROM "{table}"')).all())
            assert token not in dump, table
    (created,) = events("create")
    (invited,) = events("invite")
    assert (created.user_id, created.entity_id) == (admin.id, str(user.id))
    assert created.new_value == "user"
    assert (invited.user_id, invited.entity_id) == (admin.id, str(user.id))
    # The account page does not show the link again.
    assert "account-link" not in c.get(f"/admin/users/{user.id}").get_data(as_text=True)


def test_the_invited_person_sets_a_password_once_then_signs_in(
    login_as: Callable[..., AppClient], admin: User, client: AppClient
) -> None:
    path = link_path(create(login_as(admin)).get_data(as_text=True))
    page = client.get(path)
    assert page.status_code == 200
    assert "Set your password" in page.get_data(as_text=True)
    assert "Welcome, Nina Okafor" in page.get_data(as_text=True)

    response = set_password(client, path)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "Your password is set" in client.get("/auth/login").get_data(as_text=True)
    assert sign_in(client, "nina.okafor@example.test", NEW_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200

    # Used: refused, and the password stays.
    other = AppClient(client.application, use_cookies=True)
    again = other.get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    other.refresh_csrf("/auth/login")
    refused = other.post_form(path, {"new_password": "x" * 20, "confirm_password": "x" * 20})
    assert refused.status_code == 410
    user = user_by_email("nina.okafor@example.test")
    assert user is not None and user.check_password(NEW_PASSWORD)
    (used,) = events("set_password_with_link")
    assert (used.user_id, used.new_value) == (user.id, "invitation")


def test_an_expired_invitation_is_refused_and_changes_nothing(
    login_as: Callable[..., AppClient], admin: User, client: AppClient
) -> None:
    path = link_path(create(login_as(admin)).get_data(as_text=True))
    db.session.execute(update(AccountLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    client.refresh_csrf("/auth/login")
    post = client.post_form(path, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert post.status_code == 410
    user = user_by_email("nina.okafor@example.test")
    assert user is not None and not user.check_password(NEW_PASSWORD)
    assert events("set_password_with_link") == []


def test_invitation_hours_come_from_the_configuration(
    app: Flask, login_as: Callable[..., AppClient], admin: User, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "INVITATION_HOURS", 2)
    create(login_as(admin))
    link = db.session.scalars(select(AccountLink)).one()
    assert timedelta(hours=1, minutes=59) < link.expires_at - utcnow() <= timedelta(hours=2)


def test_an_unknown_link_is_not_valid(client: AppClient) -> None:
    response = client.get("/auth/set-password/not-a-token")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_a_weak_password_is_refused_and_the_link_still_works(
    login_as: Callable[..., AppClient], admin: User, client: AppClient
) -> None:
    path = link_path(create(login_as(admin)).get_data(as_text=True))
    weak = set_password(client, path, "password1234")
    assert weak.status_code == 200
    assert "Password is too common" in weak.get_data(as_text=True)
    assert "<title>Error: Set your password" in weak.get_data(as_text=True)
    mismatch = client.post_form(
        path, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"}
    )
    assert "The passwords do not match" in mismatch.get_data(as_text=True)
    assert set_password(client, path).status_code == 302


def test_a_newer_invitation_replaces_the_older(
    login_as: Callable[..., AppClient], admin: User, client: AppClient
) -> None:
    c = login_as(admin)
    first = link_path(create(c).get_data(as_text=True))
    user = user_by_email("nina.okafor@example.test")
    assert user is not None
    page = c.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Make a new invitation link" in page
    second = link_path(c.post_form(f"/admin/users/{user.id}/password-link").get_data(as_text=True))
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert len(events("invite")) == 2


# --- creating an account with a temporary password --------------------------------------------


def test_a_temporary_password_must_be_changed_before_anything_else(
    login_as: Callable[..., AppClient], admin: User, client: AppClient, inspection: Any
) -> None:
    response = create(login_as(admin), first_sign_in="temporary", email="tp@example.test")
    page = response.get_data(as_text=True)
    assert "Account created" in page and "shown only on this page" in page
    match = TEMPORARY_RE.search(page)
    assert match
    temporary = match.group(1)
    user = user_by_email("tp@example.test")
    assert user is not None and user.must_change_password and user.check_password(temporary)
    (event,) = events("set_temporary_password")
    assert (event.user_id, event.entity_id) == (admin.id, str(user.id))

    assert sign_in(client, "tp@example.test", temporary).status_code == 302
    for path in ("/", f"/inspections/{inspection.id}", "/audit/cases", "/auth/account"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/auth/password", path
    page = client.get("/auth/password").get_data(as_text=True)
    assert "You signed in with a temporary password" in page

    client.refresh_csrf("/auth/password")
    same = client.post_form(
        "/auth/password",
        {
            "current_password": temporary,
            "new_password": temporary,
            "confirm_password": temporary,
        },
    )
    assert "must be different" in same.get_data(as_text=True)
    changed = client.post_form(
        "/auth/password",
        {
            "current_password": temporary,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    user = user_by_email("tp@example.test")
    assert user is not None and not user.must_change_password


def test_an_admin_sets_a_temporary_password_for_an_existing_account(
    app: Flask, login_as: Callable[..., AppClient], admin: User, auditor: User
) -> None:
    auditor_client = login_as(auditor)
    _, token = api_tokens.create_token(auditor, "reports")
    db.session.commit()
    response = login_as(admin).post_form(f"/admin/users/{auditor.id}/temporary-password")
    assert response.status_code == 200
    assert TEMPORARY_RE.search(response.get_data(as_text=True))
    assert auditor_client.get("/").status_code == 302  # signed out
    assert bearer(auditor_client, token) == 401
    user = user_by_email(auditor.email)
    assert user is not None and user.must_change_password
    assert not user.check_password(factories.PASSWORD)


# --- refusals when creating -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a full name"),
        ({"name": "   "}, "Enter a full name"),
        ({"name": "N" * 121}, "Name must be 120 characters or fewer"),
        ({"name": "Eve \u202eAdmin"}, "control or bidirectional character (U+202E)"),
        ({"email": "eve\u202e@example.test"}, "is not an email address"),
        ({"email": "eve @example.test"}, "is not an email address"),
        ({"email": ""}, "Enter their email address"),
        ({"email": "not-an-email"}, "is not an email address"),
        ({"email": "ADMIN@example.test"}, "already exists"),
        ({"role": "superuser"}, "Not a valid choice"),
        ({"first_sign_in": "carrier-pigeon"}, "Not a valid choice"),
    ],
)
def test_a_bad_account_request_is_refused_with_a_message(
    login_as: Callable[..., AppClient], admin: User, fields: dict[str, str], message: str
) -> None:
    c = login_as(admin)
    before = user_count()
    response = create(c, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "<title>Error: Create an account" in page and "There is a problem" in page
    assert user_count() == before
    assert db.session.scalars(select(AccountLink)).all() == []


def test_an_account_needs_a_name_in_the_service_too(app: Flask) -> None:
    from auditapp.services.accounts import InvalidNameError, create_user

    with pytest.raises(InvalidNameError):
        create_user("nameless@example.test", "", GlobalRole.USER)
    with pytest.raises(InvalidNameError):
        create_user("nameless@example.test", " \t ", GlobalRole.USER)


# --- names -------------------------------------------------------------------------------------


def test_an_admin_changes_a_display_name_and_it_is_logged(
    login_as: Callable[..., AppClient], admin: User, auditor: User
) -> None:
    c = login_as(admin)
    form = c.get(f"/admin/users/{auditor.id}/name").get_data(as_text=True)
    assert 'value="auditor"' in form
    response = c.post_form(f"/admin/users/{auditor.id}/name", {"name": "  Sam   Patel "})
    assert response.status_code == 302
    assert "The name is now Sam Patel" in c.get(f"/admin/users/{auditor.id}").get_data(as_text=True)
    (event,) = events("change_name")
    assert (event.user_id, event.old_value, event.new_value) == (admin.id, "auditor", "Sam Patel")
    empty = c.post_form(f"/admin/users/{auditor.id}/name", {"name": ""})
    assert empty.status_code == 400 and "Enter a full name" in empty.get_data(as_text=True)


def test_users_change_their_own_name(login_as: Callable[..., AppClient], auditor: User) -> None:
    c = login_as(auditor)
    account = c.get("/auth/account").get_data(as_text=True)
    assert "Your account" in account and auditor.email in account
    response = c.post_form("/auth/account/name", {"name": "Sam Patel"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/account"
    page = c.get("/auth/account").get_data(as_text=True)
    assert "Your name has been changed" in page and "Sam Patel" in page
    (event,) = events("change_name")
    assert (event.user_id, event.entity_id, event.new_value) == (
        auditor.id,
        str(auditor.id),
        "Sam Patel",
    )
    refused = c.post_form("/auth/account/name", {"name": "x" * 121})
    assert "Name must be 120 characters or fewer" in refused.get_data(as_text=True)


# --- deactivation -----------------------------------------------------------------------------


def test_a_deactivated_user_cannot_sign_in_and_their_sessions_and_tokens_stop(
    login_as: Callable[..., AppClient], admin: User, auditor: User, client: AppClient
) -> None:
    auditor_client = login_as(auditor)
    _, token = api_tokens.create_token(auditor, "reports")
    _, link_token = account_links.issue_link(
        auditor, AccountLinkPurpose.PASSWORD_RESET, by=admin, valid_for=timedelta(hours=1)
    )
    db.session.commit()
    assert bearer(client, token) == 200

    c = login_as(admin)
    response = c.post_form(f"/admin/users/{auditor.id}/deactivate")
    assert response.status_code == 302
    page = c.get(f"/admin/users/{auditor.id}").get_data(as_text=True)
    assert "account is deactivated" in page and "Reactivate account" in page

    assert auditor_client.get("/").status_code == 302  # the session ended
    assert bearer(client, token) == 401  # the API token stopped
    assert client.get(f"/auth/set-password/{link_token}").status_code == 404  # and the link
    refused = sign_in(client, auditor.email, factories.PASSWORD)
    assert refused.status_code == 200
    assert "Enter a correct email address and password" in refused.get_data(as_text=True)
    (event,) = events("deactivate")
    assert (event.user_id, event.entity_id) == (admin.id, str(auditor.id))

    again = c.post_form(f"/admin/users/{auditor.id}/reactivate")
    assert again.status_code == 302
    assert sign_in(client, auditor.email, factories.PASSWORD).status_code == 302
    assert bearer(client, token) == 401  # revoked tokens stay revoked
    (event,) = events("reactivate")
    assert (event.user_id, event.entity_id) == (admin.id, str(auditor.id))


def test_an_admin_cannot_deactivate_their_own_account(
    login_as: Callable[..., AppClient], admin: User
) -> None:
    c = login_as(admin)
    assert "This is your own account" in c.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    response = c.post_form(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 302
    assert "You cannot deactivate your own account" in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert c.get("/admin/").status_code == 200
    assert events("deactivate") == []


# --- unlock and password resets ---------------------------------------------------------------


def test_an_admin_unlocks_a_locked_account_with_a_button(
    login_as: Callable[..., AppClient], admin: User, auditor: User, client: AppClient
) -> None:
    for _ in range(5):
        sign_in(client, auditor.email, "wrong-password-here")
    assert sign_in(client, auditor.email, factories.PASSWORD).status_code == 429
    c = login_as(admin)
    page = c.get(f"/admin/users/{auditor.id}").get_data(as_text=True)
    assert "Locked after failed sign-ins" in page
    assert f'action="/admin/users/{auditor.id}/unlock"' in page
    assert c.post_form(f"/admin/users/{auditor.id}/unlock").status_code == 302
    assert sign_in(client, auditor.email, factories.PASSWORD).status_code == 302
    (event,) = events("unlock")
    assert event.user_id == admin.id


def test_an_admin_starts_a_password_reset_through_a_one_time_link(
    login_as: Callable[..., AppClient], admin: User, auditor: User, client: AppClient
) -> None:
    auditor_client = login_as(auditor)  # has signed in: a reset, not an invitation
    _, token = api_tokens.create_token(auditor, "reports")
    db.session.commit()
    c = login_as(admin)
    assert "Make a password reset link" in c.get(f"/admin/users/{auditor.id}").get_data(
        as_text=True
    )
    response = c.post_form(f"/admin/users/{auditor.id}/password-link")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Password reset started" in page
    path = link_path(page)
    assert auditor_client.get("/").status_code == 200  # nothing changes until the link is used
    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    assert set_password(client, path).status_code == 302
    assert auditor_client.get("/").status_code == 302  # other sessions ended
    assert bearer(client, token) == 401  # tokens revoked, as after a password change
    assert sign_in(client, auditor.email, NEW_PASSWORD).status_code == 302
    (started,) = events("start_password_reset")
    assert (started.user_id, started.entity_id) == (admin.id, str(auditor.id))
    assert client.get(path).status_code == 410


# --- the list ---------------------------------------------------------------------------------


def test_the_list_searches_and_filters_accounts(
    app: Flask, login_as: Callable[..., AppClient], admin: User, auditor: User, lead: User
) -> None:
    from auditapp.services.accounts import deactivate_user

    factories.make_user("zoe.quinn@example.test", name="Zoë Quinn")
    gone = factories.make_user("gone@example.test", name="Gone Person")
    deactivate_user(gone, by=None)
    invited = factories.make_user("new@example.test", name="New Starter")
    account_links.issue_link(
        invited, AccountLinkPurpose.INVITATION, by=admin, valid_for=timedelta(hours=1)
    )
    db.session.commit()
    c = login_as(admin)

    def names(**query: str) -> set[str]:
        page = c.get("/admin/", query_string=query).get_data(as_text=True)
        return set(re.findall(r'href="/admin/users/\d+">([^<]+)</a>', page))

    everyone = {"admin", "auditor", "lead", "Zoë Quinn", "Gone Person", "New Starter"}
    assert names() == everyone
    assert names(q="QUINN") == {"Zoë Quinn"}
    assert names(q="lead@") == {"lead"}
    assert names(q="%") == set()  # a wildcard is searched for as text
    assert names(role="admin") == {"admin"}
    assert names(role="user") == everyone - {"admin"}
    assert names(status="deactivated") == {"Gone Person"}
    assert names(status="active") == everyone - {"Gone Person"}
    assert names(status="invited") == {"New Starter"}
    assert names(status="nonsense") == everyone  # unknown filters mean all
    stranger = AppClient(app, use_cookies=True)
    for _ in range(5):
        sign_in(stranger, auditor.email, "wrong-password-here")
    assert names(status="locked") == {"auditor"}
    page = c.get("/admin/", query_string={"q": "quinn"}).get_data(as_text=True)
    assert "1 account matches these filters" in page


def test_the_list_pages_through_many_accounts(
    login_as: Callable[..., AppClient], admin: User
) -> None:
    for number in range(60):
        db.session.add(
            User(
                email=f"person{number:02}@example.test",
                name=f"Person {number:02}",
                password_hash=admin.password_hash,
            )
        )
    db.session.commit()
    c = login_as(admin)
    first = c.get("/admin/").get_data(as_text=True)
    assert "61 accounts" in first
    assert len(USER_LINK_RE.findall(first)) == 50
    assert 'href="/admin/?page=2"' in first
    second = c.get("/admin/?page=2").get_data(as_text=True)
    assert len(USER_LINK_RE.findall(second)) == 11
    assert "Person 59" in second
    assert c.get("/admin/?page=99").status_code == 200  # past the end: the last page


# --- refusals: not an admin, no CSRF token -----------------------------------------------------

ADMIN_GETS = ["/admin/", "/admin/users/new", "/admin/users/{id}", "/admin/users/{id}/name"]
ADMIN_POSTS = [
    "/admin/users/new",
    "/admin/users/{id}/name",
    "/admin/users/{id}/deactivate",
    "/admin/users/{id}/reactivate",
    "/admin/users/{id}/password-link",
    "/admin/users/{id}/temporary-password",
    "/admin/users/{id}/unlock",
    "/admin/users/{id}/second-factor/reset",
]


@pytest.mark.parametrize("who", ["lead", "auditor"])
def test_a_non_admin_is_refused_on_every_account_route(
    request: pytest.FixtureRequest,
    login_as: Callable[..., AppClient],
    who: str,
    auditor: User,
    lead: User,
) -> None:
    c = login_as(request.getfixturevalue(who))
    target = lead if who == "auditor" else auditor
    before = (user_count(), len(db.session.scalars(select(AuditEvent)).all()))
    for path in ADMIN_GETS:
        assert c.get(path.format(id=target.id)).status_code == 403, path
    for path in ADMIN_POSTS:
        data = {"name": "Mallory", "email": "m@example.test", "role": "admin"}
        data["first_sign_in"] = "temporary"
        assert c.post_form(path.format(id=target.id), data).status_code == 403, path
    db.session.expire_all()
    assert (user_count(), len(db.session.scalars(select(AuditEvent)).all())) == before
    refreshed = db.session.get(User, target.id)
    assert refreshed is not None and refreshed.active and not refreshed.must_change_password


def test_account_forms_refuse_a_request_without_a_csrf_token(
    login_as: Callable[..., AppClient], admin: User, auditor: User
) -> None:
    c = login_as(admin)
    before = user_count()
    for path in ADMIN_POSTS:
        response = c.post(
            path.format(id=auditor.id),
            data={"name": "X Y", "email": "x@example.test", "role": "user"},
        )
        assert response.status_code == 400, path
    assert c.post("/auth/account/name", data={"name": "X"}).status_code == 400
    db.session.expire_all()
    user = db.session.get(User, auditor.id)
    assert user is not None and user.active and user.name == "auditor"
    assert not user.must_change_password
    assert user_count() == before
    assert db.session.scalars(select(AccountLink)).all() == []


def test_a_link_form_refuses_a_request_without_a_csrf_token(
    login_as: Callable[..., AppClient], admin: User, client: AppClient
) -> None:
    path = link_path(create(login_as(admin)).get_data(as_text=True))
    response = client.post(
        path, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert client.get(path).status_code == 200  # still unused


# --- the audit log ----------------------------------------------------------------------------


def test_every_account_action_is_in_the_audit_log(
    login_as: Callable[..., AppClient], admin: User, client: AppClient
) -> None:
    c = login_as(admin)
    path = link_path(create(c).get_data(as_text=True))
    user = user_by_email("nina.okafor@example.test")
    assert user is not None
    set_password(client, path)
    c.post_form(f"/admin/users/{user.id}/name", {"name": "Nina O. Okafor"})
    c.post_form(f"/admin/users/{user.id}/temporary-password")
    c.post_form(f"/admin/users/{user.id}/password-link")
    c.post_form(f"/admin/users/{user.id}/unlock")
    c.post_form(f"/admin/users/{user.id}/deactivate")
    c.post_form(f"/admin/users/{user.id}/reactivate")
    logged = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "user", AuditEvent.entity_id == str(user.id))
            .order_by(AuditEvent.id)
        )
    ]
    assert logged == [
        "create",
        "invite",
        "set_password_with_link",
        "change_name",
        "set_temporary_password",
        "invite",  # never signed in yet: a new invitation rather than a reset
        "unlock",
        "deactivate",
        "reactivate",
    ]


def test_a_temporary_password_and_a_due_second_factor_do_not_loop(
    app: Flask, login_as: Callable[..., AppClient], admin: User, client: AppClient, monkeypatch: Any
) -> None:
    page = create(login_as(admin), first_sign_in="temporary", email="tp@example.test")
    match = TEMPORARY_RE.search(page.get_data(as_text=True))
    assert match
    monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR", "everyone")
    assert sign_in(client, "tp@example.test", match.group(1)).status_code == 302
    for path in ("/", "/admin/", "/auth/password"):  # the second factor first
        response = client.get(path, follow_redirects=True)
        assert (response.status_code, response.request.path) == (200, SET_UP), path
    page = response.get_data(as_text=True)
    secret = re.search(r'id="secret-key"><code>([A-Z2-7 ]+)</code>', page)
    assert secret, "no key on the set-up page"
    client.refresh_csrf(SET_UP)
    code = pyotp.TOTP(secret.group(1).replace(" ", "")).now()
    client.post_form(SET_UP, {"code": code})
    for path in ("/", "/admin/", SET_UP):  # then the temporary password
        response = client.get(path, follow_redirects=True)
        assert (response.status_code, response.request.path) == (200, "/auth/password"), path
