"""Stored grades, outcomes and answers in the words the pages show, typed for a spreadsheet."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.question_sets import NOT_APPLICABLE, NOT_APPLICABLE_WORDS, answer_words
from auditapp.domain.question_sets import Question as DomainQuestion
from auditapp.domain.question_sets.answers import safe_number


def grade_words(grade: str | None) -> str | None:
    """A stored grade as the words on screen ("Requires improvement"), None when ungraded."""
    return Grade(grade).label if isinstance(grade, str) and grade else None


def outcome_words(outcome: str | None) -> str | None:
    """A stored outcome as the words on screen ("Partly met")."""
    return Outcome(outcome).label if isinstance(outcome, str) and outcome else None


def typed_answer(kind: str, value: Any, question: DomainQuestion | None = None) -> Any:
    """Numbers as numbers, dates as dates, choices in the words the case page shows.

    A stored number that is not a safe number (too many digits, out of range, "NaN") is written
    as the stored text, so no export ever fails on a value edited by hand.
    """
    if not isinstance(value, str):  # no answer
        return None
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_WORDS
    if question is not None and kind in ("yes_no", "choice", "checklist"):
        return answer_words(question, value)
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
