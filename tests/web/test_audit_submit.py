"""Submitting a case: the grade and why, proposing another grade with a reason, required
questions blocking submission, and the case read-only for its auditor afterwards."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, CaseStatus, SecondAudit, SecondAuditStatus, User
from tests import factories

COMPLETE = factories.GOOD_DOMESTIC_ABUSE_ANSWERS


@pytest.fixture
def complete_case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(inspection, "DA-0100", auditor=auditor, answers=COMPLETE)


def _reload(case: Case) -> Case:
    db.session.expire_all()
    found = db.session.get(Case, case.id)
    assert found is not None
    return found


def test_submit_page_shows_the_grade_worked_out_and_why(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    page = login_as(auditor).get(f"/audit/cases/{complete_case.id}/submit").get_data(True)
    assert "The grade worked out" in page
    assert "Good" in page
    assert "Score: 8 met" in page
    assert "is at least 80% and every applicable critical question is fully met" in page
    assert "Good (the grade worked out)" in page


def test_unanswered_required_questions_block_submission_and_are_listed(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    answers = dict(COMPLETE)
    del answers["DA13"], answers["DA16"]
    case = factories.make_case(inspection, "DA-0101", auditor=auditor, answers=answers)
    c = login_as(auditor)
    response = c.post_form(f"/audit/cases/{case.id}/submit", {"grade_choice": "computed"})
    page = response.get_data(True)
    assert response.status_code == 200
    assert "<title>Error: Check and submit case DA-0101" in page
    assert "govuk-error-summary" in page
    assert f'href="/audit/cases/{case.id}#question-DA13"' in page
    assert f'href="/audit/cases/{case.id}#question-DA16"' in page
    assert "DA13: answer “Were the DASH and the officers" in page
    assert _reload(case).status == CaseStatus.DRAFT


def test_questions_hidden_by_earlier_answers_do_not_block(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    # DA05 to DA09 are required but hidden because DA01 is no; DA12 because the risk is standard.
    response = login_as(auditor).post_form(
        f"/audit/cases/{complete_case.id}/submit", {"grade_choice": "computed"}
    )
    assert response.status_code == 302
    assert _reload(complete_case).status == CaseStatus.SUBMITTED


def test_derived_check_with_times_in_the_wrong_order_blocks_submission(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    answers = {
        "MC01": "2022-09-05T14:00",
        "MC02": "medium",
        "MC03": "yes",
        "MC04": "yes",
        "MC05": "yes",
        "MC06": "2022-09-05T13:00",
        "MC08": "yes",
        "MC09": "yes",
        "MC10": "no",
        "MC14": "na",
        "MC16": "yes",
        "MC17": "yes",
    }
    case = factories.make_case(
        inspection, "MC-0101", slug="missing-child", auditor=auditor, answers=answers
    )
    response = login_as(auditor).post_form(
        f"/audit/cases/{case.id}/submit", {"grade_choice": "computed"}
    )
    assert "MC06 is before MC01: check the times" in response.get_data(True)
    assert _reload(case).status == CaseStatus.DRAFT


def test_submitting_with_the_computed_grade(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    response = c.post_form(f"/audit/cases/{complete_case.id}/submit", {"grade_choice": "computed"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/audit/cases/{complete_case.id}"
    case = _reload(complete_case)
    assert case.status == CaseStatus.SUBMITTED
    assert case.submitted_at is not None
    assert case.proposed_grade is None
    assert case.grade == "good"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "submit")
    )
    assert (event.old_value, event.new_value, event.user_id) == ("draft", "submitted", auditor.id)
    page = c.get(response.headers["Location"]).get_data(True)
    assert "Case submitted. It is read-only until a lead returns it." in page
    assert "read-only until a lead returns it" in page
    assert 'name="answer-DA01"' not in page  # answers shown read-only
    assert "Submitted" in page  # in the history


def test_proposing_a_different_grade_needs_a_reason(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    response = c.post_form(
        f"/audit/cases/{complete_case.id}/submit", {"grade_choice": "requires_improvement"}
    )
    page = response.get_data(True)
    assert response.status_code == 200
    assert "Give your reason for proposing a different grade" in page
    assert "<title>Error:" in page
    assert _reload(complete_case).status == CaseStatus.DRAFT

    response = c.post_form(
        f"/audit/cases/{complete_case.id}/submit",
        {"grade_choice": "requires_improvement", "reason": "Supervision was a copy-paste entry"},
    )
    assert response.status_code == 302
    case = _reload(complete_case)
    assert case.computed_grade == "good"
    assert case.proposed_grade == "requires_improvement"
    assert case.proposed_reason == "Supervision was a copy-paste entry"
    assert case.grade == "requires_improvement"


def test_keeping_the_computed_grade_ignores_a_reason_typed_anyway(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    response = login_as(auditor).post_form(
        f"/audit/cases/{complete_case.id}/submit",
        {"grade_choice": "computed", "reason": "changed my mind"},
    )
    assert response.status_code == 302
    case = _reload(complete_case)
    assert (case.proposed_grade, case.proposed_reason) == (None, None)


def test_grade_choice_is_required(login_as: Any, complete_case: Case, auditor: User) -> None:
    response = login_as(auditor).post_form(f"/audit/cases/{complete_case.id}/submit", {})
    assert "Choose the grade you give this case" in response.get_data(True)


def test_case_at_current_risk_cannot_be_proposed_better_than_inadequate(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    case = factories.make_case(
        inspection, "DA-0102", auditor=auditor, answers=COMPLETE, current_risk=True
    )
    response = login_as(auditor).post_form(
        f"/audit/cases/{case.id}/submit", {"grade_choice": "good", "reason": "Looks fine"}
    )
    assert "A case with a child at current risk is inadequate" in response.get_data(True)
    assert _reload(case).status == CaseStatus.DRAFT


@pytest.fixture
def submitted(login_as: Any, complete_case: Case, auditor: User) -> tuple[Any, Case]:
    c = login_as(auditor)
    c.post_form(f"/audit/cases/{complete_case.id}/submit", {"grade_choice": "computed"})
    return c, _reload(complete_case)


def test_submitted_case_refuses_answer_saves(submitted: tuple[Any, Case]) -> None:
    c, case = submitted
    response = c.post(
        f"/audit/cases/{case.id}/answers/DA02",
        json={"value": "no", "base_version": case.version},
        headers={"X-CSRFToken": c.csrf_token},
    )
    assert response.status_code == 409
    assert "read-only until a lead returns it" in response.get_json()["message"]
    assert _reload(case).computed_grade == "good"


def test_submitted_case_refuses_the_whole_form(submitted: tuple[Any, Case]) -> None:
    c, case = submitted
    response = c.post_form(
        f"/audit/cases/{case.id}",
        {"base_version": str(case.version), "answer-DA02": "no", "seen-DA02": "yes"},
    )
    assert response.status_code == 409
    assert "read-only until a lead returns it" in response.get_data(True)


def test_submitted_case_cannot_be_submitted_again(submitted: tuple[Any, Case]) -> None:
    c, case = submitted
    assert (
        c.post_form(f"/audit/cases/{case.id}/submit", {"grade_choice": "computed"}).status_code
        == 409
    )
    response = c.get(f"/audit/cases/{case.id}/submit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/audit/cases/{case.id}"


def test_returned_case_can_be_edited_again_and_shows_the_comment(
    submitted: tuple[Any, Case],
) -> None:
    c, case = submitted
    # What the moderation work does when a lead returns a case.
    case.status = CaseStatus.DRAFT
    case.returned_comment = "DA16: the review is the sergeant's own log entry"
    db.session.commit()
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "Returned by a lead" in page
    assert "DA16: the review is the sergeant&#39;s own log entry" in page
    assert 'name="answer-DA16"' in page
    response = c.post(
        f"/audit/cases/{case.id}/answers/DA16",
        json={"value": "partly", "base_value": "yes", "base_version": case.version},
        headers={"X-CSRFToken": c.csrf_token},
    )
    assert response.status_code == 200


def test_lead_sees_the_grades_of_a_submitted_case(
    login_as: Any, submitted: tuple[Any, Case], lead: User
) -> None:
    _, case = submitted
    page = login_as(lead).get(f"/audit/cases/{case.id}").get_data(True)
    assert "Worked out" in page and "Good" in page
    assert "No different grade proposed" in page
    assert "Not moderated yet" in page


def test_second_audit_submission_is_kept_on_the_second_audit(
    login_as: Any, complete_case: Case, second_auditor: User, lead: User
) -> None:
    db.session.add(
        SecondAudit(case_id=complete_case.id, auditor_id=second_auditor.id, requested_by_id=lead.id)
    )
    db.session.commit()
    c = login_as(second_auditor)
    version = _reload(complete_case).version
    for qid, value in COMPLETE.items():
        body = c.post(
            f"/audit/cases/{complete_case.id}/second-audit/answers/{qid}",
            json={"value": "no" if qid in ("DA16", "DA17") else value, "base_version": version},
            headers={"X-CSRFToken": c.csrf_token},
        ).get_json()
        version = body["version"]
    response = c.post_form(
        f"/audit/cases/{complete_case.id}/second-audit/submit", {"grade_choice": "computed"}
    )
    assert response.status_code == 302
    second = db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == complete_case.id))
    assert second.status == SecondAuditStatus.SUBMITTED
    assert second.computed_grade == "requires_improvement"  # 6 of 8 met: 75%
    case = _reload(complete_case)
    assert case.status == CaseStatus.DRAFT  # the first audit is untouched
    assert case.computed_grade == "good"
    page = c.get(f"/audit/cases/{complete_case.id}/second-audit").get_data(True)
    assert "You submitted this second audit" in page
    assert 'name="answer-DA01"' not in page


def test_submit_page_links_back_to_the_form(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    page = login_as(auditor).get(f"/audit/cases/{complete_case.id}/submit").get_data(True)
    assert re.search(rf'href="/audit/cases/{complete_case.id}"[^>]*>\s*Back to the case', page)
