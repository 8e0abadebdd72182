"""The record tables read from the database: sampled cases, their answers, moderation decisions.

Each is read with SQLAlchemy Core and returned as plain rows (one dict per row, by column name).
The answers table, the only one that grows with the size of an inspection (cases x questions),
is read in chunks with a streaming cursor (``yield_per``), so a large inspection is never held
in memory whole: the writers turn each chunk into cells and drop it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, case, select
from sqlalchemy.orm import aliased

from auditapp.domain.aggregation import NOT_ASSIGNED
from auditapp.domain.question_sets import Question as DomainQuestion
from auditapp.domain.statuses import AUDITED_STATUSES, CaseStatus, ModerationAction
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseType,
    Inspection,
    ModerationDecision,
    Question,
    QuestionOutcomeRow,
    QuestionSet,
    User,
)
from auditapp.services.audit.round import FIRST_ROUND
from auditapp.services.exports.wording import (
    grade_words,
    outcome_words,
    typed_answer,
)
from auditapp.services.findings.queries import figure_grade_sql
from auditapp.services.question_sets import question_set_data

ANSWER_CHUNK_ROWS = 2_000


def sampled_cases(inspection_id: int) -> Any:
    """The SQL condition selecting the cases the findings list: the inspection's sample."""
    return and_(Case.inspection_id == inspection_id, Case.in_sample.is_(True))


def _counted_in_figures(status: Any, kind: Any) -> Any:
    """SQL: 'Yes' when the findings count the case (a graded case type, submitted or moderated)."""
    return case(
        (and_(status.in_(AUDITED_STATUSES), kind == "case"), "Yes"),
        else_="No",
    )


def _status_words(status: str) -> str:
    return CaseStatus(status).label


# --- cases --------------------------------------------------------------------------------------


def case_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """One row per sampled case: reference, type, auditor, status and its grades."""
    auditor = aliased(User)
    statement = (
        select(
            Case.reference,
            CaseType.name.label("case_type"),
            auditor.name.label("auditor"),
            Case.status,
            _counted_in_figures(Case.status, CaseType.kind).label("counted"),
            Case.computed_grade,
            Case.proposed_grade,
            Case.proposed_reason,
            Case.final_grade,
            # The grade the figures use: the SQL twin of domain.grades.figure_grade.
            figure_grade_sql(
                Case.status, Case.computed_grade, Case.proposed_grade, Case.final_grade
            ).label("grade"),
            Case.current_risk,
            Case.is_case_study,
            Case.case_study_narrative,
            Case.submitted_at,
            Case.moderated_at,
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(auditor, auditor.id == Case.auditor_id)
        .where(sampled_cases(inspection.id))
        .order_by(CaseType.name, Case.reference)
    )
    return [
        {
            **row,
            "auditor": NOT_ASSIGNED if row["auditor"] is None else row["auditor"],
            "status": _status_words(row["status"]),
            "computed_grade": grade_words(row["computed_grade"]),
            "proposed_grade": grade_words(row["proposed_grade"]),
            "final_grade": grade_words(row["final_grade"]),
            "grade": grade_words(row["grade"]),
        }
        for row in db.session.execute(statement).mappings()
    ]


# --- answers ------------------------------------------------------------------------------------


def answer_chunks(
    inspection: Inspection, chunk_rows: int = ANSWER_CHUNK_ROWS
) -> Iterator[list[dict[str, Any]]]:
    """One row per sampled case and question (first audit), read ``chunk_rows`` at a time.

    A streaming cursor (``yield_per``: a server-side cursor on PostgreSQL) keeps one chunk of
    rows in memory at a time; each chunk is yielded as a list of rows and dropped.
    """
    answer = aliased(Answer)
    outcome = aliased(QuestionOutcomeRow)
    statement = (
        select(
            Case.reference,
            CaseType.name.label("case_type"),
            Case.status,
            _counted_in_figures(Case.status, CaseType.kind).label("counted"),
            Case.question_set_id,
            Question.code.label("question_id"),
            Question.section_title.label("section"),
            Question.text.label("question_text"),
            Question.answer_type,
            answer.value.label("answer"),
            outcome.outcome,
            answer.note,
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .join(Question, Question.question_set_id == Case.question_set_id)
        .outerjoin(
            answer,
            and_(
                answer.case_id == Case.id,
                answer.audit_round == FIRST_ROUND,
                answer.question_code == Question.code,
            ),
        )
        .outerjoin(
            outcome,
            and_(
                outcome.case_id == Case.id,
                outcome.audit_round == FIRST_ROUND,
                outcome.question_code == Question.code,
            ),
        )
        .where(sampled_cases(inspection.id))
        .order_by(CaseType.name, Case.reference, Question.position)
    )
    # Per statement: Connection.execution_options() would change the session's connection for
    # every later statement (a server-side cursor cannot run an INSERT).
    words = _answer_words(inspection.id)
    result = db.session.execute(statement, execution_options={"yield_per": chunk_rows})
    for chunk in result.mappings().partitions(chunk_rows):
        yield [
            {
                **row,
                "status": _status_words(row["status"]),
                "answer": typed_answer(
                    row["answer_type"],
                    row["answer"],
                    words.get((row["question_set_id"], row["question_id"])),
                ),
                "outcome": outcome_words(row["outcome"]),
            }
            for row in chunk
        ]


def _answer_words(inspection_id: int) -> dict[tuple[int, str], DomainQuestion]:
    """The domain question behind each (question set, code) the sampled cases use."""
    used = select(Case.question_set_id).where(sampled_cases(inspection_id)).distinct()
    sets = db.session.scalars(select(QuestionSet).where(QuestionSet.id.in_(used))).all()
    return {
        (row.id, question.id): question
        for row in sets
        for question in question_set_data(row).questions
    }


# --- moderation decisions -----------------------------------------------------------------------


def moderation_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """Every moderation decision: case, lead, action, grade before and after, reason, when."""
    lead = aliased(User)
    statement = (
        select(
            Case.reference,
            CaseType.name.label("case_type"),
            lead.name.label("lead"),
            ModerationDecision.action,
            ModerationDecision.grade_before,
            ModerationDecision.grade_after,
            ModerationDecision.reason,
            ModerationDecision.created_at,
        )
        .join(Case, Case.id == ModerationDecision.case_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(lead, lead.id == ModerationDecision.lead_id)
        .where(Case.inspection_id == inspection.id)
        .order_by(ModerationDecision.created_at, ModerationDecision.id)
    )
    return [
        {
            **row,
            "action": ModerationAction(row["action"]).label,
            "grade_before": grade_words(row["grade_before"]),
            "grade_after": grade_words(row["grade_after"]),
        }
        for row in db.session.execute(statement).mappings()
    ]
