"""The case form: conditional questions, notes, derived checks, the provisional grade, saving
without JavaScript, the JSON save endpoint, and the blind second audit."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import Answer, AuditEvent, Case, SecondAudit, User
from auditapp.services.audit.round import FIRST_ROUND, SECOND_ROUND
from auditapp.services.free_texts import logged_events
from tests import factories


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(inspection, "DA-0001", auditor=auditor)


@pytest.fixture
def mc_case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(inspection, "MC-0001", slug="missing-child", auditor=auditor)


def _save(c: Any, case: Case, qid: str, **body: Any) -> Any:
    body.setdefault("base_version", db.session.get(Case, case.id).version)
    return c.post(
        f"/audit/cases/{case.id}/answers/{qid}", json=body, headers={"X-CSRFToken": c.csrf_token}
    )


def _stored(case: Case, qid: str, audit_round: int = FIRST_ROUND) -> Answer | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Answer).where(
            Answer.case_id == case.id,
            Answer.question_code == qid,
            Answer.audit_round == audit_round,
        )
    )


def _question_div(page: str, qid: str) -> str:
    match = re.search(rf'<div class="([^"]*)"[^>]*id="question-{qid}"', page)
    assert match, f"question {qid} not on the page"
    return match.group(1)


def _form_post(c: Any, case: Case, data: dict[str, Any], **kwargs: Any) -> Any:
    """Post the whole form as a browser would: every question's seen values as rendered."""
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    payload: dict[str, Any] = {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }
    payload["base_version"] = re.search(r'name="base_version"[^>]*value="(\d+)"', page).group(1)
    payload.update(data)
    return c.post_form(f"/audit/cases/{case.id}", payload, **kwargs)


# --- conditional questions ----------------------------------------------------------------------


def test_conditional_questions_are_hidden_until_their_answer_shows_them(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "app-question--hidden" in _question_div(page, "DA05")
    assert "app-question--hidden" not in _question_div(page, "DA02")
    assert 'data-show-if-question="DA01"' in page
    assert 'data-show-if-equals="[&#34;yes&#34;]"' in page


def test_plain_submit_saves_and_shows_the_right_questions(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    response = _form_post(c, case, {"answer-DA01": "yes", "action": "save"})
    assert response.status_code == 302
    assert _stored(case, "DA01").value == "yes"
    page = c.get(response.headers["Location"]).get_data(True)
    assert "Your answers have been saved." in page
    assert "app-question--hidden" not in _question_div(page, "DA05")
    # Answering no hides them again, and the answers already given are kept (not lost).
    _form_post(c, case, {"answer-DA01": "yes", "answer-DA05": "partly"})
    _form_post(c, case, {"answer-DA01": "no", "answer-DA05": "partly"})
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "app-question--hidden" in _question_div(page, "DA05")
    assert _stored(case, "DA05").value == "partly"


def test_json_save_returns_visibility_of_every_question(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    body = _save(c, case, "DA01", value="yes").get_json()
    assert body["visible"]["DA05"] is True
    assert body["visible"]["DA12"] is False  # shown only for a high DASH risk
    body = _save(c, case, "DA11", value="high", base_version=body["version"]).get_json()
    assert body["visible"]["DA12"] is True
    body = _save(c, case, "DA01", value="no", base_version=body["version"]).get_json()
    assert body["visible"]["DA05"] is False


# --- notes --------------------------------------------------------------------------------------


def test_note_is_saved_with_its_answer_and_shown(login_as: Any, case: Case, auditor: User) -> None:
    c = login_as(auditor)
    response = _save(c, case, "DA02", value="partly", note="THRIVE on log entry 3, no children")
    assert response.status_code == 200
    assert response.get_json()["answer"]["note"] == "THRIVE on log entry 3, no children"
    row = _stored(case, "DA02")
    assert (row.value, row.note) == ("partly", "THRIVE on log entry 3, no children")
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "THRIVE on log entry 3, no children</textarea>" in page


def test_note_alone_can_be_saved_before_the_answer(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    assert _save(c, case, "DA03", note="See incident log").status_code == 200
    row = _stored(case, "DA03")
    assert (row.value, row.note) == (None, "See incident log")


def test_note_field_warns_against_personal_details(
    login_as: Any, case: Case, auditor: User
) -> None:
    page = login_as(auditor).get(f"/audit/cases/{case.id}").get_data(True)
    assert "Never write names, dates of birth or addresses" in page


def test_note_changes_are_recorded_with_old_and_new(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    version = _save(c, case, "DA02", note="first").get_json()["version"]
    _save(c, case, "DA02", note="second", base_note="first", base_version=version)
    events = logged_events(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case.id, AuditEvent.action == "change_note"
            )
        ).all()
    )  # a note is kept apart from the event row: read back where the log keeps it
    assert [(e.old_value, e.new_value, e.user_id) for e in events] == [
        (None, "first", auditor.id),
        ("first", "second", auditor.id),
    ]


# --- derived checks -----------------------------------------------------------------------------


def test_derived_check_shows_its_detail_once_both_times_are_filled(
    login_as: Any, mc_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    body = _save(c, mc_case, "MC01", value="2022-09-05T14:00").get_json()
    assert body["checks"]["MC07"]["detail"] == "needs MC06"
    body = _save(c, mc_case, "MC06", value="2022-09-05 14:42", base_version=body["version"])
    check = body.get_json()["checks"]["MC07"]
    assert check["outcome"] == "met"
    assert check["detail"] == "42 minutes (target within 90 minutes)"
    page = c.get(f"/audit/cases/{mc_case.id}").get_data(True)
    assert "42 minutes (target within 90 minutes)" in page


def test_derived_check_not_met_when_too_slow(login_as: Any, mc_case: Case, auditor: User) -> None:
    c = login_as(auditor)
    _form_post(
        c,
        mc_case,
        {"answer-MC01": "2022-09-05T14:00", "answer-MC06": "2022-09-05T23:05"},
    )
    page = c.get(f"/audit/cases/{mc_case.id}").get_data(True)
    assert "545 minutes (target within 90 minutes)" in page
    assert "Not met" in page


def test_date_time_questions_use_the_gov_uk_date_input_with_a_24_hour_time(
    login_as: Any, mc_case: Case, auditor: User
) -> None:
    page = login_as(auditor).get(f"/audit/cases/{mc_case.id}").get_data(True)
    assert "datetime-local" not in page  # the browser's own widget lost typed values
    for part in ("day", "month", "year", "hour", "minute"):
        assert re.search(rf'name="{part}-MC01"[^>]*type="text"', page), part
    assert "For example, 5 9 2022 at 14 30. Use the 24-hour clock." in page


def test_not_applicable_box_beside_a_date_time_saves_na(
    login_as: Any, mc_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    _form_post(c, mc_case, {"answer-MC01": "2022-09-05T14:00", "na-MC06": "na"})
    assert _stored(mc_case, "MC06").value == "na"
    page = c.get(f"/audit/cases/{mc_case.id}").get_data(True)
    assert re.search(r'name="na-MC06"[^>]*value="na"[^>]*checked', page)
    assert "not applicable: MC06 is not applicable" in page


def test_derived_question_cannot_be_answered(login_as: Any, mc_case: Case, auditor: User) -> None:
    response = _save(login_as(auditor), mc_case, "MC07", value="yes")
    assert response.status_code == 422
    assert response.get_json()["message"] == "This answer is worked out from other answers"


# --- invalid answers ----------------------------------------------------------------------------


def test_invalid_answer_is_refused_with_a_message_for_the_auditor(
    login_as: Any, mc_case: Case, auditor: User
) -> None:
    response = _save(login_as(auditor), mc_case, "MC01", value="yesterday teatime")
    assert response.status_code == 422
    assert "Enter a real date and time" in response.get_json()["message"]
    assert _stored(mc_case, "MC01") is None


def test_plain_submit_keeps_valid_answers_and_shows_invalid_ones_with_errors(
    login_as: Any, mc_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    response = _form_post(
        c,
        mc_case,
        {
            "answer-MC01": "not a date",
            "answer-MC03": "yes",
            "answer-MC10": "yes",
            "answer-MC11": "two",
        },
    )
    page = response.get_data(True)
    assert response.status_code == 200
    assert "<title>Error: Case MC-0001" in page
    assert "govuk-error-summary" in page
    assert 'href="#answer-MC01"' in page and 'href="#answer-MC11"' in page
    assert 'value="not a date"' in page  # what was typed is shown again, not lost
    assert 'value="two"' in page
    assert _stored(mc_case, "MC03").value == "yes"  # the valid answers were saved
    assert _stored(mc_case, "MC01") is None


def test_unknown_question_is_not_found(login_as: Any, case: Case, auditor: User) -> None:
    assert _save(login_as(auditor), case, "XX99", value="yes").status_code == 404


def test_json_save_without_csrf_token_is_refused(login_as: Any, case: Case, auditor: User) -> None:
    c = login_as(auditor)
    response = c.post(
        f"/audit/cases/{case.id}/answers/DA01",
        json={"value": "yes", "base_version": 1},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert _stored(case, "DA01") is None


def test_checklist_none_of_these_is_a_real_answer(login_as: Any, case: Case, auditor: User) -> None:
    c = login_as(auditor)
    version = _save(c, case, "DA01", value="yes").get_json()["version"]
    body = _save(c, case, "DA07", value=["none"], base_version=version).get_json()
    assert _stored(case, "DA07").value == "[]"
    assert "DA07 “Which parts of VOICE are recorded for the children?” (not met)" in " ".join(
        body["grade"]["explanation"]
    )
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert re.search(r'value="none"[^>]*checked', page)


# --- the provisional grade ----------------------------------------------------------------------


def test_provisional_grade_and_explanation_follow_the_answers(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    body = _save(c, case, "DA04", value="no").get_json()
    grade = body["grade"]
    assert grade["grade"] == "inadequate"
    assert grade["provisional"] is True
    assert [d["id"] for d in grade["deciding"]] == ["DA04"]
    assert any("DA04" in line and "limiting rule" in line for line in grade["explanation"])
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "Inadequate" in page
    assert "is critical and not met, so the case is inadequate" in page
    assert 'href="#question-DA04"' in page


def test_grade_changes_are_recorded_in_the_history(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    _save(c, case, "DA04", value="no")
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "Grade worked out" in page
    assert "none → Inadequate" in page


# --- the blind second audit ---------------------------------------------------------------------


@pytest.fixture
def second(case: Case, second_auditor: User, lead: User, auditor: User) -> Case:
    db.session.add(
        SecondAudit(case_id=case.id, auditor_id=second_auditor.id, requested_by_id=lead.id)
    )
    for qid, value, note in (("DA01", "yes", None), ("DA04", "no", "FIRST-AUDITOR-NOTE")):
        db.session.add(
            Answer(
                case_id=case.id,
                question_code=qid,
                value=value,
                note=note,
                answered_by_id=auditor.id,
            )
        )
    db.session.commit()
    return case


def test_second_auditor_never_sees_round_one_work(
    login_as: Any, second: Case, auditor: User, second_auditor: User
) -> None:
    first = login_as(auditor)
    _save(first, second, "DA02", value="partly", note="FIRST-AUDITOR-THRIVE")
    c = login_as(second_auditor)
    page = c.get(f"/audit/cases/{second.id}/second-audit").get_data(True)
    assert "Second audit of case DA-0001" in page
    assert "FIRST-AUDITOR-NOTE" not in page and "FIRST-AUDITOR-THRIVE" not in page
    assert "Inadequate" not in page  # round 1's grade (DA04 = no) is not shown
    assert "Answer to DA02 changed" not in page  # round 1's history is not shown
    assert not re.search(r'value="(yes|no|partly)"[^>]*checked', page)
    assert "Not graded yet" in page
    # The first audit's page is closed to the second auditor.
    assert c.get(f"/audit/cases/{second.id}").status_code == 403


def test_second_audit_answers_are_saved_in_round_two_and_graded_alone(
    login_as: Any, second: Case, second_auditor: User
) -> None:
    c = login_as(second_auditor)
    response = c.post(
        f"/audit/cases/{second.id}/second-audit/answers/DA04",
        json={"value": "yes", "base_version": db.session.get(Case, second.id).version},
        headers={"X-CSRFToken": c.csrf_token},
    )
    assert response.status_code == 200
    assert _stored(second, "DA04", audit_round=SECOND_ROUND).value == "yes"
    assert _stored(second, "DA04", audit_round=FIRST_ROUND).value == "no"  # round 1 untouched
    assert response.get_json()["grade"]["grade"] != "inadequate"
    page = c.get(f"/audit/cases/{second.id}/second-audit").get_data(True)
    assert "Answer to DA04 changed" in page  # round 2's own history


def test_first_auditor_never_sees_second_audit_history(
    login_as: Any, second: Case, auditor: User, second_auditor: User
) -> None:
    c2 = login_as(second_auditor)
    c2.post(
        f"/audit/cases/{second.id}/second-audit/answers/DA02",
        json={"value": "yes", "note": "SECOND-AUDITOR-NOTE", "base_version": second.version},
        headers={"X-CSRFToken": c2.csrf_token},
    )
    page = login_as(auditor).get(f"/audit/cases/{second.id}").get_data(True)
    assert "SECOND-AUDITOR-NOTE" not in page


def test_second_audit_of_a_current_risk_case_is_not_told_of_the_flag(
    login_as: Any, second: Case, second_auditor: User
) -> None:
    case = db.session.get(Case, second.id)
    case.current_risk = True
    case.current_risk_note = "ROUND-ONE-RISK"
    db.session.commit()
    page = login_as(second_auditor).get(f"/audit/cases/{case.id}/second-audit").get_data(True)
    assert "ROUND-ONE-RISK" not in page
    assert "current risk" not in page.lower().replace("flag a child at current risk", "")


# --- the browser's visibility rule is the server's ----------------------------------------------

NODE = shutil.which("node")
LOGIC = Path(__file__).resolve().parents[2] / "auditapp" / "assets" / "js" / "audit-form-logic.mjs"
_NODE_SCRIPT = """
import { readFileSync } from 'node:fs'
import { controlValue, visibleIds } from '%s'
const cases = JSON.parse(readFileSync(0, 'utf8'))
const out = cases.map(({ questions, answers }) => {
  const types = Object.fromEntries(questions.map((q) => [q.id, q.type]))
  return [...visibleIds(questions, (id) => controlValue(types[id], answers[id] ?? null))]
})
process.stdout.write(JSON.stringify(out))
"""


def _random_answer(question: Any, rng: random.Random) -> str | None:
    if rng.random() < 0.2:
        return None
    if question.type == "checklist":
        roll = rng.random()
        if roll < 0.15:
            return "[]"
        if roll < 0.25 and question.allow_na:
            return "na"
        ticked = [o.value for o in question.options if rng.random() < 0.5]
        return json.dumps(ticked, separators=(",", ":")) if ticked else "[]"
    if question.type in ("yes_no", "choice"):
        return rng.choice(question.allowed_values())
    return "x"


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_browser_visibility_rule_matches_the_server_for_every_library_set() -> None:
    from auditapp.domain.question_sets import load_library, visible_ids

    rng = random.Random(4821)
    cases, expected = [], []
    for qs in load_library():
        questions = [
            {
                "id": q.id,
                "type": q.type,
                "showIf": {"question": q.show_if.question, "equals": list(q.show_if.equals)}
                if q.show_if
                else None,
            }
            for q in qs.questions
        ]
        for _ in range(60):
            answers = {q.id: _random_answer(q, rng) for q in qs.questions}
            cases.append({"questions": questions, "answers": answers})
            expected.append(sorted(visible_ids(qs, answers)))
    result = subprocess.run(  # noqa: S603 - fixed argv
        [NODE, "--input-type=module", "-e", _NODE_SCRIPT % LOGIC.as_uri()],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert [sorted(ids) for ids in json.loads(result.stdout)] == expected


def test_save_note_changes_only_the_note(case: Case, auditor: User) -> None:
    from auditapp.services.audit.round import FirstAudit
    from auditapp.services.audit.saving import save_answer, save_note

    audit = FirstAudit(case, auditor)
    state = save_answer(audit, "DA02", value="yes", base_version=case.version)
    db.session.commit()
    save_note(audit, "DA02", "Log entry 4", base_version=state.version)
    db.session.commit()
    row = _stored(case, "DA02")
    assert (row.value, row.note) == ("yes", "Log entry 4")
