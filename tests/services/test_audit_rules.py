"""The audit's rules and the membership rule, enforced by the services (not only by the views).

``test_audit_round.py`` holds the round's own rules (who opens which round, observers cannot
write, a submitted case is read-only); this file holds the rest: who reads or changes a case,
urgent concerns, case studies and submitting. Each test calls the service directly, without a
test client, so removing the service's own check fails it even though the view checks too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, InspectionRole, SecondAudit, SecondAuditStatus, User
from auditapp.permissions import NotAllowed, NotVisible, case_and_role, checked_role
from auditapp.services.audit import case_studies, concerns, loading, saving, submitting
from auditapp.services.audit.errors import (
    AuditFormError,
    CaseLocked,
    ConcernError,
    GradeProposalError,
    SubmitBlocked,
)
from auditapp.services.audit.round import load_first_audit, load_second_audit
from tests import factories


def _case(inspection: Any, auditor: User, status: CaseStatus = CaseStatus.DRAFT) -> Case:
    return factories.make_case(
        inspection,
        "DA-0001",
        auditor=auditor,
        answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS),
        status=status,
    )


@pytest.fixture
def draft(inspection: Any, auditor: User) -> Case:
    """A fully answered draft of ``auditor``."""
    return _case(inspection, auditor)


@pytest.fixture
def submitted(inspection: Any, auditor: User) -> Case:
    """A case ``auditor`` has submitted."""
    return _case(inspection, auditor, CaseStatus.SUBMITTED)


@pytest.fixture
def flagged(inspection: Any, auditor: User) -> Case:
    """A submitted case flagged with a child at current risk."""
    case = _case(inspection, auditor, CaseStatus.SUBMITTED)
    concerns.flag_current_risk(load_first_audit(case.id, auditor), "Child left with the suspect")
    db.session.commit()
    return case


# --- membership: who sees a case ----------------------------------------------------------------


def test_membership_decides_who_sees_a_case(
    draft: Case, lead: User, auditor: User, observer: User, outsider: User, admin: User
) -> None:
    assert case_and_role(lead, draft.id)[1] is InspectionRole.LEAD
    assert case_and_role(observer, draft.id)[1] is InspectionRole.OBSERVER
    assert case_and_role(auditor, draft.id)[1] is InspectionRole.AUDITOR
    for stranger in (outsider, admin):
        with pytest.raises(NotVisible):
            case_and_role(stranger, draft.id)
    assert case_and_role(admin, draft.id, allow_admin=True) == (draft, None)
    with pytest.raises(NotVisible):
        case_and_role(lead, draft.id + 1000)


def test_an_auditor_sees_only_the_cases_assigned_to_them(draft: Case, second_auditor: User) -> None:
    with pytest.raises(NotAllowed):
        case_and_role(second_auditor, draft.id)
    with pytest.raises(PermissionError):
        load_first_audit(draft.id, second_auditor)


def test_a_role_not_asked_for_is_refused(
    inspection: Any, draft: Case, lead: User, observer: User
) -> None:
    lead_only = (InspectionRole.LEAD,)
    assert checked_role(lead, inspection.id, *lead_only) is InspectionRole.LEAD
    with pytest.raises(NotAllowed):
        checked_role(observer, inspection.id, *lead_only)
    with pytest.raises(NotAllowed):
        case_and_role(observer, draft.id, *lead_only)


# --- who writes a case --------------------------------------------------------------------------


def test_a_lead_reads_an_auditors_case_but_cannot_write_it(draft: Case, lead: User) -> None:
    audit = load_first_audit(draft.id, lead)
    assert not audit.editable
    with pytest.raises(PermissionError):
        saving.save_answer(audit, "DA01", value="no", base_version=draft.version)
    with pytest.raises(PermissionError):
        submitting.submit_case(audit)
    assert draft.status == CaseStatus.DRAFT


def test_a_submitted_case_cannot_be_submitted_again(submitted: Case, auditor: User) -> None:
    with pytest.raises(CaseLocked):
        submitting.submit_case(load_first_audit(submitted.id, auditor))


def test_a_second_auditor_never_reads_the_first_audits_answers(
    submitted: Case, second_auditor: User, lead: User
) -> None:
    db.session.add(
        SecondAudit(case_id=submitted.id, auditor_id=second_auditor.id, requested_by_id=lead.id)
    )
    db.session.commit()
    audit = load_second_audit(submitted.id, second_auditor)
    state = loading.form_state(audit)
    assert state.values == {} and state.notes == {}  # the first audit answered every question
    assert loading.stored_rows(audit).answers == {}


def test_a_submitted_second_audit_cannot_be_edited(
    submitted: Case, second_auditor: User, lead: User
) -> None:
    db.session.add(
        SecondAudit(
            case_id=submitted.id,
            auditor_id=second_auditor.id,
            requested_by_id=lead.id,
            status=SecondAuditStatus.SUBMITTED,
        )
    )
    db.session.commit()
    audit = load_second_audit(submitted.id, second_auditor)
    with pytest.raises(CaseLocked):
        saving.save_answer(audit, "DA01", value="no", base_version=submitted.version)


# --- submitting ---------------------------------------------------------------------------------


def test_unanswered_required_questions_block_submitting(inspection: Any, auditor: User) -> None:
    empty = factories.make_case(inspection, "DA-0002", auditor=auditor)
    with pytest.raises(SubmitBlocked):
        submitting.submit_case(load_first_audit(empty.id, auditor))
    assert empty.status == CaseStatus.DRAFT


def test_proposing_a_different_grade_needs_a_reason(draft: Case, auditor: User) -> None:
    audit = load_first_audit(draft.id, auditor)
    with pytest.raises(GradeProposalError, match="reason"):
        submitting.submit_case(audit, proposed_grade="inadequate", reason=" ")
    assert draft.status == CaseStatus.DRAFT


def test_a_case_with_a_child_at_current_risk_can_only_be_proposed_inadequate(
    draft: Case, auditor: User
) -> None:
    concerns.flag_current_risk(load_first_audit(draft.id, auditor), "Child at risk")
    audit = load_first_audit(draft.id, auditor)
    with pytest.raises(GradeProposalError, match="current risk"):
        submitting.submit_case(audit, proposed_grade="good", reason="Handled well")
    assert draft.status == CaseStatus.DRAFT


# --- urgent concerns ----------------------------------------------------------------------------


def test_the_cases_auditor_flags_a_child_at_current_risk_even_after_submitting(
    submitted: Case, auditor: User
) -> None:
    concerns.flag_current_risk(load_first_audit(submitted.id, auditor), "Child at risk")
    assert submitted.current_risk and submitted.grade == "inadequate"


def test_an_observer_cannot_flag_a_child_at_current_risk(draft: Case, observer: User) -> None:
    with pytest.raises(NotAllowed):
        concerns.flag_current_risk(load_first_audit(draft.id, observer), "Child at risk")
    assert not draft.current_risk


def test_a_case_is_flagged_once(flagged: Case, lead: User) -> None:
    with pytest.raises(ConcernError, match="already flagged"):
        concerns.flag_current_risk(load_first_audit(flagged.id, lead), "Again")


@pytest.mark.parametrize(
    "act",
    [
        lambda audit: concerns.acknowledge_concern(
            audit, "Passed to the duty inspector", datetime(2022, 9, 5, 14, 10, tzinfo=UTC)
        ),
        concerns.mark_concern_raised,
        lambda audit: concerns.remove_current_risk(audit, "Seen to"),
    ],
    ids=["acknowledge", "raise", "remove"],
)
@pytest.mark.parametrize("who", ["auditor", "observer"])
def test_only_a_lead_acts_on_an_urgent_concern(
    flagged: Case, act: Any, who: str, request: pytest.FixtureRequest
) -> None:
    audit = load_first_audit(flagged.id, request.getfixturevalue(who))
    with pytest.raises(NotAllowed):
        act(audit)
    assert flagged.current_risk and flagged.current_risk_acknowledged_at is None


def test_a_lead_acknowledges_raises_and_removes_a_concern(flagged: Case, lead: User) -> None:
    audit = load_first_audit(flagged.id, lead)
    concerns.mark_concern_raised(audit)
    assert flagged.current_risk_acknowledged_at and flagged.current_risk_raised_at
    with pytest.raises(ConcernError, match="reason"):
        concerns.remove_current_risk(audit, "")
    concerns.remove_current_risk(audit, "The force has acted")
    assert not flagged.current_risk


# --- case studies -------------------------------------------------------------------------------


def test_the_auditor_marks_a_case_study_while_the_case_is_theirs(
    draft: Case, auditor: User
) -> None:
    case_studies.set_case_study(
        load_first_audit(draft.id, auditor), flagged=True, narrative="Good safety planning"
    )
    assert draft.is_case_study


def test_the_auditor_cannot_mark_a_case_study_after_submitting(
    submitted: Case, auditor: User
) -> None:
    with pytest.raises(NotAllowed):
        case_studies.set_case_study(
            load_first_audit(submitted.id, auditor), flagged=True, narrative="Too late"
        )
    assert not submitted.is_case_study


def test_an_observer_cannot_mark_a_case_study(draft: Case, observer: User) -> None:
    with pytest.raises(NotAllowed):
        case_studies.set_case_study(
            load_first_audit(draft.id, observer), flagged=True, narrative="Not mine to say"
        )
    assert not draft.is_case_study


def test_a_lead_marks_a_case_study_at_any_stage(submitted: Case, lead: User) -> None:
    case_studies.set_case_study(
        load_first_audit(submitted.id, lead), flagged=True, narrative="Exemplary"
    )
    assert submitted.is_case_study


def test_a_case_study_needs_a_narrative(draft: Case, auditor: User) -> None:
    with pytest.raises(AuditFormError, match="narrative"):
        case_studies.set_case_study(load_first_audit(draft.id, auditor), flagged=True, narrative="")
    assert not draft.is_case_study
