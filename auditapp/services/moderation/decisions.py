"""A lead's moderation decisions on a submitted case (agree, change, return) and their checks.

Each public function that changes data is one transaction's work: it adds and flushes,
records audit events, and leaves the commit to the route.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auditapp.domain.grades import DIP_SAMPLE_NOT_GRADED, Grade
from auditapp.domain.grading import CURRENT_RISK_REFUSAL, allowed_grades
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    ModerationAction,
    ModerationDecision,
    User,
    utcnow,
)
from auditapp.permissions import is_lead
from auditapp.services import notifications
from auditapp.services.audit_log import record_case_event
from auditapp.services.grading import grade_stored_case
from auditapp.services.personal_data import PersonalDataInText, check_free_text

REASON_MAX_LENGTH = 5000
_EVENT_ACTIONS = {
    ModerationAction.AGREE: "moderation_agreed",
    ModerationAction.CHANGE: "moderation_changed",
    ModerationAction.RETURN: "moderation_returned",
}


class ModerationError(ValueError):
    """A decision the moderation rules refuse; the message is written for the user."""


class ModerationRefused(ModerationError):
    """The user may not decide on this case: not a lead of its inspection, or its own auditor."""


class SelfModerationError(ModerationRefused):
    """A lead tried to moderate (or resolve) a case they audited themselves."""


def first_grade(case: Case) -> str | None:
    """The grade the auditor submitted: their proposed grade, else the computed grade."""
    return case.proposed_grade or case.computed_grade


def check_may_moderate(case: Case, user: User, doing: str = "moderate it") -> None:
    """Only a lead of the case's inspection who did not audit the case decides on it.

    ModerationRefused for anyone else (SelfModerationError for the case's own auditor); ``doing``
    ends the refusal's sentence ("so another lead must moderate it").
    """
    if not is_lead(user, case.inspection_id):
        raise ModerationRefused(
            f"Only a lead of the inspection can decide on case {case.reference}."
        )
    if case.auditor_id == user.id:
        raise SelfModerationError(
            f"You audited case {case.reference} yourself, so another lead must {doing}."
        )


def may_moderate(case: Case, user: User) -> bool:
    """The user may decide on the case (``check_may_moderate`` would pass)."""
    try:
        check_may_moderate(case, user)
    except ModerationRefused:
        return False
    return True


def _check_can_decide(case: Case, lead: User) -> None:
    check_may_moderate(case, lead)
    if case.status != CaseStatus.SUBMITTED:
        state = {
            CaseStatus.DRAFT: "a draft (it has not been submitted, or was returned to its auditor)",
            CaseStatus.MODERATED: "already moderated",
        }.get(CaseStatus(case.status), case.status)
        raise ModerationError(
            f"Case {case.reference} is {state}: only submitted cases can be moderated."
        )


def required_text(text: str | None, what: str, kind: str = "text") -> str:
    """The text stripped; ModerationError when it is empty or longer than the limit.

    Refused too when it seems to hold personal data; ``kind`` names it in that message.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise ModerationError(f"Enter {what}")
    if len(cleaned) > REASON_MAX_LENGTH:
        raise ModerationError(
            f"{what.capitalize()} must be {REASON_MAX_LENGTH:,} characters or fewer"
        )
    try:  # the form says it first; the service refuses on its own too
        check_free_text(cleaned, kind)
    except PersonalDataInText as refused:
        raise ModerationError(refused.message) from None
    return cleaned


def moderate(
    case: Case, lead: User, action: ModerationAction, grade: str | None, reason: str | None
) -> ModerationDecision:
    """Record the decision and make ``grade`` the case's final grade (checks already done);
    None for a dip sample, whose answers the lead accepts without a grade."""
    before = first_grade(case)
    decision = ModerationDecision(
        case_id=case.id,
        lead_id=lead.id,
        action=action,
        grade_before=before,
        grade_after=grade,
        reason=reason,
    )
    db.session.add(decision)
    previous_final = case.final_grade
    case.final_grade = grade
    case.status = CaseStatus.MODERATED
    case.moderated_at = utcnow()
    case.returned_comment = None
    # Past-tense actions read well on the case timeline ("Moderation agreed: final grade").
    done = _EVENT_ACTIONS[action]
    if grade is not None:
        record_case_event(case, lead, done, "final_grade", previous_final, grade)
    record_case_event(case, lead, done, "status", CaseStatus.SUBMITTED, case.status)
    if reason:
        record_case_event(case, lead, done, "moderation_reason", None, reason)
    db.session.flush()
    return decision


def moderation_grades(case: Case) -> tuple[Grade, ...]:
    """The grades a lead may give the case: those the grading rule allows (``allowed_grades``).

    A child at current risk leaves only inadequate.
    """
    if case.question_set_id is None:
        return (Grade.INADEQUATE,) if case.current_risk else tuple(Grade)
    return allowed_grades(grade_stored_case(case))


def optional_text(text: str | None, what: str) -> str | None:
    """The text stripped, None when empty; ModerationError when longer than the limit.

    Refused too when it seems to hold personal data (the one check, as ``required_text``).
    """
    cleaned = (text or "").strip()
    if len(cleaned) > REASON_MAX_LENGTH:
        raise ModerationError(
            f"{what.capitalize()} must be {REASON_MAX_LENGTH:,} characters or fewer"
        )
    try:
        check_free_text(cleaned, "comment")
    except PersonalDataInText as refused:
        raise ModerationError(refused.message) from None
    return cleaned or None


def agree_grade(case: Case, lead: User, comment: str | None = None) -> ModerationDecision:
    """The lead agrees with the auditor's grade: it becomes the final grade (comment optional).

    For a dip sample, which has no grade, the lead accepts its answers as audited.
    """
    _check_can_decide(case, lead)
    if not case.case_type.graded:
        return moderate(
            case, lead, ModerationAction.AGREE, None, optional_text(comment, "your comment")
        )
    grade = first_grade(case)
    if grade is None:
        raise ModerationError(
            f"Case {case.reference} has no grade to agree with: choose a grade and give a reason."
        )
    cleaned = optional_text(comment, "your comment")
    return moderate(case, lead, ModerationAction.AGREE, grade, cleaned)


def change_grade(case: Case, lead: User, grade: str, reason: str | None) -> ModerationDecision:
    """The lead sets a different final grade, with a reason.

    Choosing the auditor's own grade is agreeing with it: recorded as agreement, with the reason
    typed kept as the comment. A grade the rule does not allow is refused.
    """
    _check_can_decide(case, lead)
    if not case.case_type.graded:
        raise ModerationError(
            f"{DIP_SAMPLE_NOT_GRADED}. Accept its answers, or return it to the auditor."
        )
    try:
        new_grade = Grade(grade)
    except ValueError as error:
        raise ModerationError("Choose the moderated grade") from error
    if new_grade not in moderation_grades(case):
        raise ModerationError(CURRENT_RISK_REFUSAL)
    if new_grade == first_grade(case):
        return agree_grade(case, lead, reason)
    cleaned = required_text(reason, "the reason for changing the grade", "reason")
    return moderate(case, lead, ModerationAction.CHANGE, new_grade.value, cleaned)


def return_to_auditor(case: Case, lead: User, comment: str | None) -> ModerationDecision:
    """Send the case back to its auditor as a draft they can edit, with the lead's comment."""
    _check_can_decide(case, lead)
    cleaned = required_text(comment, "a comment for the auditor", "comment")
    decision = ModerationDecision(
        case_id=case.id,
        lead_id=lead.id,
        action=ModerationAction.RETURN,
        grade_before=first_grade(case),
        grade_after=None,
        reason=cleaned,
    )
    db.session.add(decision)
    case_comment_before = case.returned_comment
    case.status = CaseStatus.DRAFT
    case.returned_comment = cleaned
    done = _EVENT_ACTIONS[ModerationAction.RETURN]
    record_case_event(case, lead, done, "status", CaseStatus.SUBMITTED, CaseStatus.DRAFT)
    record_case_event(case, lead, done, "returned_comment", case_comment_before, cleaned)
    db.session.flush()
    notifications.case_returned(case, by=lead)
    return decision


def decisions_for(case: Case) -> list[ModerationDecision]:
    """Every moderation decision on the case, oldest first."""
    return list(
        db.session.scalars(
            select(ModerationDecision)
            .options(selectinload(ModerationDecision.lead))
            .where(ModerationDecision.case_id == case.id)
            .order_by(ModerationDecision.created_at, ModerationDecision.id)
        )
    )
