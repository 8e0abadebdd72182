"""Invitation and reset links by email: sent over SMTP to a real server on 127.0.0.1 (aiosmtpd,
the `smtp_server` fixture), never a mock; shown to the person who made them when mail is off
or the server cannot be reached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from flask import Flask
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import Membership, User
from tests.conftest import AppClient, mail_settings
from tests.mail_server import SmtpServer, free_port
from tests.web.test_accounts_admin import (
    LINK_RE,
    NEW_PASSWORD,
    create,
    set_password,
    sign_in,
    user_by_email,
)


def only_link(server: SmtpServer, to: str) -> str:
    """The path of the one link in the one message to this address."""
    (received,) = server.messages_to(to)
    (url,) = received.links()
    assert url.startswith("http://localhost/auth/set-password/")
    return urlparse(url).path


def test_an_invitation_is_emailed_and_its_link_works_once(
    login_as: Callable[..., AppClient], admin: User, client: AppClient, smtp_server: SmtpServer
) -> None:
    response = create(login_as(admin))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "We emailed the invitation to nina.okafor@example.test" in page
    assert not LINK_RE.search(page)  # emailed, so not shown

    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["nina.okafor@example.test"]
    assert received.mail_from == "no-reply@localhost"
    assert received.subject == "Your account for auditapp: set your password"
    assert "Hello Nina Okafor," in received.body
    assert "admin has made you an account" in received.body
    path = only_link(smtp_server, "nina.okafor@example.test")

    assert set_password(client, path).status_code == 302
    assert sign_in(client, "nina.okafor@example.test", NEW_PASSWORD).status_code == 302
    second = AppClient(client.application, use_cookies=True)
    assert second.get(path).status_code == 410


def test_a_password_reset_link_is_emailed(
    login_as: Callable[..., AppClient],
    admin: User,
    auditor: User,
    client: AppClient,
    smtp_server: SmtpServer,
) -> None:
    login_as(auditor)  # has signed in before: a reset
    c = login_as(admin)
    assert "Send a password reset link" in c.get(f"/admin/users/{auditor.id}").get_data(
        as_text=True
    )
    page = c.post_form(f"/admin/users/{auditor.id}/password-link").get_data(as_text=True)
    assert "We emailed the password reset link to auditor@example.test" in page
    (received,) = smtp_server.messages_to(auditor.email)
    assert received.subject == "Reset your password for auditapp"
    path = only_link(smtp_server, auditor.email)
    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    assert set_password(client, path).status_code == 302
    user = user_by_email(auditor.email)
    assert user is not None and user.check_password(NEW_PASSWORD)


def test_a_lead_invites_a_new_member_by_email(
    login_as: Callable[..., AppClient],
    lead: User,
    inspection: Any,
    client: AppClient,
    smtp_server: SmtpServer,
) -> None:
    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/members/invite",
        {"invite-name": "Ravi Shah", "invite-email": "ravi@example.test", "invite-role": "auditor"},
    )
    assert "We emailed the invitation to ravi@example.test" in response.get_data(as_text=True)
    (received,) = smtp_server.messages_to("ravi@example.test")
    assert "lead has made you an account" in received.body
    assert set_password(client, only_link(smtp_server, "ravi@example.test")).status_code == 302


def test_no_mail_is_sent_while_mail_is_not_configured(
    app: Flask, login_as: Callable[..., AppClient], admin: User
) -> None:
    assert app.config["MAIL_SERVER"] is None
    server = SmtpServer().start()
    try:
        page = create(login_as(admin)).get_data(as_text=True)
    finally:
        server.stop()
    assert server.messages == []
    assert LINK_RE.search(page) and "could not be sent" not in page


def test_when_the_mail_server_cannot_be_reached_the_link_is_shown(
    app: Flask, login_as: Callable[..., AppClient], admin: User, client: AppClient
) -> None:
    with mail_settings(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False):
        response = create(login_as(admin))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The email could not be sent" in page
    match = LINK_RE.search(page)
    assert match
    assert set_password(client, urlparse(match.group(1)).path).status_code == 302
    assert user_by_email("nina.okafor@example.test") is not None


def test_links_use_the_public_url_when_it_is_set(
    app: Flask,
    login_as: Callable[..., AppClient],
    admin: User,
    smtp_server: SmtpServer,
    monkeypatch: Any,
) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://audit.example.org/")
    create(login_as(admin))
    (received,) = smtp_server.messages
    (url,) = received.links()
    assert url.startswith("https://audit.example.org/auth/set-password/")
    assert db.session.scalars(select(Membership)).all() == []
