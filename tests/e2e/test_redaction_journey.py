"""A lead redacts a note in Chromium: the two redaction pages pass axe-core, and the as-typed
check warns beside the reason while it holds personal data (the server's rule, asked by
personal-data-check.js), then lets a clean reason through."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.support import assert_accessible, expect, notice, save_screenshot

pytestmark = pytest.mark.e2e

NOTE = "Spoke with Quillfeather at the school gate"


def _note_saved_by_the_auditor(run: Any) -> int:
    case_id, _ = journeys.new_draft_case(run)

    def _save() -> None:
        from auditapp.extensions import db
        from auditapp.models import Case
        from auditapp.services.accounts import find_user_by_email
        from auditapp.services.audit import saving
        from auditapp.services.audit.round import FirstAudit

        case = db.session.get(Case, case_id)
        auditor = find_user_by_email(journeys.AUDITOR)
        assert case is not None and auditor is not None
        saving.save_note(FirstAudit(case, auditor), "DA02", NOTE, base_version=None)

    run(_save)
    return case_id


def test_a_lead_redacts_a_note_on_accessible_pages_warned_as_they_type(
    open_page: Any, live_app: Any, in_live_app: Any
) -> None:
    journeys.require_script("personal-data-check")
    case_id = _note_saved_by_the_auditor(in_live_app)
    page = open_page(user=journeys.LEAD, bypass_csp=True)

    journeys.goto_ok(
        page, journeys.path_for(live_app, "audit.list_redactable_texts", case_id=case_id)
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text(NOTE)
    save_screenshot(page, "redactable-texts")
    assert_accessible(page, "redactable-texts")

    page.get_by_role("link", name=re.compile("Redact note on DA02", re.I)).click()
    expect(page.locator("h1")).to_have_text("Redact: Note on DA02")
    # The check listens for typing once its module script has run, which is before "load".
    page.wait_for_load_state()
    reason = page.get_by_label("Why are you redacting this text?")
    reason.fill("Mother Jane Smith asked us to")
    warning = page.locator("#reason-personal-data")
    expect(warning).to_have_text(
        "Warning: This text seems to hold a name ('Jane Smith'). Rephrase it without personal "
        "details."
    )
    save_screenshot(page, "redact-text-warned")
    assert_accessible(page, "redact-text-warned")
    reason.fill("Name typed by mistake")
    expect(warning).to_be_hidden()

    page.get_by_role("button", name="Redact this text").click()
    expect(notice(page)).to_contain_text("Note on DA02 redacted.")
    expect(page.locator("main")).not_to_contain_text("Quillfeather")
    assert not page.problems.page_errors, page.problems.page_errors
