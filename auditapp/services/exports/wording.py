"""Stored grades, outcomes, answers and moderation actions in the words the pages show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.question_sets import NOT_APPLICABLE
from auditapp.domain.question_sets import Question as DomainQuestion
from auditapp.domain.question_sets.answers import safe_number
from auditapp.services import moderation

ACTION_WORDS = {"agree": "Agreed", "change": "Changed", "return": "Returned to auditor"}


def grade_words(grade: str | None) -> str | None:
    """A stored grade as the words on screen ("Requires improvement"), None when ungraded."""
    return Grade(grade).label if isinstance(grade, str) and grade else None


def outcome_words(outcome: str | None) -> str | None:
    """A stored outcome as the words on screen ("Partly met")."""
    return Outcome(outcome).label if isinstance(outcome, str) and outcome else None


def action_words(action: str) -> str:
    """A moderation decision's action as a past-tense word ("Agreed")."""
    return ACTION_WORDS.get(str(action), str(action))


def typed_answer(kind: str, value: Any, question: DomainQuestion | None = None) -> Any:
    """Numbers as numbers, dates as dates, choices in the words the case page shows.

    A stored number that is not a safe number (too many digits, out of range, "NaN") is written
    as the stored text, so no export ever fails on a value edited by hand.
    """
    if not isinstance(value, str):  # no answer
        return None
    if value == NOT_APPLICABLE:
        return "Not applicable"
    if question is not None and kind in ("yes_no", "choice", "checklist"):
        return moderation.answer_text(question, value)
    try:
        if kind == "number":
            number = safe_number(value)
            return value if number is None else number
        if kind == "date":
            return date.fromisoformat(value)
        if kind == "datetime":
            return datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except (ValueError, ArithmeticError):
        return value
    return value
