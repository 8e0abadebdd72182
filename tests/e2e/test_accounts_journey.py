"""Accounts in Chromium: an admin creates an account with an invitation, the invited person
opens the link, sets a password and signs in; a temporary password is changed at first
sign-in; a lead invites someone new to an inspection of the journey's own (the demo review's
members stay as loaded). axe-core checks every new page (WCAG 2.2 AA, no serious or critical
violation)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.conftest import sign_in
from tests.e2e.support import assert_accessible, expect, save_screenshot

pytestmark = pytest.mark.e2e

ADMIN = "admin@demo.test"
LEAD = "lead@demo.test"
NEW_PASSWORD = "Meadow-kettle-91-harp"


def _create_account(page: Any, name: str, email: str, first_sign_in: str) -> None:
    page.goto("/admin/users/new")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("User", exact=True).check()
    page.get_by_label(first_sign_in).check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account created")


def test_an_admin_invites_a_person_who_sets_a_password_and_signs_in(open_page: Any) -> None:
    admin = open_page(user=ADMIN, bypass_csp=True)
    admin.goto("/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Inspections")
    first_action = admin.locator("main").get_by_role("button").first
    expect(first_action).to_have_text("Set up a new inspection")
    expect(admin.get_by_text("You are not a member of any inspection")).to_have_count(0)
    assert_accessible(admin, "admin-home")

    admin.get_by_role("link", name="Admin", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Accounts")
    assert_accessible(admin, "admin-accounts")
    admin.get_by_label("Role").select_option("admin")
    admin.get_by_role("button", name="Filter").click()
    expect(admin.locator("#accounts")).to_contain_text("Ada Admin")
    expect(admin.locator("#accounts")).not_to_contain_text("Lee Lead")

    admin.get_by_role("button", name="Create an account").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Create an account")
    assert_accessible(admin, "admin-create-account")
    admin.get_by_role("button", name="Create account").click()
    expect(admin).to_have_title(re.compile(r"^Error: Create an account"))
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Enter a full name")
    assert_accessible(admin, "admin-create-account-errors")

    email = f"invited-{uuid.uuid4().hex[:8]}@demo.test"
    _create_account(admin, "Ivy Invited", email, "Send an invitation link")
    link = admin.get_by_label("The invitation for Ivy Invited").input_value()
    assert "/auth/set-password/" in link
    save_screenshot(admin, "account-created")
    assert_accessible(admin, "admin-account-created")

    admin.get_by_role("link", name="Go to Ivy Invited's account").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Ivy Invited")
    expect(admin.locator(".govuk-summary-list")).to_contain_text("Invited")
    assert_accessible(admin, "admin-account")
    admin.get_by_role("link", name="Change name").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Change the name")
    assert_accessible(admin, "admin-change-name")

    person = open_page(bypass_csp=True)
    person.goto(link)
    expect(person.get_by_role("heading", level=1)).to_have_text("Set your password")
    assert_accessible(person, "set-password")
    person.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    person.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    person.get_by_role("button", name="Set password").click()
    expect(person.get_by_text("Your password is set")).to_be_visible()
    sign_in(person, email, NEW_PASSWORD)
    expect(person.get_by_role("heading", level=1)).to_have_text("Your inspections")
    person.get_by_role("link", name="Ivy Invited").click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Your account")
    assert_accessible(person, "your-account")
    person.get_by_role("link", name="Change your name").click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Change your name")
    assert_accessible(person, "change-your-name")

    again = open_page(bypass_csp=True)
    again.goto(link)
    expect(again.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(again.locator("#link-problem")).to_contain_text("already been used")
    assert_accessible(again, "link-not-usable")
    for page in (admin, person, again):
        assert page.problems.page_errors == []


def test_a_temporary_password_is_changed_at_first_sign_in(open_page: Any) -> None:
    admin = open_page(user=ADMIN, bypass_csp=True)
    email = f"temporary-{uuid.uuid4().hex[:8]}@demo.test"
    _create_account(admin, "Tom Temporary", email, "Give them a temporary password")
    temporary = admin.get_by_label("Temporary password for Tom Temporary").input_value()
    assert_accessible(admin, "admin-temporary-password")

    person = open_page(bypass_csp=True)
    sign_in(person, email, temporary)
    expect(person).to_have_url(re.compile(r"/auth/password$"))
    expect(person.locator("#must-change")).to_be_visible()
    assert_accessible(person, "must-change-password")
    person.goto("/audit/cases")
    expect(person).to_have_url(re.compile(r"/auth/password$"))
    person.get_by_label("Current password").fill(temporary)
    person.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    person.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    person.get_by_role("button", name="Change password").click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Your inspections")


def test_the_members_page_with_its_invitation_form_is_accessible(
    open_page: Any, in_live_app: Any
) -> None:
    title = f"Members journey {uuid.uuid4().hex[:8]}"
    journeys.new_inspection(in_live_app, title)
    lead = open_page(user=LEAD, bypass_csp=True)
    lead.goto("/")
    lead.get_by_role("link", name=title).click()
    lead.goto(lead.url.rstrip("/") + "/members")
    expect(lead.get_by_role("heading", name="Invite someone new")).to_be_visible()
    assert_accessible(lead, "members-with-invitation")
    email = f"member-{uuid.uuid4().hex[:8]}@demo.test"
    form = lead.locator("form", has=lead.get_by_role("button", name="Invite and add"))
    form.get_by_label("Full name").fill("Mo Member")
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Observer").check()
    form.get_by_role("button", name="Invite and add").click()
    heading = lead.get_by_role("heading", level=1)
    expect(heading).to_have_text("Mo Member invited and added as observer")
    assert "/auth/set-password/" in lead.get_by_label("The invitation for Mo Member").input_value()
    assert_accessible(lead, "member-invited")
