"""Signing in, the home page and an inspection's overview, in Chromium, at desktop and tablet
width, by mouse and by keyboard only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, TABLET, new_account, sign_in
from tests.e2e.support import expect, save_screenshot

pytestmark = pytest.mark.e2e

REVIEW = "Post-inspection review 2022"
PASSWORD = "Keyboard-lantern-52-fig"  # a test account of the live server
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(TABLET, id="tablet")]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_auditor_signs_in_sees_their_inspections_and_opens_one(
    open_page: Any, viewport: dict[str, int]
) -> None:
    page = open_page(viewport=viewport)
    suffix = "" if viewport == DESKTOP else "-tablet"

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    expect(page.get_by_text("Sign in to continue.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    save_screenshot(page, f"sign-in{suffix}")

    page.get_by_label("Email address").fill("auditor1@demo.test")
    page.get_by_label("Password", exact=True).fill("demo-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")
    expect(page).to_have_title(re.compile(r"^Your inspections\b"))
    row = page.get_by_role("row").filter(has_text=REVIEW)
    expect(row).to_contain_text("Cambridgeshire Constabulary")
    expect(row).to_contain_text("Auditor")
    save_screenshot(page, f"home{suffix}")

    row.get_by_role("link", name=REVIEW).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REVIEW)
    expect(page.locator(".govuk-summary-list")).to_contain_text("Auditor")
    save_screenshot(page, f"inspection-overview{suffix}")
    assert page.problems.page_errors == []
    assert page.problems.csp_violations() == []


def test_wrong_password_shows_an_error_summary_that_leads_to_the_field(
    open_page: Any, in_live_app: Callable[..., Any]
) -> None:
    # A test account: a failed sign-in counts against the account (sign-in throttling).
    email = new_account(in_live_app, PASSWORD, prefix="wrong")
    page = open_page()
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title(re.compile(r"^Error: Sign in\b"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct email address and password")
    summary.get_by_role("link", name="Enter a correct email address and password").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    save_screenshot(page, "sign-in-error")


def test_auditor_signs_in_and_out_by_keyboard_only(
    open_page: Any, in_live_app: Callable[..., Any]
) -> None:
    email = new_account(in_live_app, PASSWORD, prefix="keyboard")
    page = open_page()
    page.goto("/auth/login")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    focus_after_skip = page.evaluate("document.activeElement.id")
    assert focus_after_skip == "main-content"

    # From the main content, the next stops are the email field, the password field, the button.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")

    sign_out = page.get_by_role("button", name="Sign out")
    for _ in range(20):
        page.keyboard.press("Tab")
        if sign_out.evaluate("element => element === document.activeElement"):
            break
    expect(sign_out).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_non_member_gets_not_found_for_an_inspection_in_the_browser(
    open_page: Any, live_server: Any
) -> None:
    page = open_page(user="auditor1@demo.test")
    response = page.goto("/inspections/999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_signed_in_session_reaches_the_home_page_without_the_form(open_page: Any) -> None:
    page = open_page(user="lead@demo.test")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")
    expect(page.get_by_role("row").filter(has_text=REVIEW)).to_contain_text("Lead")


def test_sign_in_helper_lands_on_home(open_page: Any) -> None:
    page = open_page()
    sign_in(page, "observer@demo.test")
    expect(page.get_by_role("row").filter(has_text=REVIEW)).to_contain_text("Observer")
