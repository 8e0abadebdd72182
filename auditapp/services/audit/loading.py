"""The case form of one audit round as it stands: answers, visibility, grade and progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditapp.domain.grades import NOT_GRADED_YET, grade_tag
from auditapp.domain.grading import CaseGrade, QuestionOutcome, grade_case
from auditapp.domain.question_sets import (
    QuestionSet,
    Section,
    answer_words,
    visible_ids,
)
from auditapp.models import Case
from auditapp.services.audit.errors import AuditFormError
from auditapp.services.audit.queries import RoundRows, StoredAnswer, round_answers
from auditapp.services.audit.round import AuditRound
from auditapp.services.question_sets import question_set_data_of
from auditapp.services.thresholds import confirmed_keys


@dataclass(frozen=True)
class Progress:
    """How far a case is answered: visible questions an auditor answers, and those answered,
    all of them and the required ones (what submitting needs)."""

    answered: int
    total: int
    required_answered: int = 0
    required: int = 0

    @property
    def text(self) -> str:
        """e.g. "Answered 9 of 12 required questions"."""
        if not self.required:
            return "No required questions to answer"
        noun = "question" if self.required == 1 else "questions"
        return f"Answered {self.required_answered} of {self.required} required {noun}"


@dataclass
class FormState:
    """Everything the case form shows for one round: answers, visibility, checks and grade."""

    round: AuditRound
    qs: QuestionSet
    values: dict[str, str | None]
    notes: dict[str, str | None]
    grade: CaseGrade
    visible: set[str]
    version: int
    progress: Progress

    @property
    def case(self) -> Case:
        """The case audited."""
        return self.round.case

    @property
    def editable(self) -> bool:
        """The user may change this round's answers."""
        return self.round.editable

    @property
    def sections(self) -> tuple[Section, ...]:
        """The set's sections, in order."""
        return self.qs.sections

    def outcome(self, question_id: str) -> QuestionOutcome:
        """The question's outcome under the current answers."""
        return self.grade.outcomes[question_id]

    def label(self, question_id: str) -> str:
        """The stored answer in words."""
        return answer_words(self.qs.question(question_id), self.values.get(question_id))

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
                "required_answered": self.progress.required_answered,
                "required": self.progress.required,
                "text": self.progress.text,
            },
        }


def grade_json(grade: CaseGrade, qs: QuestionSet) -> dict[str, Any]:
    """The provisional grade, its explanation and the deciding questions, as JSON."""
    value = grade.grade
    tag = grade_tag(value, ungraded=NOT_GRADED_YET)
    return {
        "grade": str(value) if value else None,
        "label": tag["text"],
        "tag_class": tag["classes"],
        "provisional": grade.provisional,
        "explanation": list(grade.explanation),
        "deciding": [{"id": qid, "text": qs.question(qid).text} for qid in grade.deciding],
    }


def question_set_of(case: Case) -> QuestionSet:
    """The case's question set (parsed once per process); AuditFormError when it has none."""
    if case.question_set_id is None:
        raise AuditFormError("This case has no question set yet: ask the inspection's lead")
    return question_set_data_of(case.question_set_id)


def stored_rows(audit: AuditRound) -> RoundRows:
    """The round's stored answers: those read with the round if still unused, else read now."""
    return audit.take_prefetched() or RoundRows(round_answers(audit))


def progress_of(qs: QuestionSet, values: Mapping[str, str | None]) -> Progress:
    """Visible questions an auditor answers (not derived ones), and how many are answered."""
    shown = visible_ids(qs, values)
    asked = [q for q in qs.questions if q.id in shown and q.type != "derived"]
    required = [q for q in asked if q.required]
    return Progress(
        answered=sum(1 for q in asked if values.get(q.id)),
        total=len(asked),
        required_answered=sum(1 for q in required if values.get(q.id)),
        required=len(required),
    )


def grade_round(audit: AuditRound, qs: QuestionSet, values: Mapping[str, str | None]) -> CaseGrade:
    """The round's grade from its answers, with the current-risk flag as the round knows it."""
    case = audit.case
    confirmed = (
        confirmed_keys(case.inspection_id, case.question_set_id)
        if case.question_set_id is not None
        else frozenset()
    )
    return grade_case(qs, values, current_risk=audit.current_risk, confirmed=confirmed)


def form_state(
    audit: AuditRound,
    *,
    answers: Mapping[str, StoredAnswer] | None = None,
    grade: CaseGrade | None = None,
) -> FormState:
    """The case form of one round as it stands.

    A save passes the ``answers`` it already holds and the ``grade`` it just worked out,
    so the form state costs no further queries or grading.
    """
    qs = question_set_of(audit.case)
    if answers is None:
        answers = stored_rows(audit).answers
    values = {code: row.value for code, row in answers.items()}
    notes = {code: row.note for code, row in answers.items()}
    return FormState(
        round=audit,
        qs=qs,
        values=values,
        notes=notes,
        grade=grade or grade_round(audit, qs, values),
        visible=visible_ids(qs, values),
        version=audit.case.version,
        progress=progress_of(qs, values),
    )
