"""Submitting an audit round: every required question answered, a different grade with a reason."""

from __future__ import annotations

from auditapp.domain.grades import Grade
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, SecondAuditStatus, User, utcnow
from auditapp.services.audit.errors import GradeProposalError, SubmitBlocked
from auditapp.services.audit.loading import NARRATIVE_MAX_LENGTH, FormState, form_state
from auditapp.services.audit.saving import _check_editable, _touch
from auditapp.services.audit_log import record_case_event, record_event


def submission_problems(state: FormState) -> list[tuple[str, str]]:
    """(question id, message) for each visible required question that blocks submission."""
    problems = []
    for qid in state.grade.unanswered:
        question = state.qs.question(qid)
        if question.type == "derived":
            detail = state.outcome(qid).detail
            problems.append((qid, f"{qid}: {question.text}: cannot be worked out yet, {detail}"))
        else:
            problems.append((qid, f"{qid}: answer “{question.text}”"))
    return problems


def submit_case(
    case: Case,
    user: User,
    *,
    proposed_grade: str | None = None,
    reason: str | None = None,
    audit_round: int = 1,
) -> FormState:
    """Submit a round: every required visible question answered; a different grade needs a reason.

    Raises SubmitBlocked, GradeProposalError, CaseLocked or PermissionError.
    """
    _check_editable(case, user, audit_round)
    state = form_state(case, user, audit_round)
    problems = submission_problems(state)
    if problems:
        raise SubmitBlocked(problems)
    computed = state.grade_value
    proposal = proposed_grade or None
    if proposal is not None:
        Grade(proposal)  # ValueError for something that is not a grade
    if proposal == computed:
        proposal = None
    reason = (reason or "").strip() or None
    if computed is None and proposal is None:
        raise GradeProposalError(
            "No graded question applies to this case: choose the grade you propose"
        )
    if proposal is not None and reason is None:
        raise GradeProposalError("Give your reason for proposing a different grade")
    if proposal is not None and len(reason or "") > NARRATIVE_MAX_LENGTH:
        raise GradeProposalError(f"Reason must be {NARRATIVE_MAX_LENGTH:,} characters or fewer")
    if audit_round == 1 and case.current_risk and proposal not in (None, Grade.INADEQUATE):
        raise GradeProposalError(
            "A case with a child at current risk is inadequate: a lead must remove the flag "
            "before a different grade can be proposed"
        )
    now = utcnow()
    if audit_round == 1:
        if proposal != case.proposed_grade or (proposal and reason != case.proposed_reason):
            record_case_event(
                case, user, "propose_grade", "proposed_grade", case.proposed_grade, proposal
            )
        case.proposed_grade = proposal
        case.proposed_reason = reason if proposal else None
        record_case_event(case, user, "submit", "status", case.status, CaseStatus.SUBMITTED)
        case.status = CaseStatus.SUBMITTED
        case.submitted_at = now
    else:
        second = state.second_audit
        assert second is not None  # _check_editable made sure
        record_event(
            "submit",
            "second_audit",
            user=user,
            entity_id=second.id,
            inspection_id=case.inspection_id,
            case_id=case.id,
            field="status",
            old=second.status,
            new=SecondAuditStatus.SUBMITTED,
        )
        second.computed_grade = computed
        second.proposed_grade = proposal
        second.proposed_reason = reason if proposal else None
        second.status = SecondAuditStatus.SUBMITTED
        second.submitted_at = now
    _touch(case)
    db.session.flush()
    return form_state(case, user, audit_round)
