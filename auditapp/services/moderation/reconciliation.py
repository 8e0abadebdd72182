"""Reconciling a blind second audit question by question.

Where the first and the second audit answered a question differently, a lead decides which
answer stands (the first's, the second's, or one they enter), with a reason. The resolved
answers are the first audit's answers with those decisions laid over them; graded by the one
grading rule (``grade_stored_case``), they give the resolved grade, which becomes the case's
final grade. Neither audit's own answers, outcomes or grades change, so the agreement figures
keep comparing the two independent audits.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from auditapp.domain.grades import Grade
from auditapp.domain.grading import CaseGrade
from auditapp.domain.question_sets import Question, answer_words, normalise_answer
from auditapp.domain.question_sets.errors import AnswerError
from auditapp.extensions import db
from auditapp.models import (
    AnswerReconciliation,
    Case,
    CaseStatus,
    SecondAudit,
    SecondAuditStatus,
    User,
    utcnow,
)
from auditapp.services.audit.round import FIRST_ROUND, SECOND_ROUND
from auditapp.services.audit_log import record_case_event, record_event
from auditapp.services.grading import answers_for, grade_stored_case
from auditapp.services.moderation.decisions import (
    ModerationError,
    check_may_moderate,
    required_text,
)
from auditapp.services.moderation.second_audits import resolve_second_audit
from auditapp.services.personal_data import PersonalDataInText, check_free_text
from auditapp.services.question_sets import question_set_data


class AnswerSource(StrEnum):
    """Which answer stands on a question the two audits answered differently."""

    FIRST = "first"
    SECOND = "second"
    AGREED = "agreed"

    @property
    def label(self) -> str:
        """The choice in words."""
        return {
            AnswerSource.FIRST: "The first audit's answer",
            AnswerSource.SECOND: "The second audit's answer",
            AnswerSource.AGREED: "An answer agreed with both auditors",
        }[self]


@dataclass(frozen=True)
class Difference:
    """One question the two audits answered differently, and the lead's decision if made."""

    question: Question
    first_value: str | None
    second_value: str | None
    decision: AnswerReconciliation | None

    @property
    def first_words(self) -> str:
        """The first audit's answer in words."""
        return answer_words(self.question, self.first_value)

    @property
    def second_words(self) -> str:
        """The second audit's answer in words."""
        return answer_words(self.question, self.second_value)

    @property
    def resolved_words(self) -> str | None:
        """The answer that stands, in words (None until decided)."""
        if self.decision is None:
            return None
        return answer_words(self.question, self.decision.value)

    @property
    def source_label(self) -> str | None:
        """Which answer stands, in words (None until decided)."""
        return AnswerSource(self.decision.source).label if self.decision else None


@dataclass(frozen=True)
class Reconciliation:
    """Every question the audits answered differently, and the grade the decisions give."""

    differences: list[Difference]
    grade: CaseGrade | None  # the resolved answers' grade, once every difference is decided

    @property
    def decided(self) -> int:
        """How many differences a lead has decided."""
        return sum(1 for d in self.differences if d.decision is not None)

    @property
    def complete(self) -> bool:
        """Every difference is decided: the case can be regraded and the audit resolved."""
        return self.decided == len(self.differences)


def _decisions(second_audit: SecondAudit) -> dict[str, AnswerReconciliation]:
    query = select(AnswerReconciliation).where(
        AnswerReconciliation.second_audit_id == second_audit.id
    )
    return {row.question_code: row for row in db.session.scalars(query)}


def _check_open(second_audit: SecondAudit, lead: User) -> Case:
    case = second_audit.case
    check_may_moderate(case, lead, "resolve it")
    if second_audit.status == SecondAuditStatus.IN_PROGRESS:
        raise ModerationError("The second audit has not been submitted yet.")
    if second_audit.status == SecondAuditStatus.RESOLVED:
        raise ModerationError("This second audit has already been resolved.")
    return case


def differences(case: Case, second_audit: SecondAudit) -> list[Difference]:
    """The questions the two audits answered differently, in question-set order.

    A derived question follows the answers it is worked out from, so it is never one of them.
    """
    if case.question_set is None:
        return []
    qs = question_set_data(case.question_set)
    first = answers_for(case, FIRST_ROUND)
    second = answers_for(case, SECOND_ROUND)
    decided = _decisions(second_audit)
    return [
        Difference(q, first.get(q.id), second.get(q.id), decided.get(q.id))
        for q in qs.questions
        if q.type != "derived" and (first.get(q.id) or None) != (second.get(q.id) or None)
    ]


def resolved_answers(case: Case, second_audit: SecondAudit) -> dict[str, str | None]:
    """The first audit's answers with the lead's decisions laid over them."""
    values = answers_for(case, FIRST_ROUND)
    for code, decision in _decisions(second_audit).items():
        values[code] = decision.value
    return values


def reconciliation(case: Case, second_audit: SecondAudit) -> Reconciliation:
    """The differences and, once all are decided, the grade of the resolved answers."""
    found = differences(case, second_audit)
    complete = all(d.decision is not None for d in found)
    grade = (
        grade_stored_case(case, FIRST_ROUND, resolved_answers(case, second_audit))
        if complete and case.question_set_id is not None
        else None
    )
    return Reconciliation(found, grade)


def reconcile_answer(
    second_audit: SecondAudit,
    lead: User,
    question_id: str,
    source: str,
    agreed: str | None,
    reason: str | None,
) -> AnswerReconciliation:
    """Decide which answer stands on one question that differs, with a reason.

    ``agreed`` is the answer the lead entered, read only when ``source`` is "agreed". A decision
    may be changed until the second audit is resolved; each is written to the audit log.
    """
    case = _check_open(second_audit, lead)
    difference = next(
        (d for d in differences(case, second_audit) if d.question.id == question_id), None
    )
    if difference is None:
        raise ModerationError(f"The two audits gave the same answer to {question_id}.")
    try:
        chosen = AnswerSource(source)
    except ValueError as error:
        raise ModerationError("Choose which answer stands") from error
    if chosen is AnswerSource.FIRST:
        value = difference.first_value
    elif chosen is AnswerSource.SECOND:
        value = difference.second_value
    else:
        try:
            value = normalise_answer(difference.question, agreed)
        except AnswerError as error:
            raise ModerationError(error.message) from error
        if value is None:
            raise ModerationError("Enter the agreed answer")
        if difference.question.type == "text":
            try:
                check_free_text(value, "answer")
            except PersonalDataInText as refused:
                raise ModerationError(refused.message) from None
    cleaned = required_text(reason, "the reason this answer stands", "reason")
    row = difference.decision
    old = row.value if row else difference.first_value
    if row is None:
        row = AnswerReconciliation(
            second_audit_id=second_audit.id, question_code=question_id, source=chosen.value,
            value=value, reason=cleaned, decided_by_id=lead.id,
        )  # fmt: skip
        db.session.add(row)
    else:
        row.source, row.value, row.reason = chosen.value, value, cleaned
        row.decided_by_id, row.decided_at = lead.id, utcnow()
    db.session.flush()
    # The reason, and a text question's answers, are kept apart in the log (redactable).
    text_answer = difference.question.type == "text"
    for field, before, after, free in (
        (f"{question_id}.source", None, chosen.value, False),
        (f"{question_id}.value", old, value, text_answer),
        (f"{question_id}.reason", None, cleaned, True),
    ):
        record_event(
            "reconcile_answer", "second_audit", user=lead, entity_id=second_audit.id,
            inspection_id=case.inspection_id, case_id=case.id, field=field, old=before, new=after,
            free_text=free or None,
        )  # fmt: skip
    return row


def resolve_by_answers(second_audit: SecondAudit, lead: User, note: str | None) -> Grade:
    """Resolve the second audit with the grade of the resolved answers; returns that grade.

    Every difference must be decided first. A case awaiting moderation is moderated with the
    grade (``resolve_second_audit``); a case already moderated takes it as its final grade.
    """
    case = _check_open(second_audit, lead)
    result = reconciliation(case, second_audit)
    if not result.complete:
        left = len(result.differences) - result.decided
        raise ModerationError(f"Decide the {left} question(s) that still differ first.")
    if result.grade is None or result.grade.grade is None:
        raise ModerationError("The resolved answers do not give a grade yet.")
    grade = result.grade.grade
    was_moderated = case.status == CaseStatus.MODERATED
    resolve_second_audit(second_audit, lead, grade.value, note)
    if was_moderated and case.final_grade != grade.value:
        record_case_event(
            case, lead, "resolve_second_audit", "final_grade", case.final_grade, grade.value
        )
        case.final_grade = grade.value
        db.session.flush()
    return grade
