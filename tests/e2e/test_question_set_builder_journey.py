"""The question-set builder in Chromium: an admin builds a small set with a condition and a
timeliness check (moving a question by keyboard), previews it and tries answers, publishes it;
a lead adds it to the scope of an inspection of the journey's own (the demo review's scope stays
as loaded); an auditor audits a case against it. The builder's pages are checked with axe on the
way."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.journeys import AUDITOR, LEAD, goto_ok, path_for
from tests.e2e.support import assert_accessible, expect, notice, save_screenshot

pytestmark = pytest.mark.e2e

ADMIN = "admin@demo.test"
SLUG = "stalking-e2e"
NAME = "Stalking (journey)"


def _add_question(page: Any, draft_url: str, fields: dict[str, Any], *, new_section: bool) -> None:
    goto_ok(page, draft_url)
    name = "Add a section" if new_section else "Add a question"
    page.get_by_role("button", name=name).click()
    form = page.locator("#question-form")
    if new_section:
        form.get_by_label("New section's id").fill("risk")
        form.get_by_label("New section's title").fill("Risk")
    form.get_by_label("Question id").fill(fields["id"])
    form.get_by_label("Question", exact=True).fill(fields["text"])
    form.get_by_label("Answer type").select_option(fields["type"])
    if fields.get("graded"):
        form.get_by_role("group", name=re.compile("^Graded")).get_by_label(
            fields["graded"], exact=True
        ).check()
    for label, value in fields.get("selects", {}).items():
        form.get_by_label(label, exact=True).select_option(value)
    for label, value in fields.get("texts", {}).items():  # a label, or "#id" where labels repeat
        by_id = label.startswith("#")
        (form.locator(label) if by_id else form.get_by_label(label, exact=True)).fill(value)
    page.get_by_role("button", name="Add the question").click()
    expect(notice(page)).to_contain_text(f"Question {fields['id']} added")


def test_a_set_is_built_previewed_published_scoped_and_audited(
    open_page: Any, live_app: Any, in_live_app: Any
) -> None:
    journeys.require_script("question-set-preview")
    admin = open_page(user=ADMIN, bypass_csp=True)
    goto_ok(admin, "/admin/question-sets/drafts/new")
    admin.get_by_label("Case type code").fill(SLUG)
    admin.get_by_label("Case type name").fill(NAME)
    admin.get_by_label("Title").fill("Stalking cases")
    admin.get_by_role("button", name="Start the draft").click()
    expect(admin.locator("#no-questions")).to_be_visible()
    draft_url = admin.url

    _add_question(admin, draft_url, {"id": "ST01", "text": "Was a risk assessment done?",
                                      "type": "yes_no"}, new_section=True)  # fmt: skip
    for qid, text in (("ST03", "When was the victim seen?"), ("ST02", "When was it reported?")):
        fields = {"id": qid, "text": text, "type": "date", "graded": "No"}
        _add_question(admin, draft_url, fields, new_section=False)
    # By keyboard: ST02 goes up, before ST03.
    goto_ok(admin, draft_url)
    admin.get_by_role("button", name="Move up question ST02").focus()
    admin.keyboard.press("Enter")
    expect(notice(admin)).to_contain_text("order of question ST02")
    save_screenshot(admin, "builder-draft")
    assert_accessible(admin, "builder-draft")

    _add_question(
        admin, draft_url,
        {"id": "ST04", "text": "Was the victim seen within 2 days?", "type": "derived",
         "selects": {"Show only when this earlier question": "ST01",
                     "Timeliness check: measured from": "ST02",
                     "Timeliness check: measured to": "ST03"},
         "texts": {"#show_if_equals": "yes", "Met within": "2 days"}},
        new_section=False,
    )  # fmt: skip
    goto_ok(admin, draft_url)
    admin.get_by_role("link", name="Change question ST04").click()
    expect(admin.locator("h1")).to_have_text("Change question ST04")
    assert_accessible(admin, "builder-question")

    # Preview: ST04 appears when ST01 is yes (the audit form's own rule); answers are tried.
    goto_ok(admin, draft_url)
    admin.get_by_role("link", name="Preview the case form and try answers").click()
    expect(admin.locator("#question-ST04")).to_be_hidden()
    admin.locator("#question-ST01").get_by_label("Yes", exact=True).check()
    expect(admin.locator("#question-ST04")).to_be_visible()
    for qid, day in (("ST02", "1"), ("ST03", "5")):
        box = admin.locator(f"#question-{qid}")
        box.get_by_label("Day").fill(day)
        box.get_by_label("Month").fill("3")
        box.get_by_label("Year").fill("2024")
    admin.get_by_role("button", name="Try these answers").click()
    expect(admin.locator("#tried-grade")).to_contain_text("Requires improvement")
    expect(admin.locator("#tried-explanation")).to_contain_text("ST04")
    save_screenshot(admin, "builder-preview")
    assert_accessible(admin, "builder-preview")

    goto_ok(admin, draft_url)
    admin.get_by_role("button", name="Review and publish").click()
    expect(admin.locator("main")).to_contain_text("4 added")
    admin.get_by_role("button", name="Publish version 1").click()
    expect(notice(admin)).to_contain_text(f"Published {NAME} version 1")

    # The lead adds the new case type to the inspection's scope.
    lead = open_page(user=LEAD, bypass_csp=True)
    inspection_id = journeys.new_inspection(in_live_app)
    goto_ok(
        lead, path_for(live_app, "inspections.choose_question_sets", inspection_id=inspection_id)
    )
    lead.get_by_label(f"{NAME} in scope").check()
    lead.get_by_role("button", name=re.compile("Save")).click()
    expect(notice(lead)).to_contain_text(f"Added to scope: {NAME}")

    # An auditor audits a case of the new type against it.
    case_id, _ = journeys.new_draft_case(in_live_app, case_type=SLUG, inspection_id=inspection_id)
    auditor = open_page(user=AUDITOR)
    goto_ok(auditor, path_for(live_app, "audit.show_case", case_id=case_id))
    expect(auditor.locator("#question-ST04")).to_be_hidden()
    auditor.locator("#question-ST01").get_by_label("Yes", exact=True).check()
    expect(auditor.locator("#question-ST04")).to_be_visible()
    expect(auditor.locator("#save-state-ST01")).to_have_text(re.compile(r"^\s*Saved", re.I))
    for qid, day in (("ST02", "1"), ("ST03", "2")):
        box = auditor.locator(f"#question-{qid}")
        box.get_by_label("Day").fill(day)
        box.get_by_label("Month").fill("3")
        box.get_by_label("Year").fill("2024")
        box.get_by_label("Year").blur()
        expect(auditor.locator(f"#save-state-{qid}")).to_have_text(re.compile(r"^\s*Saved", re.I))
    expect(auditor.locator("#check-ST04")).to_contain_text("Met")
    assert not auditor.problems.page_errors
