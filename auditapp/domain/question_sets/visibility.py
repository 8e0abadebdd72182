"""Visibility: which questions ``show_if`` shows for a case's answers."""

from __future__ import annotations

from collections.abc import Mapping

from auditapp.domain.question_sets.answers import checklist_ticks
from auditapp.domain.question_sets.model import NOT_APPLICABLE, Condition, Question, QuestionSet


def condition_met(question: Question, condition: Condition, answer: str | None) -> bool:
    """Return True when the controlling ``question``'s stored ``answer`` satisfies ``condition``."""
    if answer is None:
        return False
    if question.type == "checklist":
        ticked = checklist_ticks(answer)
        if answer == NOT_APPLICABLE:
            ticked = [NOT_APPLICABLE]
        return any(value in condition.equals for value in ticked)
    return answer in condition.equals


def visible_ids(qs: QuestionSet, answers: Mapping[str, str | None]) -> set[str]:
    """Return the ids of the questions shown for these answers."""
    visible: set[str] = set()
    for question in qs.questions:  # controllers come earlier, so one pass is transitive
        condition = question.show_if
        if condition is None or (
            condition.question in visible
            and condition_met(
                qs.question(condition.question),
                condition,
                answers.get(condition.question),
            )
        ):
            visible.add(question.id)
    return visible


def visible_questions(qs: QuestionSet, answers: Mapping[str, str | None]) -> list[Question]:
    """Return the questions shown for these answers, in order (hidden controllers hide too)."""
    shown = visible_ids(qs, answers)
    return [question for question in qs.questions if question.id in shown]
