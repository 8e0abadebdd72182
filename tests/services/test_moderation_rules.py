"""Moderation's rules, enforced by the moderation services themselves (not only by the views).

Each test calls the service directly, without a test client, so removing the service's own
check fails it even though the view checks too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from auditapp.domain.grades import Grade
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    InspectionRole,
    ModerationAction,
    ModerationDecision,
    SecondAudit,
    SecondAuditStatus,
    User,
)
from auditapp.services import moderation
from auditapp.services.audit import saving
from auditapp.services.audit.round import load_first_audit
from auditapp.services.moderation import ModerationError, ModerationRefused, SelfModerationError
from tests import factories

# Each decision a lead takes on a submitted case, as (name, call).
DECISIONS: list[tuple[str, Callable[[Case, User], Any]]] = [
    ("agree", lambda case, user: moderation.agree_grade(case, user)),
    (
        "change",
        lambda case, user: moderation.change_grade(case, user, "inadequate", "Missed the risk"),
    ),
    ("return", lambda case, user: moderation.return_to_auditor(case, user, "Look at DA04 again")),
]
DECISION_IDS = [name for name, _ in DECISIONS]


def _submitted(inspection: Any, auditor: User, reference: str = "DA-0001") -> Case:
    return factories.make_case(
        inspection,
        reference,
        auditor=auditor,
        answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS),
        status=CaseStatus.SUBMITTED,
    )


def _decisions(case: Case) -> int:
    return db.session.query(ModerationDecision).filter_by(case_id=case.id).count()


@pytest.fixture
def submitted(inspection: Any, auditor: User) -> Case:
    """A case submitted by ``auditor``, awaiting moderation."""
    return _submitted(inspection, auditor)


@pytest.fixture
def second_lead(inspection: Any) -> User:
    return factories.make_member(inspection, "lead2@example.test", InspectionRole.LEAD)


@pytest.fixture
def second_audit(submitted: Case, second_auditor: User, lead: User) -> SecondAudit:
    """A blind second audit of ``submitted`` by ``second_auditor``, submitted, awaiting a lead."""
    row = SecondAudit(
        case_id=submitted.id,
        auditor_id=second_auditor.id,
        requested_by_id=lead.id,
        status=SecondAuditStatus.SUBMITTED,
        computed_grade="good",
    )
    db.session.add(row)
    db.session.commit()
    return row


# --- who decides -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "decide"), DECISIONS, ids=DECISION_IDS)
def test_a_lead_cannot_moderate_a_case_they_audited_themselves(
    inspection: Any, lead: User, name: str, decide: Callable[[Case, User], Any]
) -> None:
    own = _submitted(inspection, lead)
    with pytest.raises(SelfModerationError):
        decide(own, lead)
    assert own.status == CaseStatus.SUBMITTED and _decisions(own) == 0


@pytest.mark.parametrize(("name", "decide"), DECISIONS, ids=DECISION_IDS)
def test_another_lead_moderates_a_leads_own_case(
    inspection: Any, lead: User, second_lead: User, name: str, decide: Callable[[Case, User], Any]
) -> None:
    own = _submitted(inspection, lead)
    decide(own, second_lead)
    assert _decisions(own) == 1


@pytest.mark.parametrize(("name", "decide"), DECISIONS, ids=DECISION_IDS)
def test_an_observer_cannot_moderate(
    submitted: Case, observer: User, name: str, decide: Callable[[Case, User], Any]
) -> None:
    with pytest.raises(ModerationRefused) as refused:
        decide(submitted, observer)
    assert not isinstance(refused.value, SelfModerationError)
    assert submitted.status == CaseStatus.SUBMITTED and _decisions(submitted) == 0


@pytest.mark.parametrize(("name", "decide"), DECISIONS, ids=DECISION_IDS)
def test_only_a_lead_moderates_not_an_auditor(
    submitted: Case, second_auditor: User, name: str, decide: Callable[[Case, User], Any]
) -> None:
    with pytest.raises(ModerationRefused):
        decide(submitted, second_auditor)
    assert _decisions(submitted) == 0


def test_a_lead_of_another_inspection_cannot_moderate(submitted: Case, outsider: User) -> None:
    with pytest.raises(ModerationRefused):
        moderation.agree_grade(submitted, outsider)
    assert _decisions(submitted) == 0


def test_may_moderate_answers_as_the_decisions_check(
    inspection: Any, submitted: Case, lead: User, auditor: User, observer: User
) -> None:
    own = _submitted(inspection, lead, "DA-0002")
    assert moderation.may_moderate(submitted, lead)
    assert not moderation.may_moderate(own, lead)
    assert not moderation.may_moderate(submitted, auditor)
    assert not moderation.may_moderate(submitted, observer)


# --- which cases --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "decide"), DECISIONS, ids=DECISION_IDS)
def test_a_case_not_submitted_cannot_be_moderated(
    inspection: Any, auditor: User, lead: User, name: str, decide: Callable[[Case, User], Any]
) -> None:
    draft = factories.make_case(
        inspection, "DA-0003", auditor=auditor, answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS)
    )
    with pytest.raises(ModerationError, match="only submitted cases can be moderated"):
        decide(draft, lead)
    assert draft.status == CaseStatus.DRAFT and _decisions(draft) == 0


def test_a_moderated_case_cannot_be_moderated_again(submitted: Case, lead: User) -> None:
    moderation.agree_grade(submitted, lead)
    with pytest.raises(ModerationError, match="already moderated"):
        moderation.change_grade(submitted, lead, "inadequate", "Second thoughts")
    assert submitted.final_grade == "good" and _decisions(submitted) == 1


def test_a_returned_case_becomes_editable_again(submitted: Case, lead: User, auditor: User) -> None:
    assert not load_first_audit(submitted.id, auditor).editable
    moderation.return_to_auditor(submitted, lead, "DA04: look at the risk assessment again")
    db.session.commit()
    audit = load_first_audit(submitted.id, auditor)
    assert audit.editable and audit.returned_comment
    state = saving.save_answer(audit, "DA04", value="no", base_version=audit.case.version)
    assert state.values["DA04"] == "no"


# --- what a decision needs ----------------------------------------------------------------------


def test_changing_a_grade_needs_a_reason(submitted: Case, lead: User) -> None:
    with pytest.raises(ModerationError, match="Enter the reason"):
        moderation.change_grade(submitted, lead, "inadequate", "  ")
    assert _decisions(submitted) == 0


def test_changing_to_the_auditors_own_grade_agrees_with_the_reason_as_comment(
    submitted: Case, lead: User
) -> None:
    decision = moderation.change_grade(submitted, lead, "good", "Same, on balance")
    assert (decision.action, decision.reason) == (ModerationAction.AGREE, "Same, on balance")
    assert (submitted.status, submitted.final_grade) == (CaseStatus.MODERATED, "good")
    assert _decisions(submitted) == 1


def test_changing_to_something_that_is_not_a_grade_is_refused(submitted: Case, lead: User) -> None:
    with pytest.raises(ModerationError, match="Choose the moderated grade"):
        moderation.change_grade(submitted, lead, "excellent", "Better than good")


def test_returning_a_case_needs_a_comment(submitted: Case, lead: User) -> None:
    with pytest.raises(ModerationError, match="Enter a comment"):
        moderation.return_to_auditor(submitted, lead, "")
    assert submitted.status == CaseStatus.SUBMITTED


def test_a_reason_longer_than_the_limit_is_refused(submitted: Case, lead: User) -> None:
    too_long = "x" * (moderation.REASON_MAX_LENGTH + 1)
    with pytest.raises(ModerationError, match="characters or fewer"):
        moderation.change_grade(submitted, lead, "inadequate", too_long)


# --- second audits ------------------------------------------------------------------------------


def test_a_lead_cannot_ask_for_a_second_audit_of_a_case_they_audited(
    inspection: Any, lead: User, second_auditor: User
) -> None:
    own = _submitted(inspection, lead)
    with pytest.raises(SelfModerationError):
        moderation.request_second_audit(own, lead, second_auditor.id)
    assert moderation.second_audit_for(own) is None


@pytest.mark.parametrize("who", ["observer", "second_auditor", "outsider"])
def test_only_a_lead_asks_for_a_second_audit(
    submitted: Case, second_auditor: User, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(ModerationRefused):
        moderation.request_second_audit(submitted, user, second_auditor.id)
    assert moderation.second_audit_for(submitted) is None


def test_no_second_audit_of_a_draft(
    inspection: Any, auditor: User, lead: User, second_auditor: User
) -> None:
    draft = factories.make_case(inspection, "DA-0004", auditor=auditor)
    with pytest.raises(ModerationError, match="is a draft"):
        moderation.request_second_audit(draft, lead, second_auditor.id)


def test_the_second_auditor_is_another_auditor_of_the_inspection(
    submitted: Case, lead: User, auditor: User, observer: User, outsider: User
) -> None:
    for user in (auditor, observer, outsider, lead):
        with pytest.raises(ModerationError, match="who did not audit the case"):
            moderation.request_second_audit(submitted, lead, user.id)
    assert moderation.second_audit_for(submitted) is None


def test_a_case_has_one_second_audit(
    second_audit: SecondAudit, submitted: Case, lead: User, inspection: Any
) -> None:
    third = factories.make_member(inspection, "auditor3@example.test", InspectionRole.AUDITOR)
    with pytest.raises(ModerationError, match="already has a second audit"):
        moderation.request_second_audit(submitted, lead, third.id)


def test_a_second_auditor_cannot_compare_the_audits(
    second_audit: SecondAudit, submitted: Case, second_auditor: User, lead: User
) -> None:
    with pytest.raises(ModerationRefused):
        moderation.compare_audits(submitted, second_audit, second_auditor)
    assert moderation.compare_audits(submitted, second_audit, lead).rows


def test_a_lead_cannot_resolve_a_second_audit_of_a_case_they_audited(
    inspection: Any, lead: User, second_auditor: User
) -> None:
    own = _submitted(inspection, lead)
    row = SecondAudit(
        case_id=own.id,
        auditor_id=second_auditor.id,
        requested_by_id=lead.id,
        status=SecondAuditStatus.SUBMITTED,
    )
    db.session.add(row)
    db.session.commit()
    with pytest.raises(SelfModerationError):
        moderation.resolve_second_audit(row, lead, "good", "Both agree")
    assert row.status == SecondAuditStatus.SUBMITTED


@pytest.mark.parametrize("who", ["observer", "second_auditor", "auditor"])
def test_only_a_lead_resolves_a_second_audit(
    second_audit: SecondAudit, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(ModerationRefused):
        moderation.resolve_second_audit(second_audit, user, "good", "Both agree")
    assert second_audit.status == SecondAuditStatus.SUBMITTED


def test_a_second_audit_in_progress_cannot_be_resolved(
    second_audit: SecondAudit, lead: User
) -> None:
    second_audit.status = SecondAuditStatus.IN_PROGRESS
    db.session.commit()
    with pytest.raises(ModerationError, match="not been submitted"):
        moderation.resolve_second_audit(second_audit, lead, "good", "Both agree")


def test_a_second_audit_is_resolved_once(second_audit: SecondAudit, lead: User) -> None:
    moderation.resolve_second_audit(second_audit, lead, "good", "Both agree")
    with pytest.raises(ModerationError, match="already been resolved"):
        moderation.resolve_second_audit(second_audit, lead, "inadequate", "Changed my mind")
    assert second_audit.resolved_grade == Grade.GOOD


def test_resolving_moderates_a_case_awaiting_moderation(
    second_audit: SecondAudit, submitted: Case, lead: User
) -> None:
    moderation.resolve_second_audit(second_audit, lead, "inadequate", "The second audit saw risk")
    assert submitted.status == CaseStatus.MODERATED and submitted.final_grade == "inadequate"


# --- the policy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["observer", "auditor", "outsider"])
def test_only_a_lead_sets_the_moderation_policy(
    inspection: Any, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(ModerationRefused):
        moderation.set_policy(
            inspection,
            user,
            all_inadequate=False,
            all_disagreements=False,
            min_percent_per_auditor=50,
        )
    assert moderation.policy_row(inspection.id) is None


def test_a_lead_sets_the_moderation_policy(inspection: Any, lead: User) -> None:
    moderation.set_policy(
        inspection, lead, all_inadequate=False, all_disagreements=True, min_percent_per_auditor=25
    )
    assert moderation.policy_rule(inspection.id).min_percent_per_auditor == 25
