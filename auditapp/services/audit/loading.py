"""The case form of one audit round as it stands: answers, visibility, grade and progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from auditapp.domain.grading import CaseGrade, QuestionOutcome, grade_case
from auditapp.domain.question_sets import (
    NOT_APPLICABLE,
    Question,
    QuestionSet,
    Section,
    checklist_ticks,
    visible_ids,
)
from auditapp.extensions import db
from auditapp.models import Answer, Case, CaseStatus, SecondAudit, SecondAuditStatus, User
from auditapp.services.audit.errors import AuditFormError
from auditapp.services.question_sets import question_set_data

NOTE_MAX_LENGTH = 5_000
NARRATIVE_MAX_LENGTH = 5_000
# Audit-event entities of each round: the round-1 history never shows round-2 events and the
# blind second auditor never sees round-1 events.
ROUND_ENTITIES = {1: ("case", "answer"), 2: ("second_audit", "second_audit_answer")}


@dataclass(frozen=True)
class Progress:
    """How far a case is answered: visible questions an auditor answers, and those answered."""

    answered: int
    total: int

    @property
    def text(self) -> str:
        """e.g. "12 of 18 questions answered"."""
        return f"{self.answered} of {self.total} question{'' if self.total == 1 else 's'} answered"


@dataclass
class FormState:
    """Everything the case form shows for one round: answers, visibility, checks and grade."""

    case: Case
    audit_round: int
    qs: QuestionSet
    values: dict[str, str | None]
    notes: dict[str, str | None]
    grade: CaseGrade
    visible: set[str]
    version: int
    progress: Progress
    editable: bool = False
    second_audit: SecondAudit | None = None

    @property
    def sections(self) -> tuple[Section, ...]:
        """The set's sections, in order."""
        return self.qs.sections

    def outcome(self, question_id: str) -> QuestionOutcome:
        """The question's outcome under the current answers."""
        return self.grade.outcomes[question_id]

    def label(self, question_id: str) -> str:
        """The stored answer in words."""
        return answer_label(self.qs.question(question_id), self.values.get(question_id))

    @property
    def grade_value(self) -> str | None:
        """The computed grade as a stored string, or None."""
        return str(self.grade.grade) if self.grade.grade else None

    def to_json(self) -> dict[str, Any]:
        """What the save endpoint returns: version, visibility, derived checks, grade, progress."""
        qs = self.qs
        return {
            "version": self.version,
            "visible": {q.id: q.id in self.visible for q in qs.questions},
            "checks": {
                q.id: {
                    "outcome": str(self.outcome(q.id).outcome),
                    "label": self.outcome(q.id).outcome.label,
                    "detail": self.outcome(q.id).detail,
                }
                for q in qs.questions
                if q.type == "derived"
            },
            "grade": grade_json(self.grade, qs),
            "progress": {
                "answered": self.progress.answered,
                "total": self.progress.total,
                "text": self.progress.text,
            },
        }


def grade_json(grade: CaseGrade, qs: QuestionSet) -> dict[str, Any]:
    """The provisional grade, its explanation and the deciding questions, as JSON."""
    value = grade.grade
    return {
        "grade": str(value) if value else None,
        "label": value.label if value else "Not graded yet",
        "tag_class": value.tag_class if value else "govuk-tag--grey",
        "provisional": grade.provisional,
        "explanation": list(grade.explanation),
        "deciding": [{"id": qid, "text": qs.question(qid).text} for qid in grade.deciding],
    }


_YES_NO_LABELS = {"yes": "Yes", "partly": "Partly", "no": "No", NOT_APPLICABLE: "Not applicable"}


def answer_label(question: Question, value: str | None) -> str:
    """A stored answer in the words the auditor chose it by."""
    if value is None or value == "":
        return "Not answered"
    if value == NOT_APPLICABLE:
        return "Not applicable"
    if question.type == "yes_no":
        return _YES_NO_LABELS.get(value, value)
    if question.type == "choice":
        option = question.option(value)
        return option.label if option else value
    if question.type == "checklist":
        ticked = checklist_ticks(value)
        labels = [o.label for o in question.options if o.value in ticked]
        return ", ".join(labels) if labels else "None of these"
    if question.type == "datetime":
        return value.replace("T", " ")
    return value


def _question_set(case: Case) -> QuestionSet:
    if case.question_set is None:
        raise AuditFormError("This case has no question set yet: ask the inspection's lead")
    return question_set_data(case.question_set)


@dataclass(frozen=True)
class StoredAnswer:
    """One stored answer of a round: read as plain values, since a save builds no ORM objects."""

    id: int | None
    value: str | None
    note: str | None
    answered_by_id: int | None = None
    answered_at: datetime | None = None


def _answers(case: Case, audit_round: int) -> dict[str, StoredAnswer]:
    rows = db.session.execute(
        select(
            Answer.question_code,
            Answer.id,
            Answer.value,
            Answer.note,
            Answer.answered_by_id,
            Answer.answered_at,
        ).where(Answer.case_id == case.id, Answer.audit_round == audit_round)
    )
    return {code: StoredAnswer(*rest) for code, *rest in rows}


def progress_of(qs: QuestionSet, values: Mapping[str, str | None]) -> Progress:
    """Visible questions an auditor answers (not derived ones), and how many are answered."""
    shown = visible_ids(qs, values)
    asked = [q for q in qs.questions if q.id in shown and q.type != "derived"]
    return Progress(sum(1 for q in asked if values.get(q.id)), len(asked))


def second_audit_of(case: Case) -> SecondAudit | None:
    """The case's blind second audit, if one was requested."""
    return db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == case.id))


def can_edit(case: Case, user: User, audit_round: int = 1) -> bool:
    """Only the assigned auditor of the round edits, and only before submitting."""
    if audit_round == 1:
        return case.auditor_id == user.id and case.status == CaseStatus.DRAFT
    second = second_audit_of(case)
    return (
        second is not None
        and second.auditor_id == user.id
        and second.status == SecondAuditStatus.IN_PROGRESS
    )


def _grade(case: Case, qs: QuestionSet, values: Mapping[str, str | None], audit_round: int):
    # A blind second audit is graded on its own answers only: the first auditor's
    # current-risk flag would reveal round-1 findings to the second auditor.
    return grade_case(qs, values, current_risk=case.current_risk if audit_round == 1 else False)


def form_state(
    case: Case,
    user: User | None = None,
    audit_round: int = 1,
    *,
    rows: Mapping[str, StoredAnswer] | None = None,
    grade: CaseGrade | None = None,
) -> FormState:
    """The case form of one round as it stands.

    A save passes the answer ``rows`` it already holds and the ``grade`` it just worked out,
    so the form state costs no further queries or grading.
    """
    qs = _question_set(case)
    if rows is None:
        rows = _answers(case, audit_round)
    values = {code: row.value for code, row in rows.items()}
    notes = {code: row.note for code, row in rows.items()}
    return FormState(
        case=case,
        audit_round=audit_round,
        qs=qs,
        values=values,
        notes=notes,
        grade=grade or _grade(case, qs, values, audit_round),
        visible=visible_ids(qs, values),
        version=case.version,
        progress=progress_of(qs, values),
        editable=can_edit(case, user, audit_round) if user is not None else False,
        second_audit=second_audit_of(case) if audit_round == 2 else None,
    )
