"""One case question by question, as a lead reads it: each answer in words, its note and outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from auditapp.domain.grades import Outcome
from auditapp.domain.question_sets import answer_words
from auditapp.extensions import db
from auditapp.models import Answer, Case, SecondAudit
from auditapp.services.audit.round import FIRST_ROUND, SECOND_ROUND
from auditapp.services.grading import grade_stored_case
from auditapp.services.question_sets import question_set_data


@dataclass(frozen=True)
class AnswerRow:
    """One question of a case as a lead reads it: the answer, the note and the outcome."""

    question_id: str
    section: str
    text: str
    critical: bool
    answer: str
    note: str | None
    outcome: str
    outcome_label: str
    detail: str


def _outcome_label(outcome: str) -> str:
    try:
        return Outcome(outcome).label
    except ValueError:
        return outcome


def case_answer_rows(case: Case) -> list[AnswerRow]:
    """The first audit question by question: each answer, note and outcome shown.

    Its outcomes are those stored with the computed grade (worked out again if missing).
    """
    if case.question_set is None:
        return []
    if case.computed_explanation:
        outcomes = case.computed_explanation.get("outcomes", {})
    else:
        outcomes = grade_stored_case(case, FIRST_ROUND).to_dict()["outcomes"]
    return _answer_rows(case, _answers(case, Answer.audit_round == FIRST_ROUND), outcomes)


def second_audit_answer_rows(second_audit: SecondAudit) -> list[AnswerRow]:
    """The blind second audit question by question: each answer, note and outcome shown."""
    case = second_audit.case
    if case.question_set is None:
        return []
    outcomes = grade_stored_case(case, SECOND_ROUND).to_dict()["outcomes"]
    return _answer_rows(case, _answers(case, Answer.audit_round == SECOND_ROUND), outcomes)


def _answers(case: Case, in_round: ColumnElement[bool]) -> dict[str, Answer]:
    """The case's stored answers of one round (``in_round`` filters by its named constant)."""
    query = select(Answer).where(Answer.case_id == case.id, in_round)
    return {answer.question_code: answer for answer in db.session.scalars(query)}


def _answer_rows(
    case: Case, answers: dict[str, Answer], outcomes: dict[str, Any]
) -> list[AnswerRow]:
    assert case.question_set is not None  # the callers checked
    qs = question_set_data(case.question_set)
    rows = []
    for section in qs.sections:
        for question in section.questions:
            outcome = outcomes.get(question.id, {})
            answer = answers.get(question.id)
            if outcome.get("outcome") == Outcome.HIDDEN and answer is None:
                continue
            text = answer_words(question, answer.value if answer else None)
            detail = outcome.get("detail", "")
            if detail.lower() in (text.lower(), (answer.value or "").lower() if answer else ""):
                detail = ""  # the detail only repeats the answer
            label = _outcome_label(outcome.get("outcome", ""))
            if outcome and not outcome.get("graded", True) and question.graded is False:
                label += " (not graded)"
            rows.append(
                AnswerRow(
                    question_id=question.id,
                    section=section.title,
                    text=question.text,
                    critical=question.critical,
                    answer=text,
                    note=answer.note if answer else None,
                    outcome=outcome.get("outcome", ""),
                    outcome_label=label,
                    detail=detail,
                )
            )
    return rows
