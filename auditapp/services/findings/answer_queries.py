"""The Core SQL of the answers in figures: values counted per question, and the dates and
judged outcomes of timeliness checks (``services.findings.answers``)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy import case as when

from auditapp.domain.grades import Outcome
from auditapp.models import Answer, Case, Question, QuestionOutcomeRow
from auditapp.services.audit.round import FIRST_ROUND
from auditapp.services.findings.queries import APPLICABLE, Statement, audited_in

# --- answers in figures (choices, numbers, text, dates, timeliness) ----------------------------

# Answer types whose stored values are counted: choices and numbers by value, text and dates
# only as answered (their values are not grouped: free text could be anything).
VALUE_TYPES = ("choice", "checklist", "number")
ANSWERED_TYPES = ("text", "date", "datetime")
# Outcomes of an answer that is shown: hidden and unanswered questions are not counted.
SHOWN = tuple(
    str(outcome) for outcome in Outcome if outcome not in (Outcome.HIDDEN, Outcome.UNANSWERED)
)


@cache
def answer_values_statement() -> Statement:
    """Audited cases of :inspection_ids per set, question and first-audit answer value, for
    the shown answers of choice, checklist, number, text and date questions.

    Text and date values are grouped as "" or "na" only: their figure is how many answered.
    """
    value = when(
        (
            and_(
                Question.answer_type.in_(ANSWERED_TYPES),
                Answer.value != "na",
            ),
            "",
        ),
        else_=Answer.value,
    )
    return (
        select(
            Case.question_set_id,
            Answer.question_code.label("code"),
            value.label("value"),
            func.count().label("cases"),
        )
        .join(Case, Case.id == Answer.case_id)
        .join(
            Question,
            and_(
                Question.question_set_id == Case.question_set_id,
                Question.code == Answer.question_code,
            ),
        )
        .join(
            QuestionOutcomeRow,
            and_(
                QuestionOutcomeRow.case_id == Answer.case_id,
                QuestionOutcomeRow.audit_round == Answer.audit_round,
                QuestionOutcomeRow.question_code == Answer.question_code,
            ),
        )
        .where(
            audited_in(bindparam("inspection_ids", expanding=True)),
            Answer.audit_round == FIRST_ROUND,
            Question.answer_type.in_((*VALUE_TYPES, *ANSWERED_TYPES)),
            QuestionOutcomeRow.outcome.in_(SHOWN),
            Answer.value.is_not(None),
            Answer.value != "",
        )
        .group_by(Case.question_set_id, Answer.question_code, value)
    )


def check_answers_statement(inspection_ids: Sequence[int], codes: Sequence[str]) -> Statement:
    """First-audit answers of the inspections' audited cases to these questions (the dates a
    timeliness check reads), one row per case and question."""
    return (
        select(
            Case.id.label("case_id"),
            Case.question_set_id,
            Answer.question_code.label("code"),
            Answer.value,
        )
        .join(Case, Case.id == Answer.case_id)
        .where(
            audited_in(list(inspection_ids)),
            Answer.audit_round == FIRST_ROUND,
            Answer.question_code.in_(list(codes)),
        )
    )


def judged_checks_statement(inspection_ids: Sequence[int], codes: Sequence[str]) -> Statement:
    """The audited cases whose first-audit outcome of these timeliness checks was judged
    (met, partly met or not met), with the outcome."""
    return (
        select(
            Case.id.label("case_id"),
            Case.question_set_id,
            QuestionOutcomeRow.question_code.label("code"),
            QuestionOutcomeRow.outcome,
        )
        .join(Case, Case.id == QuestionOutcomeRow.case_id)
        .where(
            audited_in(list(inspection_ids)),
            QuestionOutcomeRow.audit_round == FIRST_ROUND,
            QuestionOutcomeRow.question_code.in_(list(codes)),
            QuestionOutcomeRow.outcome.in_(APPLICABLE),
        )
    )
