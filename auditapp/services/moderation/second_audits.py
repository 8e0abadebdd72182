"""Blind second audits: asking another auditor, comparing the two audits, resolving the grade."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from auditapp.domain.grades import Grade, Outcome
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    InspectionRole,
    Membership,
    ModerationAction,
    SecondAudit,
    SecondAuditStatus,
    User,
    utcnow,
)
from auditapp.permissions import is_lead
from auditapp.services import notifications
from auditapp.services.audit_log import record_event
from auditapp.services.moderation.answers import case_answer_rows, second_audit_answer_rows
from auditapp.services.moderation.decisions import (
    ModerationError,
    ModerationRefused,
    check_may_moderate,
    first_grade,
    moderate,
    required_text,
)
from auditapp.services.question_sets import question_set_data


def second_grade(second_audit: SecondAudit) -> str | None:
    """The grade of a second audit: the second auditor's proposed grade, else the computed."""
    return second_audit.proposed_grade or second_audit.computed_grade


def second_audit_for(case: Case) -> SecondAudit | None:
    """The case's second audit, if one was asked for."""
    return db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == case.id))


def eligible_second_auditors(case: Case) -> list[User]:
    """Auditors of the inspection who did not audit the case."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.inspection_id == case.inspection_id,
                Membership.role == InspectionRole.AUDITOR,
                User.id != (case.auditor_id or 0),
                User.active.is_(True),
            )
            .order_by(User.name)
        )
    )


def request_second_audit(case: Case, lead: User, auditor_id: int) -> SecondAudit:
    """Ask another auditor of the inspection to audit the case blind (answers in round 2)."""
    check_may_moderate(case, lead, "ask for a second audit")
    if case.status == CaseStatus.DRAFT:
        raise ModerationError(
            f"Case {case.reference} is a draft: ask for a second audit once it is submitted."
        )
    if second_audit_for(case) is not None:
        raise ModerationError(f"Case {case.reference} already has a second audit.")
    auditor = next((u for u in eligible_second_auditors(case) if u.id == auditor_id), None)
    if auditor is None:
        raise ModerationError("Choose an auditor of this inspection who did not audit the case.")
    second = SecondAudit(
        case_id=case.id,
        auditor_id=auditor.id,
        requested_by_id=lead.id,
        status=SecondAuditStatus.IN_PROGRESS,
    )
    db.session.add(second)
    db.session.flush()
    record_event(
        "request_second_audit",
        "second_audit",
        user=lead,
        entity_id=second.id,
        inspection_id=case.inspection_id,
        case_id=case.id,
        field="auditor_id",
        new=auditor.id,
    )
    notifications.second_audit_requested(case, auditor.id, by=lead)
    return second


@dataclass(frozen=True)
class ComparisonRow:
    """One question, as the first and the second audit answered it."""

    question_id: str
    text: str
    critical: bool
    first_answer: str
    first_note: str | None
    first_outcome: str
    second_answer: str
    second_note: str | None
    second_outcome: str
    differs: bool


@dataclass(frozen=True)
class AuditComparison:
    """The two audits of a case side by side, question by question and grade by grade."""

    rows: list[ComparisonRow]
    first_computed: str | None
    first_proposed: str | None
    first_reason: str | None
    second_computed: str | None
    second_proposed: str | None
    second_reason: str | None

    @property
    def first_grade(self) -> str | None:
        """The grade of the first audit (proposed, else computed)."""
        return self.first_proposed or self.first_computed

    @property
    def second_grade(self) -> str | None:
        """The grade of the second audit (proposed, else computed)."""
        return self.second_proposed or self.second_computed

    @property
    def grades_differ(self) -> bool:
        """Return True when the two audits reached different grades."""
        return self.first_grade != self.second_grade

    @property
    def differences(self) -> list[str]:
        """Return the ids of the questions whose outcomes differ."""
        return [row.question_id for row in self.rows if row.differs]


def compare_audits(case: Case, second_audit: SecondAudit, lead: User) -> AuditComparison:
    """Both audits of the case, question by question (outcomes compared) and grade by grade.

    Only a lead of the inspection compares them (ModerationRefused): the second auditor must
    never read the first audit.
    """
    if not is_lead(lead, case.inspection_id):
        raise ModerationRefused(
            f"Only a lead of the inspection can compare the audits of case {case.reference}."
        )
    first = {row.question_id: row for row in case_answer_rows(case)}
    second = {row.question_id: row for row in second_audit_answer_rows(second_audit)}
    qs = question_set_data(case.question_set) if case.question_set else None
    order = [q.id for q in qs.questions] if qs else sorted(set(first) | set(second))
    rows = []
    for question_id in order:
        a, b = first.get(question_id), second.get(question_id)
        if a is None and b is None:
            continue
        some = a or b
        assert some is not None
        rows.append(
            ComparisonRow(
                question_id=question_id,
                text=some.text,
                critical=some.critical,
                first_answer=a.answer if a else "Not shown",
                first_note=a.note if a else None,
                first_outcome=a.outcome_label if a else Outcome.HIDDEN.label,
                second_answer=b.answer if b else "Not shown",
                second_note=b.note if b else None,
                second_outcome=b.outcome_label if b else Outcome.HIDDEN.label,
                differs=(a.outcome if a else Outcome.HIDDEN.value)
                != (b.outcome if b else Outcome.HIDDEN.value),
            )
        )
    return AuditComparison(
        rows=rows,
        first_computed=case.computed_grade,
        first_proposed=case.proposed_grade,
        first_reason=case.proposed_reason,
        second_computed=second_audit.computed_grade,
        second_proposed=second_audit.proposed_grade,
        second_reason=second_audit.proposed_reason,
    )


def resolve_second_audit(
    second_audit: SecondAudit, lead: User, grade: str, note: str | None
) -> SecondAudit:
    """The lead records the grade the two audits resolve to, and why.

    If the case is still awaiting moderation, the resolved grade also moderates it (agreeing
    with the auditor's grade, or changing it with the note as the reason).
    """
    case = second_audit.case
    check_may_moderate(case, lead, "resolve it")
    if second_audit.status == SecondAuditStatus.IN_PROGRESS:
        raise ModerationError("The second audit has not been submitted yet.")
    if second_audit.status == SecondAuditStatus.RESOLVED:
        raise ModerationError("This second audit has already been resolved.")
    try:
        resolved = Grade(grade)
    except ValueError as error:
        raise ModerationError("Choose the resolved grade") from error
    cleaned = required_text(note, "a note on how the differences were resolved", "note")
    second_audit.resolved_grade = resolved.value
    second_audit.resolution_note = cleaned
    second_audit.resolved_by_id = lead.id
    second_audit.resolved_at = utcnow()
    second_audit.status = SecondAuditStatus.RESOLVED
    record_event(
        "resolve_second_audit",
        "second_audit",
        user=lead,
        entity_id=second_audit.id,
        inspection_id=case.inspection_id,
        case_id=case.id,
        field="resolved_grade",
        new=resolved.value,
    )
    if case.status == CaseStatus.SUBMITTED:
        if resolved == first_grade(case):
            moderate(case, lead, ModerationAction.AGREE, resolved.value, None)
        else:
            moderate(
                case,
                lead,
                ModerationAction.CHANGE,
                resolved.value,
                f"Resolved after a second audit: {cleaned}",
            )
    db.session.flush()
    return second_audit
