"""The floor for each findings figure: one hand-written SQL query on the same database.

Each query returns the aggregate already computed by the database, so its time is the least a
findings page can cost for that figure: anything above it is Python, ORM or pandas overhead.
``inspection_id`` None means every inspection (the national figures).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def _where(inspection_id: int | None, alias: str = "c") -> tuple[str, dict[str, Any]]:
    if inspection_id is None:
        return "", {}
    return f" AND {alias}.inspection_id = :inspection_id", {"inspection_id": inspection_id}


def grade_distribution(session: Session, inspection_id: int | None) -> list[Any]:
    """Sampled cases per case type, auditor, status, moderated or not, and grade.

    Every figure of the dashboard (headline, by case type, by auditor, progress of the work,
    provisional or not) is a sum over these rows. The grade is the final grade of a moderated
    case, else the proposed, else the computed grade.
    """
    where, params = _where(inspection_id)
    grade = """CASE WHEN c.status = 'moderated' AND c.final_grade IS NOT NULL
                    THEN c.final_grade
                    ELSE COALESCE(c.proposed_grade, c.computed_grade) END"""
    sql = f"""
        SELECT ct.name, ct.kind, c.auditor_id, c.status,
               (c.status = 'moderated' AND c.final_grade IS NOT NULL) AS moderated,
               {grade} AS grade, COUNT(*)
        FROM "case" c JOIN case_type ct ON ct.id = c.case_type_id
        WHERE c.in_sample{where}
        GROUP BY ct.name, ct.kind, c.auditor_id, c.status,
                 (c.status = 'moderated' AND c.final_grade IS NOT NULL), {grade}
    """  # noqa: S608 - the only interpolation is fixed SQL text, values are bound
    return session.execute(text(sql), params).all()


def question_counts(session: Session, inspection_id: int | None) -> list[Any]:
    """Outcomes per case type, question and outcome (first audit)."""
    where, params = _where(inspection_id)
    sql = f"""
        SELECT ct.name, o.question_code, o.outcome, COUNT(*)
        FROM question_outcome o
        JOIN "case" c ON c.id = o.case_id
        JOIN case_type ct ON ct.id = c.case_type_id
        WHERE o.audit_round = 1{where}
        GROUP BY ct.name, o.question_code, o.outcome
    """  # noqa: S608
    return session.execute(text(sql), params).all()


def _codes(dialect: str) -> str:
    if dialect == "postgresql":
        return "CROSS JOIN LATERAL json_array_elements_text(q.recommendation_codes::json) AS r"
    return "JOIN json_each(q.recommendation_codes) AS r"


def _code_column(dialect: str) -> str:
    return "r.value"


def _reviews(inspection_id: int | None) -> tuple[str, dict[str, Any]]:
    """The reviews in scope (inspections with a baseline), each paired with what it reads.

    A ``reads(review, inspection_id)`` CTE: each review with itself and with its baseline.
    """
    where, params = "", {}
    if inspection_id is not None:
        where, params = " AND i.id = :inspection_id", {"inspection_id": inspection_id}
    sql = f"""
        WITH reads(review, inspection_id) AS (
            SELECT i.id, i.id FROM inspection i WHERE i.baseline_id IS NOT NULL{where}
            UNION ALL
            SELECT i.id, i.baseline_id FROM inspection i WHERE i.baseline_id IS NOT NULL{where}
        )
    """  # noqa: S608 - the only interpolation is fixed SQL text, values are bound
    return sql, params


def recommendation_evidence(session: Session, inspection_id: int | None) -> list[Any]:
    """Per recommendation code: outcome counts of its questions, then its weak answers.

    Two statements (the counts, and the not met / partly met answers with case reference and
    note), as the figure is both. Recommendation progress compares a review with its
    **baseline**, so the floor reads both as the service does: the counts of the review and of
    its baseline (grouped by review), and the weak answers of the review (the baseline's are
    never shown). ``inspection_id`` None is every review, each baseline counted once per review
    that follows it up, as the service, run per inspection, counts it; an inspection without
    a baseline has no recommendation to follow up, so the floor leaves it out as the service
    returns at once.
    """
    dialect = session.get_bind().dialect.name
    reviews, params = _reviews(inspection_id)
    counts = f"""{reviews}
        SELECT rd.review, {_code_column(dialect)} AS code, ct.name, o.question_code, o.outcome,
               COUNT(*)
        FROM reads rd
        JOIN "case" c ON c.inspection_id = rd.inspection_id
        JOIN question_outcome o ON o.case_id = c.id
        JOIN case_type ct ON ct.id = c.case_type_id
        JOIN question q ON q.question_set_id = c.question_set_id AND q.code = o.question_code
        {_codes(dialect)}
        WHERE o.audit_round = 1
        GROUP BY rd.review, {_code_column(dialect)}, ct.name, o.question_code, o.outcome
    """  # noqa: S608
    where, _ = _where(inspection_id)
    weak = f"""
        SELECT {_code_column(dialect)} AS code, c.id, c.reference, o.question_code, o.outcome,
               a.note
        FROM question_outcome o
        JOIN "case" c ON c.id = o.case_id
        JOIN inspection i ON i.id = c.inspection_id AND i.baseline_id IS NOT NULL
        JOIN question q ON q.question_set_id = c.question_set_id AND q.code = o.question_code
        {_codes(dialect)}
        LEFT JOIN answer a ON a.case_id = o.case_id AND a.audit_round = 1
             AND a.question_code = o.question_code
        WHERE o.audit_round = 1 AND o.outcome IN ('not_met', 'partly_met'){where}
    """  # noqa: S608
    return session.execute(text(counts), params).all() + session.execute(text(weak), params).all()


FLOORS = {
    "grade distribution": grade_distribution,
    "per-question counts": question_counts,
    "recommendation evidence": recommendation_evidence,
}
