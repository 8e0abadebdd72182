"""Grade a stored case with the domain engine and keep each question's outcome."""

from __future__ import annotations

from sqlalchemy import delete, select

from auditapp.domain.grading import CaseGrade, grade_case
from auditapp.extensions import db
from auditapp.models import Answer, Case, QuestionOutcomeRow
from auditapp.services.question_sets import question_set_data


def answers_for(case: Case, audit_round: int = 1) -> dict[str, str | None]:
    """The case's answers of one audit round, by question id."""
    rows = db.session.execute(
        select(Answer.question_code, Answer.value).where(
            Answer.case_id == case.id, Answer.audit_round == audit_round
        )
    ).all()
    return {code: value for code, value in rows}


def grade_stored_case(case: Case, audit_round: int = 1) -> CaseGrade:
    """Grade the case's answers of one round without changing anything."""
    if case.question_set is None:
        raise ValueError(f"case {case.id} has no question set")
    return grade_case(
        question_set_data(case.question_set),
        answers_for(case, audit_round),
        current_risk=case.current_risk,
    )


def regrade_case(case: Case, audit_round: int = 1) -> CaseGrade:
    """Grade the case, store the computed grade (round 1) and every question's outcome."""
    result = grade_stored_case(case, audit_round)
    if audit_round == 1:
        case.computed_grade = str(result.grade) if result.grade else None
        case.computed_explanation = result.to_dict()
    # Change only the outcomes that moved: one answer saved usually changes one or two of
    # them, and rewriting all forty held the database's write lock far longer under load.
    stored = {
        row.question_code: row
        for row in db.session.scalars(
            select(QuestionOutcomeRow).where(
                QuestionOutcomeRow.case_id == case.id,
                QuestionOutcomeRow.audit_round == audit_round,
            )
        )
    }
    for question_id, outcome in result.outcomes.items():
        row = stored.pop(question_id, None)
        if row is None:
            db.session.add(
                QuestionOutcomeRow(
                    case_id=case.id,
                    audit_round=audit_round,
                    question_code=question_id,
                    outcome=str(outcome.outcome),
                )
            )
        elif row.outcome != str(outcome.outcome):
            row.outcome = str(outcome.outcome)
    if stored:
        db.session.execute(
            delete(QuestionOutcomeRow).where(
                QuestionOutcomeRow.id.in_([row.id for row in stored.values()])
            )
        )
        for row in stored.values():
            db.session.expunge(row)
    db.session.flush()
    return result
