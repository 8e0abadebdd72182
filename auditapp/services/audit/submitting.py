"""Submitting an audit round: every required question answered, a different grade with a reason."""

from __future__ import annotations

from auditapp.domain.grades import DIP_SAMPLE_NOT_GRADED, Grade
from auditapp.domain.grading import proposal_refusal
from auditapp.extensions import db
from auditapp.models import utcnow
from auditapp.services.audit.errors import GradeProposalError, SubmitBlocked
from auditapp.services.audit.limits import NARRATIVE_MAX_LENGTH
from auditapp.services.audit.loading import FormState, form_state
from auditapp.services.audit.round import AuditRound, Submission
from auditapp.services.audit.saving import touch_case


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
    audit: AuditRound,
    *,
    proposed_grade: str | None = None,
    reason: str | None = None,
) -> FormState:
    """Submit a round: every required visible question answered; a different grade needs a reason.

    A dip sample's round is submitted without a grade, and a proposed grade is refused.

    Raises SubmitBlocked, GradeProposalError, CaseLocked or PermissionError.
    """
    audit.check_editable()
    state = form_state(audit)
    problems = submission_problems(state)
    if problems:
        raise SubmitBlocked(problems)
    if not audit.case.case_type.graded:
        if proposed_grade:
            raise GradeProposalError(f"{DIP_SAMPLE_NOT_GRADED}. Submit it without a grade")
        return _record(audit, Submission(None, None, None, utcnow()))
    computed = state.grade_value
    proposal = proposed_grade or None
    if proposal is not None:
        Grade(proposal)  # ValueError for something that is not a grade
    if proposal == computed:
        proposal = None
    refusal = proposal_refusal(state.grade, Grade(proposal)) if proposal is not None else None
    if refusal is not None:
        raise GradeProposalError(refusal)
    reason = (reason or "").strip() or None
    if computed is None and proposal is None:
        raise GradeProposalError(
            "No graded question applies to this case: choose the grade you propose"
        )
    if proposal is not None and reason is None:
        raise GradeProposalError("Give your reason for proposing a different grade")
    if proposal is not None and len(reason or "") > NARRATIVE_MAX_LENGTH:
        raise GradeProposalError(f"Reason must be {NARRATIVE_MAX_LENGTH:,} characters or fewer")
    return _record(audit, Submission(computed, proposal, reason, utcnow()))


def _record(audit: AuditRound, submission: Submission) -> FormState:
    audit.record_submission(submission)
    touch_case(audit.case)
    db.session.flush()
    return form_state(audit)
