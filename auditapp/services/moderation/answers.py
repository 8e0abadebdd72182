"""One case question by question, as a lead reads it: each answer in words, its note and outcome."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from auditapp.domain.grades import Outcome
from auditapp.domain.question_sets import answer_words
from auditapp.extensions import db
from auditapp.models import Answer, Case
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


def case_answer_rows(case: Case, audit_round: int = 1) -> list[AnswerRow]:
    """Every question shown in this round, with its answer, note and outcome."""
    if case.question_set is None:
        return []
    qs = question_set_data(case.question_set)
    answers = {
        answer.question_code: answer
        for answer in db.session.scalars(
            select(Answer).where(Answer.case_id == case.id, Answer.audit_round == audit_round)
        )
    }
    if audit_round == 1 and case.computed_explanation:
        outcomes = case.computed_explanation.get("outcomes", {})
    else:
        outcomes = grade_stored_case(case, audit_round).to_dict()["outcomes"]
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
