"""Grade a stored case with the domain engine and keep each question's outcome.

``audit_round`` arguments are the value of the answers' and outcomes' ``audit_round`` column
(``FIRST_ROUND`` or ``SECOND_ROUND`` from ``services.audit.round``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update

from auditapp.domain.grading import CaseGrade, grade_case
from auditapp.extensions import db
from auditapp.models import Answer, Case, QuestionOutcomeRow
from auditapp.services.audit.round import FIRST_ROUND
from auditapp.services.question_sets import question_set_data_of
from auditapp.services.thresholds import confirmed_keys

_OUTCOMES = cast(Table, QuestionOutcomeRow.__table__)  # a mapped class's table is a Table


def answers_for(case: Case, audit_round: int = FIRST_ROUND) -> dict[str, str | None]:
    """The case's answers of one audit round, by question id."""
    rows = db.session.execute(
        select(Answer.question_code, Answer.value).where(
            Answer.case_id == case.id, Answer.audit_round == audit_round
        )
    ).all()
    return {code: value for code, value in rows}


def grade_stored_case(
    case: Case, audit_round: int = FIRST_ROUND, values: Mapping[str, str | None] | None = None
) -> CaseGrade:
    """Grade the case's answers of one round without changing anything.

    ``values`` are the round's answers when the caller already holds them (saves them a query).
    """
    if case.question_set_id is None:
        raise ValueError(f"case {case.id} has no question set")
    return grade_case(
        question_set_data_of(case.question_set_id),
        answers_for(case, audit_round) if values is None else values,
        current_risk=case.current_risk,
        confirmed=confirmed_keys(case.inspection_id, case.question_set_id),
    )


def stored_outcomes(case_id: int, audit_round: int) -> dict[str, str]:
    """The stored outcome of each question of one round (one Core query, no ORM objects)."""
    return {
        code: outcome
        for code, outcome in db.session.execute(
            select(_OUTCOMES.c.question_code, _OUTCOMES.c.outcome).where(
                _OUTCOMES.c.case_id == case_id, _OUTCOMES.c.audit_round == audit_round
            )
        )
    }


def store_outcomes(
    case_id: int,
    audit_round: int,
    outcomes: Mapping[str, str],
    stored: Mapping[str, str] | None = None,
) -> int:
    """Make the stored outcome rows of one round equal ``outcomes``; returns rows written.

    Writes only the difference from what is stored (``stored``, when the caller read it
    already): one answer saved usually moves one or two outcomes, and rewriting all forty held
    the database's write lock far longer under load. Core statements: no ORM objects.
    """
    if stored is None:
        stored = stored_outcomes(case_id, audit_round)
    in_round = and_(_OUTCOMES.c.case_id == case_id, _OUTCOMES.c.audit_round == audit_round)
    added = [
        {"case_id": case_id, "audit_round": audit_round, "question_code": code, "outcome": new}
        for code, new in outcomes.items()
        if code not in stored
    ]
    moved = [
        {"code": code, "new": new}
        for code, new in outcomes.items()
        if code in stored and stored[code] != new
    ]
    gone = [code for code in stored if code not in outcomes]
    if added:
        db.session.execute(insert(_OUTCOMES), added)
    if moved:
        db.session.execute(
            update(_OUTCOMES)
            .where(in_round, _OUTCOMES.c.question_code == bindparam("code"))
            .values(outcome=bindparam("new")),
            moved,
        )
    if gone:
        db.session.execute(delete(_OUTCOMES).where(in_round, _OUTCOMES.c.question_code.in_(gone)))
    return len(added) + len(moved) + len(gone)


def regrade_outcomes(
    case: Case, audit_round: int = FIRST_ROUND, values: Mapping[str, str | None] | None = None
) -> CaseGrade:
    """Grade one round of the case and store every question's outcome; returns the grade.

    Pass the round's ``values`` when they are already in hand: the grade is then worked out
    without reading the answers again.
    """
    result = grade_stored_case(case, audit_round, values)
    store_outcomes(
        case.id,
        audit_round,
        {question_id: str(outcome.outcome) for question_id, outcome in result.outcomes.items()},
    )
    return result


def regrade_case(case: Case, values: Mapping[str, str | None] | None = None) -> CaseGrade:
    """Regrade the first audit: its outcome rows, and the computed grade kept on the case."""
    result = regrade_outcomes(case, FIRST_ROUND, values)
    case.computed_grade = str(result.grade) if result.grade else None
    case.computed_explanation = result.to_dict()
    return result
