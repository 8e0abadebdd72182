"""Issue 19, point 4: check and submit reads back every answer with change links, offers only
the grades the rule allows, and shows no banner when nothing happened."""

from __future__ import annotations

from typing import Any

import pytest

from auditapp.domain.grades import Grade
from auditapp.domain.grading import allowed_grades, grade_case, proposal_refusal
from auditapp.domain.question_sets import answer_words
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, User
from auditapp.services.audit import loading, submitting
from auditapp.services.audit.errors import GradeProposalError
from auditapp.services.audit.round import FirstAudit
from tests import factories
from tests.web.pages import page_of, text_of

COMPLETE = factories.GOOD_DOMESTIC_ABUSE_ANSWERS


@pytest.fixture
def complete_case(inspection: Any, auditor: User) -> Case:
    case = factories.make_case(inspection, "DA-0400", auditor=auditor, answers=COMPLETE)
    for answer in case.answers:
        if answer.question_code == "DA06":
            answer.note = "never shown: DA06 is hidden"
        if answer.question_code == "DA16":
            answer.note = "Supervisor's review on log entry 9"
    db.session.commit()
    return case


@pytest.fixture
def risk_case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(
        inspection, "DA-0401", auditor=auditor, answers=COMPLETE, current_risk=True
    )


def _reload(case: Case) -> Case:
    db.session.expire_all()
    found = db.session.get(Case, case.id)
    assert found is not None
    return found


# --- every answer read back ---------------------------------------------------------------------


def test_every_visible_answer_is_read_back_in_words_with_a_change_link(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    page = page_of(c.get(f"/audit/cases/{complete_case.id}/submit"))
    state = loading.form_state(FirstAudit(_reload(complete_case), auditor))
    rows = page.select(".app-check-answers .govuk-summary-list__row")
    keys = [text_of(row.find(".//dt")) for row in rows]
    visible = [q for q in state.qs.questions if q.id in state.visible]
    assert keys == [f"{q.id}. {q.text}" for q in visible]
    for row, q in zip(rows, visible, strict=True):
        value = text_of(row.find(".//dd[@class='govuk-summary-list__value']"))
        assert value.startswith(answer_words(q, state.values.get(q.id))), q.id
        link = row.find(".//dd[@class='govuk-summary-list__actions']//a")
        assert link.get("href") == f"/audit/cases/{complete_case.id}#question-{q.id}"
        assert text_of(link) == f"Change the answer to {q.id}"
    assert "Supervisor's review on log entry 9" in page.text(".app-check-answers:last-of-type")
    # Hidden questions and their sections are not read back.
    assert "Children" not in page.texts("main h3")
    assert "never shown" not in page.html


def test_a_required_question_left_unanswered_reads_not_answered(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    answers = {k: v for k, v in COMPLETE.items() if k != "DA13"}
    case = factories.make_case(inspection, "DA-0402", auditor=auditor, answers=answers)
    page = page_of(login_as(auditor).get(f"/audit/cases/{case.id}/submit"))
    row = next(
        row
        for row in page.select(".app-check-answers .govuk-summary-list__row")
        if text_of(row.find(".//dt")).startswith("DA13.")
    )
    assert "Not answered" in text_of(row)


# --- only the grades the rule allows ------------------------------------------------------------


def _choices(page: Any) -> list[str]:
    return [text_of(label) for label in page.select("form .govuk-radios__label")]


def test_all_grades_are_offered_when_the_rule_caps_nothing(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    page = page_of(login_as(auditor).get(f"/audit/cases/{complete_case.id}/submit"))
    assert _choices(page) == [
        "Good (the grade worked out)",
        "Propose requires improvement",
        "Propose inadequate",
    ]
    assert page.select("textarea[name=reason]")


def test_grades_the_rule_forbids_are_not_offered_on_a_child_at_current_risk(
    login_as: Any, risk_case: Case, auditor: User
) -> None:
    page = page_of(login_as(auditor).get(f"/audit/cases/{risk_case.id}/submit"))
    assert _choices(page) == ["Inadequate (the grade worked out)"]
    assert page.text("form legend") == "Which grade do you give this case?"
    assert page.text("form .govuk-hint") == "No other grade can be proposed for this case."
    assert "Propose good" not in page.html
    assert not page.select("textarea[name=reason]")  # nothing to give a reason for


def test_a_forbidden_grade_posted_anyway_is_refused_with_the_rules_reason(
    login_as: Any, risk_case: Case, auditor: User
) -> None:
    response = login_as(auditor).post_form(
        f"/audit/cases/{risk_case.id}/submit", {"grade_choice": "good", "reason": "Looks fine"}
    )
    assert response.status_code == 200
    assert "A case with a child at current risk is inadequate" in page_of(response).text(
        ".govuk-error-summary"
    )
    case = _reload(risk_case)
    assert (case.status, case.proposed_grade) == (CaseStatus.DRAFT, None)


def test_submitting_refuses_a_forbidden_grade_where_the_rule_is_enforced(
    risk_case: Case, auditor: User
) -> None:
    audit = FirstAudit(_reload(risk_case), auditor)
    with pytest.raises(GradeProposalError, match="child at current risk"):
        submitting.submit_case(audit, proposed_grade="requires_improvement", reason="Why not")
    db.session.rollback()
    assert _reload(risk_case).status == CaseStatus.DRAFT


def test_the_allowed_grades_come_from_the_grading_rule() -> None:
    from auditapp.domain.question_sets import load_library

    qs = next(q for q in load_library() if q.case_type == "domestic-abuse")
    free = grade_case(qs, COMPLETE)
    capped = grade_case(qs, COMPLETE, current_risk=True)
    assert allowed_grades(free) == tuple(Grade)
    assert allowed_grades(capped) == (Grade.INADEQUATE,)
    assert proposal_refusal(free, Grade.INADEQUATE) is None
    assert proposal_refusal(capped, Grade.INADEQUATE) is None
    assert "current risk" in (proposal_refusal(capped, Grade.GOOD) or "")


# --- no banner when nothing happened ------------------------------------------------------------


def _as_rendered(c: Any, case: Case) -> dict[str, Any]:
    """What a browser posts for the case form as rendered: hidden fields, ticks and notes."""
    page = page_of(c.get(f"/audit/cases/{case.id}"))
    form = "form[data-module=app-audit-form]"
    payload = {
        field.get("name"): field.get("value") or ""
        for field in page.select(f"{form} input")
        if field.get("type") not in ("radio", "checkbox") or field.get("checked") is not None
    }
    payload |= {field.get("name"): text_of(field) for field in page.select(f"{form} textarea")}
    return payload


def _whole_form(c: Any, case: Case, action: str, **changes: str) -> Any:
    payload = _as_rendered(c, case) | changes | {"action": action}
    return c.post_form(f"/audit/cases/{case.id}", payload)


def test_going_to_check_and_submit_without_changes_shows_no_success_banner(
    login_as: Any, complete_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    response = _whole_form(c, complete_case, "submit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/audit/cases/{complete_case.id}/submit"
    page = page_of(c.get(response.headers["Location"]))
    assert not page.select(".govuk-notification-banner--success")
    assert "No answers had changed" not in page.html
    # A second visit shows none either.
    assert not page_of(c.get(response.headers["Location"])).select(".govuk-notification-banner")


def test_saving_a_change_still_says_so(login_as: Any, complete_case: Case, auditor: User) -> None:
    c = login_as(auditor)
    response = _whole_form(c, complete_case, "save")  # nothing changed: nothing to say
    page = page_of(c.get(response.headers["Location"]))
    assert not page.select(".govuk-notification-banner--success")
    response = _whole_form(c, complete_case, "save", **{"answer-DA02": "partly"})
    banner = page_of(c.get(response.headers["Location"])).text(
        ".govuk-notification-banner--success"
    )
    assert "Your answers have been saved." in banner


# --- a dip sample is submitted without a grade ----------------------------------------------


@pytest.fixture
def dip_sample_case(inspection: Any, auditor: User) -> Case:
    """A diary-appointment dip sample with every question answered yes."""
    case = factories.make_case(inspection, "DY-0400", slug="da-diary-appointment", auditor=auditor)
    questions = loading.form_state(FirstAudit(case, auditor)).qs.questions
    return factories.make_case(
        inspection,
        "DY-0401",
        slug="da-diary-appointment",
        auditor=auditor,
        answers={q.id: "yes" for q in questions},
    )


def test_a_dip_sample_is_submitted_without_a_grade(
    login_as: Any, dip_sample_case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    page = page_of(c.get(f"/audit/cases/{dip_sample_case.id}/submit"))
    assert "is a dip sample: it is not graded" in page.text("[data-ungraded]")
    assert not page.select("input[name=grade_choice]")
    assert not page.select("textarea[name=reason]")
    assert "The grade worked out" not in page.texts("main h2")

    response = c.post_form(f"/audit/cases/{dip_sample_case.id}/submit", {})
    assert response.status_code == 302
    case = _reload(dip_sample_case)
    assert case.status == CaseStatus.SUBMITTED
    assert (case.computed_grade, case.proposed_grade, case.final_grade) == (None, None, None)
    assert case.submitted_at is not None


def test_a_grade_proposed_for_a_dip_sample_is_refused(dip_sample_case: Case, auditor: User) -> None:
    audit = FirstAudit(_reload(dip_sample_case), auditor)
    with pytest.raises(GradeProposalError, match="A dip sample is not graded"):
        submitting.submit_case(audit, proposed_grade="good", reason="Looks fine")
    db.session.rollback()
    assert _reload(dip_sample_case).status == CaseStatus.DRAFT
