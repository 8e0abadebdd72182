"""Issue 19, point 3: a case form that stays out of the way on a tablet. Notes behind "Add a
note", hidden sections without their headings, plain status lines, scores rounded half up,
dates in the GOV.UK date-input pattern, progress against the required questions, and a link to
the next case once submitted."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import Answer, Case, CaseStatus, SecondAudit, User
from auditapp.services.audit.round import FIRST_ROUND
from tests import factories
from tests.web.pages import Page, page_of, text_of

COMPLETE = factories.GOOD_DOMESTIC_ABUSE_ANSWERS


def _stored(case: Case, qid: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Answer.value).where(
            Answer.case_id == case.id,
            Answer.question_code == qid,
            Answer.audit_round == FIRST_ROUND,
        )
    )


def _version(case: Case) -> int:
    db.session.expire_all()
    found = db.session.get(Case, case.id)
    assert found is not None
    return found.version


def _form_post(c: Any, case: Case, data: dict[str, Any]) -> Any:
    """Post the whole form as a browser would: every field as rendered, then the changes."""
    page = page_of(c.get(f"/audit/cases/{case.id}"))
    payload: dict[str, Any] = {}
    for field in page.select("form[data-module=app-audit-form] input"):
        kind, name = field.get("type"), field.get("name")
        if name and (kind not in ("radio", "checkbox") or field.get("checked") is not None):
            payload[name] = field.get("value") or ""
    payload.update(data)
    return c.post_form(f"/audit/cases/{case.id}", payload)


def _save(c: Any, case: Case, qid: str, **body: Any) -> Any:
    body.setdefault("base_version", _version(case))
    return c.post(
        f"/audit/cases/{case.id}/answers/{qid}", json=body, headers={"X-CSRFToken": c.csrf_token}
    )


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(inspection, "DA-0300", auditor=auditor)


@pytest.fixture
def mc_case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(inspection, "MC-0300", slug="missing-child", auditor=auditor)


# --- notes behind "Add a note" ------------------------------------------------------------------


def _note_details(page: Page, qid: str) -> Any:
    return page.one(f"#question-{qid} details[data-note]")


def test_notes_sit_closed_behind_add_a_note_until_there_is_one(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    assert _save(c, case, "DA02", value="partly", note="THRIVE on log entry 3").status_code == 200
    page = page_of(c.get(f"/audit/cases/{case.id}"))

    empty = _note_details(page, "DA03")
    assert empty.get("open") is None
    assert text_of(empty.find("summary")) == "Add a note on DA03"  # "on DA03" for screen readers
    assert empty.find(".//textarea").get("name") == "note-DA03"  # in the page: posts without JS

    noted = _note_details(page, "DA02")
    assert noted.get("open") is not None  # opens by itself when a note exists
    assert text_of(noted.find("summary")) == "Note on DA02"
    assert text_of(noted.find(".//textarea")) == "THRIVE on log entry 3"


def test_a_note_typed_without_javascript_is_saved_and_then_shown_open(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    response = _form_post(c, case, {"answer-DA01": "no", "note-DA01": "Call log, entry 2"})
    assert response.status_code == 302
    page = page_of(c.get(f"/audit/cases/{case.id}"))
    assert _note_details(page, "DA01").get("open") is not None


# --- hidden sections hide their headings --------------------------------------------------------


def _section(page: Page, section_id: str) -> Any:
    return page.one(f"[data-section={section_id}]")


def test_a_section_whose_questions_are_all_hidden_hides_its_heading_and_contents_link(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    _save(c, case, "DA01", value="no")  # no children present: the children section is hidden
    page = page_of(c.get(f"/audit/cases/{case.id}"))
    children = _section(page, "children")
    assert "app-section--hidden" in children.get("class", "")
    assert children.find("h2").get("id") == "section-children"  # the heading hides with it
    assert page.one("[data-section-link=children]").get("hidden") is not None
    assert "app-section--hidden" not in _section(page, "risk").get("class", "")
    assert page.one("[data-section-link=risk]").get("hidden") is None

    _save(c, case, "DA01", value="yes")
    page = page_of(c.get(f"/audit/cases/{case.id}"))
    assert "app-section--hidden" not in _section(page, "children").get("class", "")
    assert page.one("[data-section-link=children]").get("hidden") is None


def test_a_submitted_case_shows_no_heading_for_a_section_that_did_not_apply(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    case = factories.make_case(
        inspection, "DA-0301", auditor=auditor, answers=COMPLETE, status=CaseStatus.SUBMITTED
    )
    page = page_of(login_as(auditor).get(f"/audit/cases/{case.id}"))
    headings = page.texts("main h2")
    assert not page.select("#section-children")
    assert "No questions in this section apply." not in page.html
    assert any(h.endswith("Risk") or "risk" in h.lower() for h in headings), headings


# --- status lines and the score -----------------------------------------------------------------


def test_status_lines_are_plain_english_and_the_score_is_rounded_half_up(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    answers = {**COMPLETE, "DA17": "partly"}  # 7.5 of 8 = 93.75%
    case = factories.make_case(inspection, "DA-0302", auditor=auditor, answers=answers)
    page = page_of(login_as(auditor).get(f"/audit/cases/{case.id}"))
    why = page.texts("[data-grade-explanation] li")
    assert any(line.endswith("= 93.8%.") for line in why), why  # never 93.7%
    assert "93.8% is at least 80%" in " ".join(why)
    assert (
        "Not counted in the score: 6 not asked because of earlier answers, "
        "3 asked for information only." in why
    )
    assert "ungraded" not in page.html


def test_progress_counts_the_required_questions(login_as: Any, case: Case, auditor: User) -> None:
    c = login_as(auditor)
    body = _save(c, case, "DA01", value="no").get_json()
    # DA01 no hides the five child questions; DA11 unanswered hides DA12: 11 required asked.
    assert body["progress"]["text"] == "Answered 1 of 11 required questions"
    assert (body["progress"]["required_answered"], body["progress"]["required"]) == (1, 11)
    page = page_of(c.get(f"/audit/cases/{case.id}"))
    assert page.text("[data-progress]") == "Answered 1 of 11 required questions"


# --- dates: the GOV.UK date-input pattern with a 24-hour time -----------------------------------


def test_date_and_time_are_typed_in_day_month_year_hour_and_minute(
    login_as: Any, mc_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    page = page_of(c.get(f"/audit/cases/{mc_case.id}"))
    group = page.one("#question-MC01 fieldset")
    assert group.get("role") == "group"
    labels = [text_of(label) for label in group.iter("label")]
    assert labels == ["Day", "Month", "Year", "Hour", "Minute"]
    assert not page.select("input[type=datetime-local]")
    assert page.one("#answer-MC01").get("name") == "day-MC01"  # the error summary's target

    response = _form_post(
        c,
        mc_case,
        {
            "day-MC01": "5",
            "month-MC01": "9",
            "year-MC01": "2022",
            "hour-MC01": "9",
            "minute-MC01": "5",
        },
    )
    assert response.status_code == 302
    assert _stored(mc_case, "MC01") == "2022-09-05T09:05"  # the stored format is unchanged
    page = page_of(c.get(f"/audit/cases/{mc_case.id}"))
    shown = {part: page.one(f"[name={part}-MC01]").get("value") for part in ("day", "hour")}
    assert shown == {"day": "5", "hour": "09"}
    assert page.one("[name=minute-MC01]").get("value") == "05"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"day": "5", "year": "2022", "hour": "14", "minute": "30"}, "Date must include a month"),
        ({"year": "2022", "hour": "14", "minute": "30"}, "Date must include a day and month"),
        ({"day": "31", "month": "2", "year": "2022", "hour": "1", "minute": "0"}, "real date"),
        ({"day": "5", "month": "9", "year": "22", "hour": "1", "minute": "0"}, "4 numbers"),
        ({"day": "5", "month": "9", "year": "2022"}, "Time must include an hour and minute"),
        ({"day": "5", "month": "9", "year": "2022", "hour": "14"}, "Time must include a minute"),
        ({"day": "5", "month": "9", "year": "2022", "hour": "25", "minute": "0"}, "24-hour"),
    ],
)
def test_a_date_not_whole_or_not_real_is_refused_with_the_patterns_message(
    login_as: Any, mc_case: Case, auditor: User, fields: dict[str, str], message: str
) -> None:
    c = login_as(auditor)
    posted = {f"{part}-MC01": fields.get(part, "") for part in ("day", "month", "year")}
    posted |= {f"{part}-MC01": fields.get(part, "") for part in ("hour", "minute")}
    response = _form_post(c, mc_case, posted)
    assert response.status_code == 200
    page = page_of(response)
    summary = page.one(".govuk-error-summary")
    assert message in text_of(summary)
    assert summary.find(".//a").get("href") == "#answer-MC01"
    assert message in page.text("#question-MC01 .govuk-error-message")
    assert _stored(mc_case, "MC01") is None  # nothing saved
    # What was typed is shown back, with the error, to put right.
    assert page.one("[name=year-MC01]").get("value") == fields.get("year", "")


def test_autosave_takes_the_date_fields_or_the_stored_format(
    login_as: Any, mc_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    fields = {"day": "5", "month": "9", "year": "2022", "hour": "14", "minute": "0"}
    response = _save(c, mc_case, "MC01", value=fields)
    assert response.status_code == 200
    assert response.get_json()["answer"]["value"] == "2022-09-05T14:00"
    response = _save(c, mc_case, "MC06", value="2022-09-05T14:42")  # as before: still works
    assert (
        response.get_json()["checks"]["MC07"]["detail"] == "42 minutes (target within 90 minutes)"
    )
    refused = _save(c, mc_case, "MC06", value={**fields, "month": ""})
    assert refused.status_code == 422
    assert refused.get_json()["message"] == "Date must include a month"
    assert _stored(mc_case, "MC06") == "2022-09-05T14:42"


def test_a_date_question_refuses_fields_sent_for_another_kind_of_question(
    login_as: Any, case: Case, auditor: User
) -> None:
    response = _save(login_as(auditor), case, "DA01", value={"day": "5"})
    assert response.status_code == 422
    assert _stored(case, "DA01") is None


NODE = shutil.which("node")
LOGIC = Path(__file__).resolve().parents[2] / "auditapp" / "assets" / "js" / "audit-form-logic.mjs"
_NODE_SCRIPT = """
import { readFileSync } from 'node:fs'
import { dateCompleteness, splitStoredDate } from '%s'
const cases = JSON.parse(readFileSync(0, 'utf8'))
const out = cases.map(([type, stored]) => {
  const fields = splitStoredDate(type, stored)
  return [fields, dateCompleteness(type, fields)]
})
process.stdout.write(JSON.stringify(out))
"""


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_browser_splits_a_stored_date_as_the_server_does() -> None:
    from auditapp.domain.question_sets import load_library, split_stored_date

    questions = {
        q.type: q for qs in load_library() for q in qs.questions if q.type in ("date", "datetime")
    }
    values = [None, "", "2022-09-05", "2022-9-5", "2022-09-05T14:30", "2022-09-05T09:05"]
    values += ["2022-12-31T23:59", "not a date", "05/09/2022"]
    cases = [[kind, value] for kind in questions for value in values]
    result = subprocess.run(  # noqa: S603 - fixed argv
        [NODE, "--input-type=module", "-e", _NODE_SCRIPT % LOGIC.as_uri()],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    for (kind, value), (fields, completeness) in zip(cases, json.loads(result.stdout), strict=True):
        assert fields == split_stored_date(questions[kind], value), (kind, value)
        expected = "empty" if not value else "complete"
        if value and ((kind == "datetime" and "T" not in value) or "-" not in value):
            expected = "partial"  # a date without its time, or not a date: not whole yet
        assert completeness == expected, (kind, value)


# --- after submitting: the next case ------------------------------------------------------------


def test_after_submitting_the_page_links_to_the_next_case_not_yet_submitted(
    login_as: Any, inspection: Any, auditor: User, second_auditor: User
) -> None:
    first = factories.make_case(inspection, "DA-0310", auditor=auditor, answers=COMPLETE)
    factories.make_case(inspection, "DA-0305", auditor=auditor, status=CaseStatus.SUBMITTED)
    factories.make_case(inspection, "DA-0311", auditor=second_auditor)  # someone else's
    following = factories.make_case(inspection, "DA-0312", auditor=auditor)
    c = login_as(auditor)
    response = c.post_form(f"/audit/cases/{first.id}/submit", {"grade_choice": "computed"})
    assert response.status_code == 302
    page = page_of(c.get(response.headers["Location"]))
    link = page.one("#next-case-link")
    assert link.get("href") == f"/audit/cases/{following.id}"
    assert text_of(link) == "Go to your next case: case DA-0312"


def test_the_next_case_may_be_a_blind_second_audit_and_none_left_is_said(
    login_as: Any, inspection: Any, auditor: User, second_auditor: User, lead: User
) -> None:
    mine = factories.make_case(inspection, "DA-0320", auditor=auditor, answers=COMPLETE)
    theirs = factories.make_case(
        inspection, "DA-0321", auditor=second_auditor, status=CaseStatus.SUBMITTED
    )
    db.session.add(SecondAudit(case_id=theirs.id, auditor_id=auditor.id, requested_by_id=lead.id))
    db.session.commit()
    c = login_as(auditor)
    c.post_form(f"/audit/cases/{mine.id}/submit", {"grade_choice": "computed"})
    page = page_of(c.get(f"/audit/cases/{mine.id}"))
    assert page.one("#next-case-link").get("href") == f"/audit/cases/{theirs.id}/second-audit"

    second = db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == theirs.id))
    second.status = "submitted"
    db.session.commit()
    page = page_of(c.get(f"/audit/cases/{mine.id}"))
    assert "You have no other cases to audit." in page.text("#next-case")
    assert not re.search(r"Go to your next case", page.html)


def test_a_draft_shows_no_next_case_panel(login_as: Any, case: Case, auditor: User) -> None:
    assert not page_of(login_as(auditor).get(f"/audit/cases/{case.id}")).select("#next-case")
