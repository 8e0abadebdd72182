"""axe-core on every main page, in Chromium: no serious or critical WCAG 2.2 AA violation.

Each page is checked as its user sees it, at desktop width, and screenshotted. A page whose
endpoint is missing fails. Every violation, of any impact, is written to
artifacts/accessibility/<page>.json for review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.support import assert_accessible, expect, save_screenshot

pytestmark = pytest.mark.e2e

LEAD = "lead@demo.test"
AUDITOR = "auditor1@demo.test"


def test_sign_in_page_is_accessible(open_page: Any) -> None:
    page = open_page(bypass_csp=True)
    page.goto("/auth/login")
    save_screenshot(page, "sign-in")
    assert_accessible(page, "sign-in")


def test_sign_in_page_with_errors_is_accessible(open_page: Any) -> None:
    page = open_page(bypass_csp=True)
    page.goto("/auth/login")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "sign-in-errors")


def test_home_page_is_accessible(open_page: Any) -> None:
    page = open_page(user=AUDITOR, bypass_csp=True)
    journeys.goto_ok(page, "/")
    save_screenshot(page, "home")
    assert_accessible(page, "home")


def test_inspection_overview_is_accessible(open_page: Any, live_app: Any) -> None:
    page = open_page(user=LEAD, bypass_csp=True)
    journeys.goto_ok(page, journeys.review_path(live_app))
    save_screenshot(page, "inspection-overview")
    assert_accessible(page, "inspection-overview")


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("national-view", "/findings/national"),
        ("national-questions", "/findings/national/questions"),
    ],
)
def test_national_pages_are_accessible(open_page: Any, name: str, path: str) -> None:
    # The demo lead leads the review and its baseline: two inspections side by side.
    page = open_page(user=LEAD, bypass_csp=True)
    journeys.goto_ok(page, path)
    expect(page.locator("h1")).to_be_visible()
    save_screenshot(page, name)
    assert_accessible(page, name)


# Pages of features built by the other issues: (name, user, how to reach the page).
FEATURE_PAGES: list[tuple[str, str, Callable[..., None]]] = [
    ("my-cases", AUDITOR, journeys.goto_my_cases),
    ("case-form", AUDITOR, journeys.goto_case_form),
    ("moderation-queue", LEAD, journeys.goto_moderation_queue),
    ("dashboard", LEAD, journeys.goto_dashboard),
    ("findings", LEAD, journeys.goto_findings),
    ("recommendation-progress", LEAD, journeys.goto_recommendation_progress),
    ("weak-answers", LEAD, journeys.goto_weak_answers),
    # beyond the list: the other pages of the journey
    ("submit-case", AUDITOR, journeys.goto_submit_case),
    ("case-read-only", AUDITOR, journeys.goto_submitted_case),
    ("case-history", AUDITOR, journeys.goto_case_history),
    ("moderate-case", LEAD, journeys.goto_moderate_case),
    ("exports", LEAD, journeys.goto_exports),
]


@pytest.mark.parametrize(
    ("name", "user", "goto"), [pytest.param(*row, id=row[0]) for row in FEATURE_PAGES]
)
def test_main_page_is_accessible_and_screenshotted(
    open_page: Any, live_app: Any, in_live_app: Any, name: str, user: str, goto: Callable[..., None]
) -> None:
    page = open_page(user=user, bypass_csp=True)
    goto(page, live_app, in_live_app)
    save_screenshot(page, name)
    assert_accessible(page, name)


def test_case_form_with_conditional_questions_shown_and_saved_is_accessible(
    open_page: Any, live_app: Any, in_live_app: Any
) -> None:
    page = open_page(user=AUDITOR, bypass_csp=True)
    journeys.goto_case_form(page, live_app, in_live_app)
    page.locator("#question-DA01").get_by_label("Yes", exact=True).check()
    expect(page.locator("#question-DA05")).to_be_visible()
    expect(page.locator("#save-state-DA01")).to_have_text(re.compile(r"^\s*Saved", re.I))
    assert_accessible(page, "case-form-answered")
