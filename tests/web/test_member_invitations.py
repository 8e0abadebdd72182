"""A lead invites someone new from the Members page (inspections.invite_member), and the
admin home page lists every inspection with "Set up a new inspection" first."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import AccountLink, AuditEvent, GlobalRole, InspectionRole, Membership, User
from auditapp.services import inspection_members, inspections
from tests import factories
from tests.conftest import AppClient
from tests.web.test_accounts_admin import NEW_PASSWORD, link_path, set_password, sign_in


def invite(client: AppClient, inspection: Any, **fields: str) -> Any:
    data = {"invite-name": "Ravi Shah", "invite-email": "ravi@example.test"}
    data["invite-role"] = "auditor"
    data.update({f"invite-{k}": v for k, v in fields.items()})
    return client.post_form(f"/inspections/{inspection.id}/members/invite", data)


def test_the_members_page_offers_to_invite_someone_new(
    login_as: Callable[..., AppClient], lead: User, inspection: Any
) -> None:
    page = login_as(lead).get(f"/inspections/{inspection.id}/members").get_data(as_text=True)
    assert "Invite someone new" in page
    assert f'action="/inspections/{inspection.id}/members/invite"' in page
    assert 'name="invite-name"' in page and 'name="invite-email"' in page
    assert "ask an administrator" not in page


def test_an_unknown_email_points_to_the_invitation(
    login_as: Callable[..., AppClient], lead: User, inspection: Any
) -> None:
    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/members", {"email": "x@nowhere.test", "role": "auditor"}
    )
    page = response.get_data(as_text=True)
    assert "There is no user with email x@nowhere.test: invite them as someone new" in page


def test_a_lead_invites_a_new_person_who_sets_a_password_and_signs_in(
    login_as: Callable[..., AppClient], lead: User, inspection: Any, client: AppClient
) -> None:
    response = invite(login_as(lead), inspection, role="observer")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ravi Shah invited and added as observer" in page
    user = db.session.scalar(select(User).where(User.email == "ravi@example.test"))
    assert user is not None
    assert (user.name, user.role) == ("Ravi Shah", GlobalRole.USER)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership is not None
    assert (membership.inspection_id, membership.role) == (inspection.id, "observer")
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-3:] == ["create", "add", "invite"]
    assert all(
        e.user_id == lead.id
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action != "login"))
    )

    assert set_password(client, link_path(page)).status_code == 302
    assert sign_in(client, "ravi@example.test", NEW_PASSWORD).status_code == 302
    assert inspection.title in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a full name"),
        ({"email": ""}, "Enter the email address of the person to invite"),
        ({"email": "lead@example.test"}, "already has an account: add them as a member above"),
        ({"email": "LEAD@example.test"}, "already has an account"),
        ({"email": "no-at-sign"}, "is not an email address"),
        ({"role": "admin"}, "Not a valid choice"),
    ],
)
def test_a_bad_invitation_is_refused_and_changes_nothing(
    login_as: Callable[..., AppClient],
    lead: User,
    inspection: Any,
    fields: dict[str, str],
    message: str,
) -> None:
    c = login_as(lead)
    users = db.session.scalar(select(func.count(User.id)))
    response = invite(c, inspection, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "<title>Error: Members" in page
    assert db.session.scalar(select(func.count(User.id))) == users
    assert db.session.scalars(select(AccountLink)).all() == []


def test_only_the_lead_or_an_admin_may_invite(
    login_as: Callable[..., AppClient],
    auditor: User,
    observer: User,
    outsider: User,
    inspection: Any,
) -> None:
    assert invite(login_as(auditor), inspection).status_code == 403
    assert invite(login_as(observer), inspection).status_code == 403
    assert invite(login_as(outsider), inspection).status_code == 404
    assert db.session.scalar(select(User).where(User.email == "ravi@example.test")) is None


def test_an_invitation_without_a_csrf_token_is_refused(
    login_as: Callable[..., AppClient], lead: User, inspection: Any
) -> None:
    response = login_as(lead).post(
        f"/inspections/{inspection.id}/members/invite",
        data={"invite-name": "R S", "invite-email": "ravi@example.test", "invite-role": "lead"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "ravi@example.test")) is None


def test_the_service_refuses_an_existing_email(inspection: Any, lead: User) -> None:
    with pytest.raises(inspections.InspectionSetupError, match="already has an account"):
        inspection_members.invite_member(
            inspection, "Someone", " Lead@Example.test ", InspectionRole.AUDITOR, by=lead
        )


# --- the admin's home page --------------------------------------------------------------------


def test_an_admin_sees_every_inspection_with_set_up_first(
    login_as: Callable[..., AppClient], admin: User, inspection: Any, other_inspection: Any
) -> None:
    page = html.unescape(login_as(admin).get("/").get_data(as_text=True))
    assert "not a member of any inspection" not in page
    assert inspection.title in page and other_inspection.title in page
    assert page.index("Set up a new inspection") < page.index(inspection.title)
    assert 'href="/inspections/new"' in page
    assert page.count("Administrator (not a member)") == 2


def test_an_admin_who_just_created_an_inspection_sees_it_at_home(
    login_as: Callable[..., AppClient], admin: User, lead: User
) -> None:
    c = login_as(admin)
    response = c.post_form(
        "/inspections/new",
        {
            "title": "Fresh review",
            "force": "Northshire Police",
            "kind": "thematic",
            "lead_email": lead.email,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = c.get("/").get_data(as_text=True)
    assert "Fresh review" in page
    assert "You are not a member of any inspection" not in page


def test_an_admin_member_sees_their_role(
    login_as: Callable[..., AppClient], admin: User, inspection: Any
) -> None:
    factories.add_member(inspection, admin, InspectionRole.LEAD)
    page = login_as(admin).get("/").get_data(as_text=True)
    assert "Lead" in page and "Administrator (not a member)" not in page


def test_a_member_still_sees_only_their_inspections(
    login_as: Callable[..., AppClient], auditor: User, inspection: Any, other_inspection: Any
) -> None:
    page = html.unescape(login_as(auditor).get("/").get_data(as_text=True))
    assert inspection.title in page and other_inspection.title not in page
    assert "Set up a new inspection" not in page
