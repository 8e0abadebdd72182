"""Issue 19, points 5 to 7, on a 768 x 1024 tablet in Chromium: an auditor raises an urgent
concern, the lead sees it on their home page and receives the email (a real SMTP server on
127.0.0.1, aiosmtpd), opens it from their notifications, acknowledges it with what was done and
when, and marks it raised with the force; then the lead reads a case top to bottom and reconciles
its blind second audit question by question. Every changed page passes axe-core and none scrolls
sideways.

All of it happens in an inspection of the journey's own: the demo review keeps its figures, and
no concern is left needing a lead (none of the lead's pages carries the urgent banner after it)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.conftest import TABLET, LiveServer, free_port, sign_in
from tests.e2e.journeys import AUDITOR, LEAD, SECOND_AUDITOR, goto_ok, path_for
from tests.e2e.support import assert_accessible, expect, notice, save_screenshot
from tests.mail_server import SmtpServer

pytestmark = pytest.mark.e2e

SEEN = "Child left with the suspect overnight; no safeguarding referral on file"
DONE = "Passed to the force's duty inspector"


@pytest.fixture
def mailing_server(
    live_server: LiveServer, server_env: dict[str, str], tmp_path: Any
) -> Iterator[tuple[LiveServer, SmtpServer]]:
    """A second gunicorn on the same (migrated, demo) database that sends mail to aiosmtpd."""
    smtp = SmtpServer().start()
    env = {
        **server_env,
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": str(smtp.port),
        "MAIL_USE_TLS": "false",
        "MAIL_USE_SSL": "false",
        "MAIL_TIMEOUT": "5",
    }
    server = LiveServer(port=free_port(), env=env, log_path=tmp_path / "gunicorn-mail.log")
    server.start()
    try:
        yield server, smtp
    finally:
        server.stop()
        smtp.stop()


def _open(browser: Any, server: LiveServer, email: str) -> Any:
    context = browser.new_context(base_url=server.url, viewport=TABLET, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, email)
    return page


def _fits(page: Any, name: str) -> None:
    page.wait_for_load_state()
    expect(page.locator("h1")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"{name} is {width}px wide on a tablet"
    save_screenshot(page, f"{name}-tablet")
    assert_accessible(page, f"{name}-tablet")


def _wait_for_mail(smtp: SmtpServer, to: str, subject: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in smtp.messages_to(to) if m.subject == subject]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no email {subject!r} to {to}: {[m.subject for m in smtp.messages]}")


def _second_audit_submitted(run: Callable[..., Any], inspection_id: int) -> tuple[int, str]:
    """A submitted case with a submitted blind second audit that differs on DA04 and DA16."""
    case_id, reference = journeys.new_submitted_case(run, inspection_id=inspection_id)

    def _second() -> None:
        from auditapp.extensions import db
        from auditapp.models import Case
        from auditapp.services import moderation
        from auditapp.services.accounts import find_user_by_email
        from auditapp.services.audit import saving, submitting
        from auditapp.services.audit.round import BlindSecondAudit

        case = db.session.get(Case, case_id)
        lead, auditor = find_user_by_email(LEAD), find_user_by_email(SECOND_AUDITOR)
        assert case is not None and lead is not None and auditor is not None
        second = moderation.request_second_audit(case, lead, auditor.id)
        audit = BlindSecondAudit(case, auditor, second)
        answers = {**journeys.PLAIN_ANSWERS, "DA04": "no", "DA16": "no"}
        for qid, value in answers.items():
            saving.save_answer(audit, qid, value=value, base_version=None)
        submitting.submit_case(audit)

    run(_second)
    return case_id, reference


def test_urgent_concern_reaches_the_lead_and_a_second_audit_is_reconciled_on_a_tablet(
    browser: Any,
    live_app: Any,
    in_live_app: Any,
    mailing_server: tuple[LiveServer, SmtpServer],
) -> None:
    server, smtp = mailing_server
    inspection_id = journeys.new_inspection(in_live_app)
    case_id, reference = journeys.new_draft_case(in_live_app, inspection_id=inspection_id)

    # The auditor raises the concern from the case form.
    auditor = _open(browser, server, AUDITOR)
    goto_ok(auditor, path_for(live_app, "audit.show_case", case_id=case_id))
    auditor.get_by_role("link", name="Flag a child at current risk").click()
    auditor.get_by_label("What did you see that shows a child is at current risk?").fill(SEEN)
    auditor.get_by_role("button", name="Flag child at current risk").click()
    expect(
        auditor.get_by_text("Child at current risk flagged. The case is inadequate")
    ).to_be_visible()

    # The lead sees it on their home page, and the email has arrived.
    lead = _open(browser, server, LEAD)
    goto_ok(lead, "/")
    flagged = f"Case {reference}: a child at current risk was flagged"
    banner = lead.locator(".app-urgent-banner")
    expect(banner).to_contain_text(flagged)
    email = _wait_for_mail(smtp, LEAD, f"Urgent concern on case {reference}")
    assert email.links()[0].endswith(f"/audit/cases/{case_id}")
    assert SEEN not in email.body

    # The lead opens it from their notifications (read, it leaves the home page's banner) ...
    banner.get_by_role("link", name="Open your notifications").click()
    lead.get_by_role("button", name=f"Open {flagged}").click()
    lead.wait_for_url(f"**/audit/cases/{case_id}")

    # ... and acknowledges it with what was done and when.
    lead.locator(".app-urgent-banner").get_by_role("button", name="Acknowledge").click()
    expect(lead.locator("[data-concern-summary]")).to_contain_text(SEEN)
    _fits(lead, "acknowledge-concern")
    lead.get_by_label("What was done about it?").fill(DONE)
    for label, value in (("Day", "2"), ("Month", "12"), ("Year", "2025")):
        lead.get_by_label(label).fill(value)
    lead.get_by_label("Hour").fill("14")
    lead.get_by_label("Minute").fill("10")
    lead.get_by_role("button", name="Acknowledge the concern").click()
    expect(lead.get_by_text("Concern acknowledged.")).to_be_visible()
    expect(lead.locator(".app-urgent-banner")).to_contain_text("2 December 2025, 14:10")
    _fits(lead, "case-with-acknowledged-concern")
    concerns_path = path_for(live_app, "audit.list_concerns", inspection_id=inspection_id)
    goto_ok(lead, concerns_path)
    concern = lead.locator(f"[data-concern='{case_id}']")
    expect(concern).to_contain_text(DONE)
    _fits(lead, "urgent-concerns")

    # Raised with the force, the concern no longer needs a lead: no banner on the lead's pages.
    concern.get_by_role("button", name=re.compile("^Mark raised with force")).click()
    expect(notice(lead)).to_contain_text("Concern marked as raised with the force.")
    expect(lead.locator(f"[data-concern='{case_id}']")).to_contain_text("Raised with force")
    goto_ok(lead, journeys.inspection_path(live_app, inspection_id))
    expect(lead.locator(".app-urgent-banner")).to_have_count(0)
    goto_ok(lead, "/")
    expect(lead.locator(".app-urgent-banner", has_text=reference)).to_have_count(0)

    # The moderation page reads top to bottom: answers, then the decision.
    second_case, second_reference = _second_audit_submitted(in_live_app, inspection_id)
    goto_ok(lead, path_for(live_app, "moderation.show_case", case_id=second_case))
    answers_y = lead.get_by_role("heading", name="Answers").bounding_box()["y"]
    decision_y = lead.get_by_role("heading", name="Decision").bounding_box()["y"]
    assert answers_y < decision_y
    _fits(lead, "moderation-page-read-then-decide")

    # The differences only, decided question by question.
    goto_ok(lead, path_for(live_app, "moderation.compare_audits", case_id=second_case))
    _fits(lead, "compare-audits")
    lead.get_by_role("link", name="Show the differences only").click()
    lead.wait_for_url("**/differences")
    expect(lead.locator("[data-difference]")).to_have_count(2)
    _fits(lead, "second-audit-differences")
    lead.get_by_role("link", name="Decide which answer stands on DA04").click()
    lead.wait_for_url("**/differences/DA04")
    _fits(lead, "reconcile-question")
    lead.get_by_label("The second audit's answer: No").check()
    lead.get_by_label("Why this answer stands").fill("No visit to the child is recorded")
    lead.get_by_role("button", name="Save the decision").click()
    expect(lead.get_by_text("Decision on DA04 saved.")).to_be_visible()
    lead.get_by_role("link", name="Decide which answer stands on DA16").click()
    lead.get_by_label("The first audit's answer: Yes").check()
    lead.get_by_label("Why this answer stands").fill("The review is on the log")
    lead.get_by_role("button", name="Save the decision").click()
    expect(lead.locator("[data-progress]")).to_have_text("Decided 2 of 2 questions that differ.")
    expect(lead.locator("[data-resolved-grade]")).to_have_text("Inadequate")
    lead.get_by_label("How the differences were resolved").fill("Agreed DA04 was not met")
    lead.get_by_role("button", name="Resolve with this grade").click()
    expect(
        lead.get_by_text(f"Second audit of case {second_reference} resolved: Inadequate.")
    ).to_be_visible()
    _fits(lead, "second-audit-resolved")
