"""Two-step verification in Chromium: set up from the page's key, sign out, sign in with a code;
axe-core on the new pages, and the QR code shown under the real Content-Security-Policy."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest

from tests.e2e.conftest import new_account, sign_in
from tests.e2e.support import assert_accessible, expect, save_screenshot

pytestmark = pytest.mark.e2e

PASSWORD = "Tessellated-orbit-37-kiwi"  # a test account of the live server


def _wait_for_a_fresh_code(totp: pyotp.TOTP, used: str) -> str:
    """The next code once the app's time step moves on (a code is accepted only once)."""
    deadline = time.monotonic() + 35
    while time.monotonic() < deadline:
        code = totp.now()
        if code != used:
            return code
        time.sleep(0.5)
    raise AssertionError("the authenticator code did not change within 35 seconds")


def test_set_up_two_step_verification_then_sign_in_with_a_code(
    open_page: Any, in_live_app: Callable[..., Any]
) -> None:
    email = new_account(in_live_app, PASSWORD, prefix="totp")
    page = open_page(bypass_csp=True)
    sign_in(page, email, PASSWORD)

    page.goto("/auth/password")
    page.get_by_role("link", name="Set up or manage two-step verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    save_screenshot(page, "second-factor-set-up")
    assert_accessible(page, "second-factor-set-up")

    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    first_code = totp.now()
    page.get_by_label("Security code").fill(first_code)
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step verification is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    save_screenshot(page, "second-factor-recovery-codes")
    assert_accessible(page, "second-factor-recovery-codes")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.goto("/")  # not signed in yet: the home page sends back to sign-in
    expect(page).to_have_url(re.compile(r"/auth/login"))
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    save_screenshot(page, "second-factor-code")
    assert_accessible(page, "second-factor-code")

    page.get_by_label("Security code").fill(first_code)  # already used: refused
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: Enter your security code"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct code")
    assert_accessible(page, "second-factor-code-error")

    page.get_by_label("Security code").fill(_wait_for_a_fresh_code(totp, first_code))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")
    assert page.problems.page_errors == []


def test_set_up_page_shows_the_qr_code_under_the_content_security_policy(
    open_page: Any, in_live_app: Callable[..., Any]
) -> None:
    email = new_account(in_live_app, PASSWORD, prefix="totp")
    page = open_page()  # the real CSP: no bypass
    sign_in(page, email, PASSWORD)
    page.goto("/auth/second-factor/set-up")
    qr_code = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr_code).to_be_visible()
    box = qr_code.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert page.problems.csp_violations() == []
    assert page.problems.page_errors == []
