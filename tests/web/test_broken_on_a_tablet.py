"""Issue 19, point 1: the lock-out page is a page, the returned-case banner is markup around
escaped text, and wide tables scroll inside their own region instead of the whole page."""

from __future__ import annotations

from typing import Any

import pytest

from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, User
from tests import factories
from tests.web.pages import Page, page_of, text_of

# --- sign-in after a lock-out ------------------------------------------------------------------


def _sign_in(client: Any, email: str, password: str, address: str) -> Any:
    return client.post_form(
        "/auth/login",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _assert_lock_out_page(response: Any) -> None:
    assert response.status_code == 429
    # text/plain made the browser show the page's own source (werkzeug's Response default).
    assert response.mimetype == "text/html"
    assert response.headers["Retry-After"] == "900"
    page = page_of(response)
    assert page.text("h1") == "Sign in"
    assert page.text("title").startswith("Error: Sign in")
    summary = page.text(".govuk-error-summary")
    assert "Too many failed sign-in attempts" in summary
    assert "wait 15 minutes, then try again" in summary
    assert page.select("form input[name=password]"), "the form is there to try again later"


def test_right_password_after_a_lock_out_gets_the_sign_in_page_as_html(
    client: Any, auditor: User
) -> None:
    for attempt in range(5):
        assert _sign_in(client, auditor.email, f"wrong-{attempt}", "10.19.0.1").status_code == 200
    _assert_lock_out_page(_sign_in(client, auditor.email, factories.PASSWORD, "10.19.0.1"))


def test_the_per_address_limit_answers_with_the_sign_in_page_as_html(
    client: Any, auditor: User
) -> None:
    for attempt in range(20):
        _sign_in(client, f"nobody{attempt}@example.test", "whatever-it-is", "10.19.0.2")
    _assert_lock_out_page(_sign_in(client, auditor.email, factories.PASSWORD, "10.19.0.2"))


# --- the returned-case banner ------------------------------------------------------------------


def test_returned_banner_shows_the_leads_comment_as_text_inside_a_paragraph(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    comment = "Check <b>DA06</b> & the officer's log"
    case = factories.make_case(
        inspection, "DA-0190", auditor=auditor, status=CaseStatus.DRAFT, returned_comment=comment
    )
    page = page_of(login_as(auditor).get(f"/audit/cases/{case.id}"))
    banner = next(
        b for b in page.select(".govuk-notification-banner") if "Returned by a lead" in text_of(b)
    )
    paragraphs = [p for p in banner.iter("p") if "govuk-body" in p.get("class", "")]
    assert [text_of(p) for p in paragraphs] == [comment]  # the comment, as typed
    assert not list(paragraphs[0].iter("b"))  # the lead's text is never markup
    assert "&lt;p class=" not in page.html  # no escaped markup around it


# --- wide tables scroll in their own region ----------------------------------------------------


def _scroll_regions(page: Page) -> list[Any]:
    return page.select("div.app-table-scroll")


def _assert_tables_scroll_in_regions(page: Page) -> None:
    tables = page.select("main table")
    assert tables, "no table on the page"
    regions = _scroll_regions(page)
    wrapped = {id(table) for region in regions for table in region.iter("table")}
    assert all(id(table) in wrapped for table in tables), "a table outside a scroll region"
    for region in regions:
        # Keyboard users scroll it: focusable, a landmark with a name.
        assert region.get("tabindex") == "0"
        assert region.get("role") == "region"
        assert region.get("aria-label")


@pytest.fixture
def audited(inspection: Any, auditor: User, lead: User, second_auditor: User) -> Case:
    case = factories.make_case(
        inspection,
        "DA-0191",
        auditor=auditor,
        answers=factories.GOOD_DOMESTIC_ABUSE_ANSWERS,
        status=CaseStatus.SUBMITTED,
    )
    case.final_grade = "requires_improvement"
    case.status = CaseStatus.MODERATED
    db.session.commit()
    return case


def test_inspection_overview_tables_scroll_in_their_own_region(
    login_as: Any, inspection: Any, lead: User, audited: Case
) -> None:
    page = page_of(login_as(lead).get(f"/inspections/{inspection.id}"))
    assert page.one("#progress-table")
    _assert_tables_scroll_in_regions(page)


def test_national_view_tables_scroll_in_their_own_region(
    login_as: Any, inspection: Any, lead: User, audited: Case
) -> None:
    c = login_as(lead)
    page = page_of(c.get("/findings/national"))
    assert page.one("#national-grades")
    _assert_tables_scroll_in_regions(page)
    _assert_tables_scroll_in_regions(page_of(c.get("/findings/national/questions")))


def test_question_findings_tables_scroll_in_their_own_region(
    login_as: Any, inspection: Any, lead: User, audited: Case
) -> None:
    page = page_of(login_as(lead).get(f"/findings/inspections/{inspection.id}/questions"))
    _assert_tables_scroll_in_regions(page)


def test_agreement_tables_scroll_in_their_own_region(
    login_as: Any, inspection: Any, lead: User, audited: Case
) -> None:
    page = page_of(login_as(lead).get(f"/moderation/inspections/{inspection.id}/agreement"))
    _assert_tables_scroll_in_regions(page)
    labels = [region.get("aria-label") for region in _scroll_regions(page)]
    assert len(labels) == len(set(labels)), f"regions must be told apart: {labels}"
