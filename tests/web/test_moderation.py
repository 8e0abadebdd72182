"""Moderation by leads: the queue, the three decisions and their rules, the policy, agreement."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select, text

from auditapp.domain.grades import Grade
from auditapp.extensions import db
from auditapp.models import (
    AuditEvent,
    Case,
    CaseStatus,
    InspectionRole,
    ModerationAction,
    ModerationDecision,
    ModerationPolicy,
    User,
)
from auditapp.services.free_texts import logged_events
from tests import factories

GOOD = factories.GOOD_DOMESTIC_ABUSE_ANSWERS
INADEQUATE = {**GOOD, "DA04": "no"}  # DA04 is critical
REQUIRES_IMPROVEMENT = {**GOOD, "DA16": "no", "DA17": "no"}  # 6 of 8 = 75%


def submitted(
    inspection: Any, reference: str, auditor: User, answers: dict[str, str] = GOOD, **fields: Any
) -> Case:
    """A case its auditor has submitted."""
    return factories.make_case(
        inspection,
        reference,
        auditor=auditor,
        answers=answers,
        status=CaseStatus.SUBMITTED,
        **fields,
    )


def reload(case: Case) -> Case:
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh is not None
    return fresh


def case_events(case: Case) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        )
    )


def decisions(case: Case) -> list[ModerationDecision]:
    return list(
        db.session.scalars(select(ModerationDecision).where(ModerationDecision.case_id == case.id))
    )


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return submitted(
        inspection,
        "DA-0001",
        auditor,
        INADEQUATE,
        proposed_grade="requires_improvement",
        proposed_reason="Appointment was justified by the call notes",
    )


# --- access -------------------------------------------------------------------------------------


def lead_pages(inspection: Any, case: Case) -> list[str]:
    return [
        f"/moderation/inspections/{inspection.id}",
        f"/moderation/inspections/{inspection.id}/policy",
        f"/moderation/inspections/{inspection.id}/agreement",
        f"/moderation/cases/{case.id}",
        f"/moderation/cases/{case.id}/second-audit",
    ]


def test_anonymous_user_is_sent_to_sign_in(client: Any, inspection: Any, case: Case) -> None:
    for path in lead_pages(inspection, case):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/auth/login" in response.headers["Location"], path


def test_non_member_gets_404_on_every_moderation_page(
    login_as: Any, inspection: Any, case: Case, outsider: User
) -> None:
    c = login_as(outsider)
    for path in lead_pages(inspection, case):
        assert c.get(path).status_code == 404, path
    assert c.post_form(f"/moderation/cases/{case.id}/agree").status_code == 404


@pytest.mark.parametrize("role", ["auditor", "observer"])
def test_auditor_and_observer_get_403_on_lead_pages(
    request: Any, login_as: Any, inspection: Any, case: Case, role: str
) -> None:
    c = login_as(request.getfixturevalue(role))
    for path in lead_pages(inspection, case):
        assert c.get(path).status_code == 403, path
    for action in ("agree", "change", "return"):
        response = c.post_form(
            f"/moderation/cases/{case.id}/{action}",
            {"change-grade": "good", "change-reason": "x", "return-comment": "x"},
        )
        assert response.status_code == 403, action
    assert reload(case).status == CaseStatus.SUBMITTED


# --- queue and case page ------------------------------------------------------------------------


def test_queue_lists_submitted_cases_with_counts(
    login_as: Any, inspection: Any, lead: User, auditor: User, case: Case
) -> None:
    submitted(inspection, "DA-0002", auditor, GOOD)
    factories.make_case(inspection, "DA-DRAFT", auditor=auditor, answers=GOOD)
    factories.make_case(
        inspection,
        "DA-DONE",
        auditor=auditor,
        answers=GOOD,
        status=CaseStatus.MODERATED,
        final_grade="good",
    )
    page = login_as(lead).get(f"/moderation/inspections/{inspection.id}").get_data(as_text=True)
    assert "DA-0001" in page
    assert "DA-0002" in page
    assert "DA-DRAFT" not in page
    assert "DA-DONE" not in page  # the default filter shows cases awaiting moderation
    assert "<strong>2</strong> awaiting moderation" in page
    assert "<strong>1</strong> moderated" in page
    assert "2 cases (awaiting moderation)" in page


def test_queue_filters_by_case_type_auditor_grade_and_status(
    login_as: Any, inspection: Any, lead: User, auditor: User, second_auditor: User, case: Case
) -> None:
    submitted(inspection, "DA-0002", second_auditor, GOOD)
    submitted(inspection, "MC-0001", auditor, {}, slug="missing-child")
    factories.make_case(
        inspection,
        "DA-DONE",
        auditor=auditor,
        answers=GOOD,
        status=CaseStatus.MODERATED,
        final_grade="good",
    )
    c = login_as(lead)
    base = f"/moderation/inspections/{inspection.id}"

    page = c.get(f"{base}?case_type=missing-child").get_data(as_text=True)
    assert "MC-0001" in page and "DA-0001" not in page and "DA-0002" not in page

    page = c.get(f"{base}?auditor={second_auditor.id}").get_data(as_text=True)
    assert "DA-0002" in page and "DA-0001" not in page and "MC-0001" not in page

    # The auditor's grade is the proposed grade where there is one, else the computed grade.
    page = c.get(f"{base}?grade=requires_improvement").get_data(as_text=True)
    assert "DA-0001" in page and "DA-0002" not in page

    page = c.get(f"{base}?grade=good").get_data(as_text=True)
    assert "DA-0002" in page and "DA-0001" not in page

    page = c.get(f"{base}?status=moderated").get_data(as_text=True)
    assert "DA-DONE" in page and "DA-0001" not in page

    page = c.get(f"{base}?status=nonsense&grade=excellent").get_data(as_text=True)
    assert "DA-0001" in page and "DA-0002" in page


def test_case_page_shows_answers_notes_outcomes_explanation_and_proposal(
    login_as: Any, lead: User, case: Case
) -> None:
    answer = next(a for a in case.answers if a.question_code == "DA04")
    answer.note = "Diary appointment booked three days later"
    db.session.commit()
    page = login_as(lead).get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    assert "Case DA-0001" in page
    assert "Diary appointment booked three days later" in page
    assert "Not met" in page  # DA04's outcome
    assert "is critical and not met, so the case is inadequate" in page  # the explanation
    assert "Requires improvement" in page  # the proposed grade
    assert "Appointment was justified by the call notes" in page
    assert "Agree with the auditor" in page


# --- decisions ----------------------------------------------------------------------------------


def test_lead_agrees_and_auditors_grade_becomes_final(
    login_as: Any, lead: User, case: Case
) -> None:
    c = login_as(lead)
    response = c.post_form(f"/moderation/cases/{case.id}/agree")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/moderation/cases/{case.id}"
    assert "you agreed with the auditor" in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    fresh = reload(case)
    assert fresh.status == CaseStatus.MODERATED
    assert fresh.final_grade == "requires_improvement"  # the proposed grade
    assert fresh.moderated_at is not None
    (decision,) = decisions(case)
    assert (decision.action, decision.lead_id) == ("agree", lead.id)
    assert (decision.grade_before, decision.grade_after) == (
        "requires_improvement",
        "requires_improvement",
    )


def test_agree_without_proposal_takes_the_computed_grade(
    login_as: Any, inspection: Any, lead: User, auditor: User
) -> None:
    case = submitted(inspection, "DA-0002", auditor, GOOD)
    login_as(lead).post_form(f"/moderation/cases/{case.id}/agree")
    assert reload(case).final_grade == "good"


def test_change_grade_needs_a_reason(login_as: Any, lead: User, case: Case) -> None:
    response = login_as(lead).post_form(
        f"/moderation/cases/{case.id}/change", {"change-grade": "inadequate", "change-reason": " "}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert "Enter the reason for changing the grade" in page
    fresh = reload(case)
    assert fresh.status == CaseStatus.SUBMITTED
    assert fresh.final_grade is None
    assert decisions(case) == []


def test_change_grade_with_reason_sets_final_grade(login_as: Any, lead: User, case: Case) -> None:
    response = login_as(lead).post_form(
        f"/moderation/cases/{case.id}/change",
        {"change-grade": "inadequate", "change-reason": "No visit to a child at risk"},
    )
    assert response.status_code == 302
    fresh = reload(case)
    assert fresh.final_grade == "inadequate"
    assert fresh.status == CaseStatus.MODERATED
    assert fresh.grade == "inadequate"
    (decision,) = decisions(case)
    assert decision.action == "change"
    assert decision.reason == "No visit to a child at risk"
    assert (decision.grade_before, decision.grade_after) == ("requires_improvement", "inadequate")


def test_changing_to_the_auditors_own_grade_agrees_and_keeps_the_reason(
    login_as: Any, lead: User, case: Case
) -> None:
    c = login_as(lead)
    response = c.post_form(
        f"/moderation/cases/{case.id}/change",
        {"change-grade": "requires_improvement", "change-reason": "Right, on balance"},
    )
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "you agreed with the auditor&#39;s grade" in page
    moderated = reload(case)
    assert (moderated.status, moderated.final_grade) == (
        CaseStatus.MODERATED,
        "requires_improvement",
    )
    (decision,) = decisions(case)
    assert (decision.action, decision.reason) == (ModerationAction.AGREE, "Right, on balance")
    assert "agreed with Requires improvement: Right, on balance" in page


def test_return_needs_a_comment(login_as: Any, lead: User, case: Case) -> None:
    response = login_as(lead).post_form(f"/moderation/cases/{case.id}/return", {})
    assert response.status_code == 200
    assert "Enter a comment for the auditor" in response.get_data(as_text=True)
    assert reload(case).status == CaseStatus.SUBMITTED


def test_returned_case_is_a_draft_its_auditor_can_edit_again(
    login_as: Any, lead: User, auditor: User, case: Case
) -> None:
    from auditapp.services.audit import saving
    from auditapp.services.audit.round import FirstAudit

    response = login_as(lead).post_form(
        f"/moderation/cases/{case.id}/return",
        {"return-comment": "Check DA04 against the call log"},
    )
    assert response.status_code == 302
    fresh = reload(case)
    assert fresh.status == CaseStatus.DRAFT
    assert fresh.returned_comment == "Check DA04 against the call log"
    assert fresh.final_grade is None
    (decision,) = decisions(case)
    assert (decision.action, decision.reason) == ("return", "Check DA04 against the call log")

    # The auditor's form accepts a save again (it refuses while the case is submitted).
    audit = FirstAudit(fresh, auditor)
    assert audit.editable
    saving.save_answer(audit, "DA04", value="yes", base_version=fresh.version, base_value="no")
    db.session.commit()
    again = reload(case)
    assert again.computed_grade == "good"
    assert next(a.value for a in again.answers if a.question_code == "DA04") == "yes"


def test_lead_cannot_moderate_a_case_they_audited(
    login_as: Any, inspection: Any, lead: User
) -> None:
    own = submitted(inspection, "DA-OWN", lead, GOOD)
    c = login_as(lead)
    page = c.get(f"/moderation/cases/{own.id}").get_data(as_text=True)
    assert "You audited this case yourself, so another lead must moderate it." in page
    assert "Agree with the auditor" not in page
    for action, data in (
        ("agree", {}),
        ("change", {"change-grade": "inadequate", "change-reason": "Mine"}),
        ("return", {"return-comment": "Mine"}),
    ):
        response = c.post_form(f"/moderation/cases/{own.id}/{action}", data)
        assert response.status_code == 403, action
        assert "You audited case DA-OWN yourself, so another lead must moderate it." in (
            response.get_data(as_text=True)
        )
    assert reload(own).status == CaseStatus.SUBMITTED
    assert decisions(own) == []


def test_another_lead_can_moderate_a_leads_own_case(
    login_as: Any, inspection: Any, lead: User
) -> None:
    own = submitted(inspection, "DA-OWN", lead, GOOD)
    other_lead = factories.make_member(inspection, "lead2@example.test", InspectionRole.LEAD)
    assert login_as(other_lead).post_form(f"/moderation/cases/{own.id}/agree").status_code == 302
    assert reload(own).status == CaseStatus.MODERATED


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (CaseStatus.DRAFT, "is a draft"),
        (CaseStatus.MODERATED, "is already moderated"),
    ],
)
def test_decision_on_a_case_not_awaiting_moderation_is_refused(
    login_as: Any, inspection: Any, lead: User, auditor: User, status: CaseStatus, words: str
) -> None:
    case = factories.make_case(
        inspection,
        "DA-0009",
        auditor=auditor,
        answers=GOOD,
        status=status,
        final_grade="good" if status == CaseStatus.MODERATED else None,
    )
    c = login_as(lead)
    for action, data in (
        ("agree", {}),
        ("change", {"change-grade": "inadequate", "change-reason": "Late"}),
        ("return", {"return-comment": "Late"}),
    ):
        response = c.post_form(f"/moderation/cases/{case.id}/{action}", data)
        assert response.status_code == 302, action
        page = c.get(response.headers["Location"]).get_data(as_text=True)
        assert f"Case DA-0009 {words}" in page, action
        assert "only submitted cases can be moderated" in page
    fresh = reload(case)
    assert fresh.status == status
    assert decisions(case) == []


def test_lead_who_loses_a_race_to_another_lead_is_told_and_nothing_is_saved(
    login_as: Any, lead: User, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditapp.services import moderation as service

    agree = service.agree_grade

    def another_lead_commits_first(target: Case, user: User, comment: str | None) -> Any:
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    'UPDATE "case" SET version = version + 1, status = :status, '
                    "final_grade = :grade WHERE id = :id"
                ),
                {"status": "moderated", "grade": "inadequate", "id": target.id},
            )
        return agree(target, user, comment)

    monkeypatch.setattr(service, "agree_grade", another_lead_commits_first)
    c = login_as(lead)
    response = c.post_form(f"/moderation/cases/{case.id}/agree")
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else changed this case while you were deciding" in page
    assert reload(case).final_grade == "inadequate"  # the other lead's decision stands
    assert decisions(case) == []


def test_every_decision_is_an_audit_event_on_the_case(
    login_as: Any, inspection: Any, lead: User, auditor: User, case: Case
) -> None:
    c = login_as(lead)
    c.post_form(f"/moderation/cases/{case.id}/return", {"return-comment": "Look again"})
    other = submitted(inspection, "DA-0002", auditor, GOOD)
    c.post_form(
        f"/moderation/cases/{other.id}/change",
        {"change-grade": "requires_improvement", "change-reason": "Thin notes"},
    )
    returned = [
        (e.action, e.field, e.old_value, e.new_value) for e in logged_events(case_events(case))
    ]
    assert ("moderation_returned", "status", "submitted", "draft") in returned
    assert ("moderation_returned", "returned_comment", None, "Look again") in returned
    changed = [
        (e.action, e.field, e.old_value, e.new_value) for e in logged_events(case_events(other))
    ]
    assert ("moderation_changed", "final_grade", None, "requires_improvement") in changed
    assert ("moderation_changed", "status", "submitted", "moderated") in changed
    assert ("moderation_changed", "moderation_reason", None, "Thin notes") in changed
    for event in case_events(case) + case_events(other):
        assert event.user_id == lead.id
        assert event.inspection_id == inspection.id


def test_returned_case_shows_comment_and_decision_on_the_auditors_timeline(
    login_as: Any, lead: User, auditor: User, case: Case
) -> None:
    from auditapp.services.audit import timeline as history
    from auditapp.services.audit.round import FirstAudit

    login_as(lead).post_form(
        f"/moderation/cases/{case.id}/return", {"return-comment": "Check DA04 against the log"}
    )
    timeline = history.case_timeline(FirstAudit(reload(case), auditor))
    by_lead = [entry for entry in timeline if entry.by == lead.name]
    assert len(by_lead) == 2  # the status change and the comment
    assert any("Check DA04 against the log" in entry.description for entry in by_lead)
    page = login_as(auditor).get(f"/audit/cases/{case.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Check DA04 against the log" in text
    for entry in by_lead:
        assert str(escape(entry.title)) in text


def test_moderation_history_is_shown_on_the_case(login_as: Any, lead: User, case: Case) -> None:
    c = login_as(lead)
    c.post_form(
        f"/moderation/cases/{case.id}/change",
        {"change-grade": "inadequate", "change-reason": "No visit to a child at risk"},
    )
    page = c.get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    assert "changed Requires improvement to Inadequate: No visit to a child at risk" in page


# --- policy -------------------------------------------------------------------------------------


def test_lead_sets_the_policy(login_as: Any, inspection: Any, lead: User) -> None:
    c = login_as(lead)
    form = c.get(f"/moderation/inspections/{inspection.id}/policy").get_data(as_text=True)
    assert "Percentage of each auditor" in form
    response = c.post_form(
        f"/moderation/inspections/{inspection.id}/policy",
        {"all_inadequate": "y", "min_percent_per_auditor": "30"},
    )
    assert response.status_code == 302
    policy = db.session.scalar(
        select(ModerationPolicy).where(ModerationPolicy.inspection_id == inspection.id)
    )
    assert policy is not None
    assert (policy.all_inadequate, policy.all_disagreements, policy.min_percent_per_auditor) == (
        True,
        False,
        30,
    )
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "moderation_policy")
    ).all()
    assert {(e.field, e.new_value) for e in events} >= {("min_percent_per_auditor", "30")}


def test_policy_percentage_must_be_0_to_100(login_as: Any, inspection: Any, lead: User) -> None:
    response = login_as(lead).post_form(
        f"/moderation/inspections/{inspection.id}/policy", {"min_percent_per_auditor": "150"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert "Enter a percentage from 0 to 100" in page


def test_queue_lists_what_the_policy_still_needs(
    login_as: Any, inspection: Any, lead: User, auditor: User, second_auditor: User
) -> None:
    alex = factories.make_member(inspection, "alex@example.test", InspectionRole.AUDITOR)
    alex.name = "Alex"
    db.session.commit()
    for n in range(10):
        submitted(inspection, f"DA-A{n:02}", alex, GOOD)
    inadequate = submitted(inspection, "DA-S01", second_auditor, INADEQUATE)
    factories.make_case(
        inspection,
        "DA-S02",
        auditor=second_auditor,
        answers=GOOD,
        status=CaseStatus.MODERATED,
        final_grade="good",
    )
    c = login_as(lead)
    c.post_form(
        f"/moderation/inspections/{inspection.id}/policy",
        {"all_inadequate": "y", "all_disagreements": "y", "min_percent_per_auditor": "30"},
    )
    page = c.get(f"/moderation/inspections/{inspection.id}").get_data(as_text=True)
    assert "Still needed to meet the policy" in page
    assert "3 more of Alex&#39;s cases" in page
    assert "1 inadequate case" in page
    # The inadequate case the policy requires is listed first and says why.
    assert page.index("DA-S01") < page.index("DA-A00")

    c.post_form(f"/moderation/cases/{inadequate.id}/agree")
    for n in range(3):
        case = db.session.scalar(select(Case).where(Case.reference == f"DA-A{n:02}"))
        assert case is not None
        c.post_form(f"/moderation/cases/{case.id}/agree")
    page = c.get(f"/moderation/inspections/{inspection.id}").get_data(as_text=True)
    assert "The policy is met" in page


# --- agreement figures --------------------------------------------------------------------------


def test_agreement_page_shows_percentage_and_weighted_kappa(
    login_as: Any, inspection: Any, lead: User, auditor: User
) -> None:
    # (first, moderated): (G, G), (I, I), (G, RI), (RI, RI): 3 of 4 agree = 75%.
    # Linear weighted kappa, by hand: observed disagreement 1/4 x 1/2 = 0.125; expected
    # (rows I .25, RI .25, G .5; columns I .25, RI .5, G .25) = 0.4375; 1 - 0.125/0.4375 = 5/7.
    c = login_as(lead)
    good = submitted(inspection, "DA-1", auditor, GOOD)
    bad = submitted(inspection, "DA-2", auditor, INADEQUATE)
    changed = submitted(inspection, "DA-3", auditor, GOOD)
    ri = submitted(inspection, "DA-4", auditor, REQUIRES_IMPROVEMENT)
    for case in (good, bad, ri):
        assert c.post_form(f"/moderation/cases/{case.id}/agree").status_code == 302
    c.post_form(
        f"/moderation/cases/{changed.id}/change",
        {"change-grade": "requires_improvement", "change-reason": "Thin notes"},
    )
    page = c.get(f"/moderation/inspections/{inspection.id}/agreement").get_data(as_text=True)
    assert "the same grade in <strong>3 of 4</strong> cases (75%)" in page
    assert "weighted kappa 0.71, substantial agreement" in page
    assert auditor.name in page
    assert "Domestic abuse" in page
    assert "No second audit has been submitted yet." in page


def test_agreement_page_before_any_moderation_says_so(
    login_as: Any, inspection: Any, lead: User
) -> None:
    page = login_as(lead).get(f"/moderation/inspections/{inspection.id}/agreement")
    assert page.status_code == 200
    assert "No case has been moderated yet." in page.get_data(as_text=True)


def test_inspection_overview_links_leads_to_moderation(
    login_as: Any, inspection: Any, lead: User, auditor: User
) -> None:
    page = login_as(lead).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert f'href="/moderation/inspections/{inspection.id}"' in page
    assert f'href="/moderation/inspections/{inspection.id}/agreement"' in page
    other = login_as(auditor).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "/moderation/" not in other


# --- the page reads top to bottom; agree with a comment; only the grades the rule allows -------


def test_the_answers_come_before_the_decision_panel(login_as: Any, lead: User, case: Case) -> None:
    page = login_as(lead).get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    answers = page.index('<h2 class="govuk-heading-m">Answers</h2>')
    decision = page.index('<h2 class="govuk-heading-m" id="decision">Decision</h2>')
    assert answers < decision < page.index("Moderation history")
    assert page.index('class="app-moderation__reading"') < answers
    assert answers < page.index('class="app-moderation__decision"') < decision


def test_agree_takes_an_optional_comment(login_as: Any, lead: User, case: Case) -> None:
    c = login_as(lead)
    assert 'name="agree-comment"' in c.get(f"/moderation/cases/{case.id}").get_data(True)
    response = c.post_form(f"/moderation/cases/{case.id}/agree", {"agree-comment": "Well judged"})
    assert response.status_code == 302
    (decision,) = decisions(case)
    assert (decision.action, decision.reason) == (ModerationAction.AGREE, "Well judged")
    assert "agreed with Requires improvement: Well judged" in c.get(
        f"/moderation/cases/{case.id}"
    ).get_data(True)
    assert ("moderation_agreed", "moderation_reason") in {
        (e.action, e.field) for e in case_events(case)
    }


def test_agree_without_a_comment_still_agrees(login_as: Any, lead: User, case: Case) -> None:
    login_as(lead).post_form(f"/moderation/cases/{case.id}/agree")
    (decision,) = decisions(case)
    assert (decision.action, decision.reason) == (ModerationAction.AGREE, None)


def test_a_real_change_still_needs_a_reason(login_as: Any, lead: User, case: Case) -> None:
    response = login_as(lead).post_form(
        f"/moderation/cases/{case.id}/change", {"change-grade": "good", "change-reason": " "}
    )
    assert response.status_code == 200
    assert "Enter the reason for changing the grade" in response.get_data(True)
    assert reload(case).status == CaseStatus.SUBMITTED


def test_grades_the_rule_forbids_are_not_offered_and_are_refused(
    login_as: Any, inspection: Any, lead: User, auditor: User
) -> None:
    flagged = submitted(inspection, "DA-0900", auditor, current_risk=True)
    from auditapp.services.grading import regrade_case

    regrade_case(flagged)
    db.session.commit()
    c = login_as(lead)
    page = c.get(f"/moderation/cases/{flagged.id}").get_data(as_text=True)
    offered = re.findall(r'name="change-grade" type="radio" value="(\w+)"', page)
    assert offered == ["inadequate"]
    response = c.post_form(
        f"/moderation/cases/{flagged.id}/change",
        {"change-grade": "good", "change-reason": "Looks fine to me"},
    )
    assert response.status_code == 200  # the form refuses a grade it did not offer
    assert reload(flagged).status == CaseStatus.SUBMITTED
    assert decisions(flagged) == []


def test_the_service_refuses_a_grade_the_rule_forbids(
    inspection: Any, lead: User, auditor: User
) -> None:
    from auditapp.services import moderation as service
    from auditapp.services.grading import regrade_case

    flagged = submitted(inspection, "DA-0901", auditor, current_risk=True)
    regrade_case(flagged)
    with pytest.raises(service.ModerationError, match="child at current risk"):
        service.change_grade(flagged, lead, "good", "Looks fine")
    assert service.moderation_grades(flagged) == (Grade.INADEQUATE,)


def test_an_observer_or_auditor_cannot_agree(
    login_as: Any, observer: User, second_auditor: User, case: Case
) -> None:
    for user in (observer, second_auditor):
        response = login_as(user).post_form(
            f"/moderation/cases/{case.id}/agree", {"agree-comment": "Fine"}
        )
        assert response.status_code == 403
    assert decisions(case) == []


# --- personal data kept out of the lead's free text ---------------------------------------------


@pytest.mark.parametrize(
    ("decision", "data", "message"),
    [
        ("agree", {"agree-comment": "As mother Jane Smith said"}, "This comment seems to hold"),
        (
            "change",
            {"change-grade": "inadequate", "change-reason": "Call 07700 900123"},
            "This reason seems to hold a phone number",
        ),
        (  # the auditor's own grade: agreeing, the reason kept as the comment, still checked
            "change",
            {"change-grade": "requires_improvement", "change-reason": "DOB 12/03/2015"},
            "This reason seems to hold a date of birth",
        ),
        ("return", {"return-comment": "Ask victim Jane Smith"}, "This comment seems to hold"),
    ],
)
def test_a_decision_whose_text_looks_personal_is_refused_and_nothing_is_kept(
    login_as: Any, lead: User, case: Case, decision: str, data: dict[str, str], message: str
) -> None:
    before = len(case_events(case))
    response = login_as(lead).post_form(f"/moderation/cases/{case.id}/{decision}", data)
    assert response.status_code == 200
    assert message in response.get_data(True)
    assert reload(case).status == CaseStatus.SUBMITTED
    assert decisions(case) == []
    assert len(case_events(case)) == before


def test_the_service_refuses_an_agree_comment_that_looks_personal(lead: User, case: Case) -> None:
    from auditapp.services.moderation import ModerationError, agree_grade

    with pytest.raises(ModerationError, match="This comment seems to hold a name"):
        agree_grade(case, lead, "Seen by child Tom Brown")
    db.session.rollback()
    assert decisions(case) == [] and reload(case).status == CaseStatus.SUBMITTED


def test_an_agree_comment_is_kept_apart_in_the_log(login_as: Any, lead: User, case: Case) -> None:
    login_as(lead).post_form(f"/moderation/cases/{case.id}/agree", {"agree-comment": "Well judged"})
    (event,) = [e for e in case_events(case) if e.field == "moderation_reason"]
    assert event.new_text_key is not None and event.new_value != "Well judged"
    assert logged_events([event])[0].new_value == "Well judged"


# --- a dip sample is accepted, not graded -------------------------------------------------------


@pytest.fixture
def dip_sample(inspection: Any, auditor: User) -> Case:
    """A submitted diary-appointment dip sample: no grade was worked out or proposed."""
    return factories.make_case(
        inspection,
        "DY-0001",
        slug="da-diary-appointment",
        auditor=auditor,
        answers={"DY01": "yes", "DY02": "no", "DY04": "yes", "DY05": "yes", "DY06": "yes"},
        status=CaseStatus.SUBMITTED,
    )


def test_a_lead_accepts_a_dip_samples_answers_without_a_grade(
    login_as: Any, lead: User, dip_sample: Case
) -> None:
    c = login_as(lead)
    page = c.get(f"/moderation/cases/{dip_sample.id}").get_data(as_text=True)
    assert "is a dip sample: it is not graded" in page
    assert "Accept the answers" in page
    assert "Or change the grade" not in page
    assert f'action="/moderation/cases/{dip_sample.id}/return"' in page

    response = c.post_form(f"/moderation/cases/{dip_sample.id}/agree", {"agree-comment": "Fine"})
    assert response.status_code == 302
    follow = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "you accepted its answers" in follow
    assert "accepted the answers: Fine" in follow
    fresh = reload(dip_sample)
    assert (fresh.status, fresh.final_grade) == (CaseStatus.MODERATED, None)
    (decision,) = decisions(dip_sample)
    assert (decision.action, decision.grade_before, decision.grade_after) == ("agree", None, None)
    assert not [e for e in case_events(dip_sample) if e.field == "final_grade"]


def test_a_grade_given_to_a_dip_sample_is_refused(
    login_as: Any, lead: User, dip_sample: Case
) -> None:
    c = login_as(lead)
    response = c.post_form(
        f"/moderation/cases/{dip_sample.id}/change",
        {"change-grade": "good", "change-reason": "All present"},
    )
    assert response.status_code == 302
    assert "A dip sample is not graded" in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    fresh = reload(dip_sample)
    assert (fresh.status, fresh.final_grade) == (CaseStatus.SUBMITTED, None)
    assert decisions(dip_sample) == []


def test_a_dip_sample_can_be_returned_to_its_auditor(
    login_as: Any, lead: User, dip_sample: Case
) -> None:
    response = login_as(lead).post_form(
        f"/moderation/cases/{dip_sample.id}/return", {"return-comment": "Check DY02 again"}
    )
    assert response.status_code == 302
    fresh = reload(dip_sample)
    assert (fresh.status, fresh.returned_comment) == (CaseStatus.DRAFT, "Check DY02 again")
