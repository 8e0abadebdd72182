"""A question set's case form tried in the builder: answers checked and graded, never saved.

The preview draws the form with the audit form's own presenters and macros (``AnswersState``),
so it is the form an auditor sees; the answers tried are checked as a save checks them
(``normalise_answer``) and graded by the engine (``grade_case``), and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from auditapp.domain.grading import CaseGrade, QuestionOutcome, grade_case
from auditapp.domain.question_sets import (
    AnswerError,
    QuestionSet,
    Section,
    normalise_answer,
    visible_ids,
)
from auditapp.services.audit.loading import Progress, progress_of
from auditapp.services.audit.saving import PostedAnswer


@dataclass
class PreviewState:
    """Answers tried in the preview, their visibility, grade and progress."""

    qs: QuestionSet
    values: dict[str, str | None]
    grade: CaseGrade
    visible: set[str]
    progress: Progress
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str | None] = field(default_factory=dict)
    editable: bool = True

    @property
    def sections(self) -> tuple[Section, ...]:
        """The set's sections, in order."""
        return self.qs.sections

    def outcome(self, question_id: str) -> QuestionOutcome:
        """The question's outcome under the answers tried."""
        return self.grade.outcomes[question_id]


def try_answers(qs: QuestionSet, posted: Mapping[str, PostedAnswer] | None = None) -> PreviewState:
    """Check and grade the answers posted (none: an empty case); an answer that would be
    refused on a case is left out of the grade and its message kept for its question."""
    values: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for question_id, item in (posted or {}).items():
        try:
            values[question_id] = normalise_answer(qs.question(question_id), item.value)
        except AnswerError as error:
            errors[question_id] = error.message
    notes: dict[str, str | None] = {
        qid: item.note for qid, item in (posted or {}).items() if item.note
    }
    return PreviewState(
        qs=qs,
        values=values,
        grade=grade_case(qs, values),
        visible=visible_ids(qs, values),
        progress=progress_of(qs, values),
        errors=errors,
        notes=notes,
    )
