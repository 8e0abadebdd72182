"""The findings' Core SQL: which cases count, the grade the figures use, and every statement.

Statements select plain labelled columns (no entities) and run on the session's connection,
so rows come back named and cheap; the grouping statements are built once (building one
costs about as much as running it) with bound parameters.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from functools import cache
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select
from sqlalchemy import case as when

from auditapp.domain.aggregation import CaseCount
from auditapp.domain.grades import Outcome
from auditapp.domain.statuses import AUDITED_STATUSES
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    CaseType,
    Question,
    QuestionOutcomeRow,
    QuestionSet,
    Recommendation,
    User,
)
from auditapp.services.audit.round import FIRST_ROUND

# A statement of any columns (SQLAlchemy types a Select by its columns' types).
Statement: TypeAlias = Select[*tuple[Any, ...]]

# A case counts once audited (in the sample, submitted or moderated); the name callers import.
AUDITED = AUDITED_STATUSES
# Outcomes that count in a score (met, partly met, not met), in that order.
APPLICABLE = tuple(outcome for outcome in Outcome if outcome.is_applicable)
# Outcomes whose answers are read with their notes as weak evidence.
WEAK = (Outcome.NOT_MET, Outcome.PARTLY_MET)


def rows(
    statement: Statement, params: dict[str, Any] | None = None, row_type: Any = None
) -> list[Any]:
    """Run a statement of plain columns (no entities) on the session's connection.

    The same transaction as the session, without the ORM's result set-up, which costs as much
    as the grouped query itself on the dashboard and a microsecond per row of weak answers.
    Rows come back as named tuples whose fields are the statement's column labels (or as
    ``row_type``, a NamedTuple whose fields must be those labels in order): read them by name.
    A named tuple's fields read many times faster than the database's rows' attributes.
    """
    result = db.session.connection().execute(statement, params or {})
    names = tuple(result.keys())
    if row_type is None:
        row_type = _row_type(names)
    elif row_type._fields != names:
        raise AssertionError(f"{row_type.__name__} is {row_type._fields}, the rows are {names}")
    return list(map(row_type._make, result))


@cache
def _row_type(names: tuple[str, ...]) -> Any:
    """A named tuple type for rows with these column labels."""
    return namedtuple("FindingsRow", names)


# --- the grade the figures use ------------------------------------------------------------------


def figure_grade_is_final_sql(status: Any, final: Any) -> ColumnElement[bool]:
    """SQL twin of ``domain.grades.figure_grade_is_final`` over these columns."""
    return and_(status == CaseStatus.MODERATED, final.is_not(None))


def figure_grade_sql(status: Any, computed: Any, proposed: Any, final: Any) -> ColumnElement[str]:
    """SQL twin of ``domain.grades.figure_grade``: a CASE expression over these columns.

    The final grade of a moderated case, else the proposed grade, else the computed one; a
    test evaluates it in the database for every status and grade against the Python rule.
    """
    return when(
        (figure_grade_is_final_sql(status, final), final),
        else_=func.coalesce(proposed, computed),
    )


def graded_case_columns() -> tuple[ColumnElement[bool], ColumnElement[str]]:
    """A case's grade as the figures use it (``grade``), and whether it is final (``moderated``)."""
    moderated = figure_grade_is_final_sql(Case.status, Case.final_grade)
    grade = figure_grade_sql(
        Case.status, Case.computed_grade, Case.proposed_grade, Case.final_grade
    )
    return moderated.label("moderated"), grade.label("grade")


def unconfirmed_column() -> ColumnElement[bool]:
    """Whether a case's computed grade rests on an unverified threshold the inspection has not
    confirmed (``unconfirmed``): its stored explanation lists them (``CaseGrade.unconfirmed``,
    stored only when there are some; confirming a threshold regrades the cases of its set).
    With ``moderated`` it decides ``domain.grades.figure_grade_is_provisional``."""
    listed = Case.computed_explanation["unconfirmed"].as_string().is_not(None)
    return listed.label("unconfirmed")


def audited_in(inspection_ids: Any) -> ColumnElement[bool]:
    """The inspections' audited samples: sampled cases submitted or moderated."""
    return and_(
        Case.inspection_id.in_(inspection_ids),
        Case.in_sample.is_(True),
        Case.status.in_(AUDITED),
    )


# --- cases and grades ---------------------------------------------------------------------------


@cache
def sampled_cases_statement() -> Statement:
    """Every sampled case of :inspection_id, one row each, with the grade the figures use."""
    moderated, grade = graded_case_columns()
    return (
        select(
            Case.id.label("case_id"),
            Case.reference,
            CaseType.name.label("case_type"),
            CaseType.slug.label("case_type_slug"),
            CaseType.kind,
            Case.auditor_id,
            User.name.label("auditor_name"),
            User.email.label("auditor_email"),
            Case.status,
            Case.final_grade,
            grade,
            moderated,
            unconfirmed_column(),
            Case.is_case_study,
            Case.case_study_narrative,
            Case.question_set_id,
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(User, User.id == Case.auditor_id)
        .where(Case.inspection_id == bindparam("inspection_id"), Case.in_sample.is_(True))
        .order_by(CaseType.name, Case.reference)
    )


@cache
def case_counts_statement() -> Statement:
    """Sampled cases of :inspection_id per case type, auditor, status, moderation and grade.

    Grouped on the case table's own columns first, then joined to the case types and users:
    the joins see a few dozen groups instead of every case. Columns are CaseCount's fields.
    """
    moderated, grade = graded_case_columns()
    unconfirmed = unconfirmed_column()
    groups = (
        select(
            Case.case_type_id,
            Case.auditor_id,
            Case.status,
            moderated,
            grade,
            unconfirmed,
            func.count().label("cases"),
        )
        .where(Case.inspection_id == bindparam("inspection_id"), Case.in_sample.is_(True))
        .group_by(Case.case_type_id, Case.auditor_id, Case.status, moderated, grade, unconfirmed)
        .subquery()
    )
    return (
        select(
            groups.c.cases,
            groups.c.status,
            groups.c.moderated,
            groups.c.grade,
            groups.c.unconfirmed,
            CaseType.kind,
            CaseType.slug.label("case_type_slug"),
            CaseType.name.label("case_type"),
            groups.c.auditor_id,
            User.name.label("auditor_name"),
            User.email.label("auditor_email"),
        )
        .join_from(groups, CaseType, CaseType.id == groups.c.case_type_id)
        .outerjoin(User, User.id == groups.c.auditor_id)
    )


@cache
def national_counts_statement() -> Statement:
    """Audited cases of graded case types of :inspection_ids per inspection, status, grade."""
    moderated, grade = graded_case_columns()
    unconfirmed = unconfirmed_column()
    return (
        select(
            Case.inspection_id,
            Case.status,
            moderated,
            grade,
            unconfirmed,
            func.count().label("cases"),
        )
        .where(
            Case.inspection_id.in_(bindparam("inspection_ids", expanding=True)),
            Case.in_sample.is_(True),
            Case.status.in_(AUDITED),
            Case.case_type_id.in_(select(CaseType.id).where(CaseType.kind == "case")),
        )
        .group_by(Case.inspection_id, Case.status, moderated, grade, unconfirmed)
    )


def case_count(row: Any) -> CaseCount:
    """A CaseCount from a row of :func:`case_counts_statement` or
    :func:`national_counts_statement`, whose columns are named after CaseCount's fields."""
    fields = row._asdict()
    fields["moderated"] = bool(fields["moderated"])  # SQLite answers 0 or 1
    fields["unconfirmed"] = bool(fields["unconfirmed"])
    return CaseCount(**fields)


# --- per-question findings ----------------------------------------------------------------------


@cache
def question_findings_statements() -> tuple[Statement, Statement]:
    """The sets used by the audited cases of :inspection_ids with their questions, and the
    outcome counts per set, question and outcome.

    Built once (with bound parameters), as building them costs a good part of running them;
    the ids are an expanding parameter, so one inspection and many share the statements.
    Sets and questions come in one statement (a round trip less); questions as columns, not
    entities, whose loading costs more than the grouped count itself.
    """
    audited = audited_in(bindparam("inspection_ids", expanding=True))
    used = (
        select(Case.question_set_id, func.count(Case.id).label("cases"))
        .where(audited)
        .group_by(Case.question_set_id)
        .subquery()
    )
    questions = (
        select(
            QuestionSet.id.label("question_set_id"),
            CaseType.slug.label("case_type"),
            CaseType.name.label("case_type_name"),
            CaseType.kind,
            QuestionSet.version,
            QuestionSet.title,
            used.c.cases,
            Question.code,
            Question.position,
            Question.section_title.label("section"),
            Question.text,
            Question.answer_type,
            Question.graded,
            Question.critical,
            Question.recommendation_codes,
        )
        .join_from(used, QuestionSet, QuestionSet.id == used.c.question_set_id)
        .join(CaseType, CaseType.id == QuestionSet.case_type_id)
        .outerjoin(Question, Question.question_set_id == QuestionSet.id)
        .order_by(CaseType.kind, CaseType.name, QuestionSet.version, Question.position)
    )
    counts = (
        select(
            Case.question_set_id,
            QuestionOutcomeRow.question_code.label("code"),
            QuestionOutcomeRow.outcome,
            func.count(QuestionOutcomeRow.id).label("cases"),
        )
        .join(Case, Case.id == QuestionOutcomeRow.case_id)
        .where(audited, QuestionOutcomeRow.audit_round == FIRST_ROUND)
        .group_by(
            Case.question_set_id, QuestionOutcomeRow.question_code, QuestionOutcomeRow.outcome
        )
    )
    return questions, counts


def audited_outcomes_with_notes(inspection_ids: Sequence[int], *columns: Any) -> Statement:
    """First-audit outcomes of the inspections' audited samples, each with its answer's note."""
    return (
        select(*columns)
        .join(Case, Case.id == QuestionOutcomeRow.case_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        # The answer joined on the outcome's own columns: joined on the case's id instead,
        # PostgreSQL hashes every outcome row of every inspection (4x slower nationally).
        .outerjoin(
            Answer,
            and_(
                Answer.case_id == QuestionOutcomeRow.case_id,
                Answer.audit_round == FIRST_ROUND,
                Answer.question_code == QuestionOutcomeRow.question_code,
            ),
        )
        .where(audited_in(inspection_ids), QuestionOutcomeRow.audit_round == FIRST_ROUND)
    )


def cases_with_outcome_statement(
    inspection_id: int, question_set_id: int, code: str, outcomes: Sequence[str]
) -> Statement:
    """The audited cases whose first-audit answer to one question had one of these outcomes."""
    return (
        audited_outcomes_with_notes(
            [inspection_id],
            Case.id.label("case_id"),
            Case.reference,
            CaseType.name.label("case_type"),
            User.name.label("auditor"),
            Case.status,
            QuestionOutcomeRow.outcome,
            Answer.note,
            Answer.value,
        )
        .outerjoin(User, User.id == Case.auditor_id)
        .where(
            Case.question_set_id == question_set_id,
            QuestionOutcomeRow.question_code == code,
            QuestionOutcomeRow.outcome.in_(outcomes),
        )
        .order_by(Case.reference)
    )


# --- recommendation evidence --------------------------------------------------------------------


def linked_questions_statement(inspection_ids: Sequence[int]) -> Statement:
    """The questions of the sets the inspections' sampled cases use, in report order."""
    used = (
        select(Case.inspection_id, Case.question_set_id)
        .where(Case.inspection_id.in_(list(inspection_ids)), Case.in_sample.is_(True))
        .distinct()
        .subquery()
    )
    return (
        select(
            used.c.inspection_id,
            CaseType.slug.label("case_type"),
            Question.code,
            Question.text,
            Question.recommendation_codes,
        )
        .select_from(used)
        .join(Question, Question.question_set_id == used.c.question_set_id)
        .join(QuestionSet, QuestionSet.id == Question.question_set_id)
        .join(CaseType, CaseType.id == QuestionSet.case_type_id)
        .order_by(used.c.inspection_id, CaseType.name, QuestionSet.version, Question.position)
    )


def _linked_applicable(inspection_ids: Sequence[int], codes: Sequence[str]) -> Any:
    """Applicable first-audit outcomes of the inspections' audited cases to these questions."""
    return and_(
        audited_in(list(inspection_ids)),
        QuestionOutcomeRow.audit_round == FIRST_ROUND,
        QuestionOutcomeRow.outcome.in_(APPLICABLE),
        QuestionOutcomeRow.question_code.in_(list(codes)),
    )


def linked_case_outcomes_statement(
    inspection_ids: Sequence[int], codes: Sequence[str]
) -> Statement:
    """Audited cases grouped by their applicable first-audit outcomes to these questions.

    One row per inspection, case type and list of ``code=outcome`` pairs (``outcomes``), with
    the same questions' codes alone (``codes``, in the same order) and its number of
    ``cases``. One scan, in case order, gives both figures progress needs: the per-question
    counts are sums over the rows (a case counts once per question), and so are the distinct
    cases answering any set of questions, which counts per question cannot give (a case
    answers several questions). The lists are in the order the database reads the rows
    (SQLite's ``group_concat`` takes no ORDER BY before 3.44), so the reader treats them as
    sets: no figure depends on that order.
    """
    pair = QuestionOutcomeRow.question_code + "=" + QuestionOutcomeRow.outcome
    per_case = (
        select(
            Case.inspection_id,
            CaseType.slug.label("case_type"),
            func.aggregate_strings(pair, ",").label("outcomes"),
            func.aggregate_strings(QuestionOutcomeRow.question_code, ",").label("codes"),
        )
        .join(Case, Case.id == QuestionOutcomeRow.case_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(_linked_applicable(inspection_ids, codes))
        .group_by(Case.id, Case.inspection_id, CaseType.slug)
        .subquery()
    )
    return select(
        per_case.c.inspection_id,
        per_case.c.case_type,
        per_case.c.outcomes,
        per_case.c.codes,
        func.count().label("cases"),
    ).group_by(
        per_case.c.inspection_id, per_case.c.case_type, per_case.c.outcomes, per_case.c.codes
    )


def _code_point_order(column: Any, dialect: str) -> Any:
    """The column compared as Python compares strings (by code point) on either database.

    SQLite's default collation already does; PostgreSQL's follows the server's locale unless
    told otherwise.
    """
    return column.collate("C") if dialect == "postgresql" else column


def _weak_where(codes: Sequence[str], withhold: Sequence[int]) -> Any:
    """Weak outcomes (not met, partly met) to these questions, but those of ``withhold``."""
    return and_(
        QuestionOutcomeRow.outcome.in_(WEAK),
        QuestionOutcomeRow.question_code.in_(list(codes)),
        *([Case.id.not_in(list(withhold))] if withhold else []),
    )


def _weak_columns() -> tuple[Any, ...]:
    """A weak answer's case and question: WeakOutcome's fields up to the note."""
    return (
        Case.id.label("case_id"),
        Case.reference,
        CaseType.slug.label("case_type"),
        QuestionOutcomeRow.question_code.label("question_id"),
        QuestionOutcomeRow.outcome,
    )


def weak_outcomes_statement(
    inspection_id: int, codes: Sequence[str], withhold: Sequence[int] = ()
) -> Statement:
    """The inspection's weak answers (not met, partly met) to these questions, with notes,
    leaving out the cases in ``withhold``.

    Its columns are WeakOutcome's fields in order: read it with ``row_type=WeakOutcome``.
    """
    return audited_outcomes_with_notes([inspection_id], *_weak_columns(), Answer.note).where(
        _weak_where(codes, withhold)
    )


def first_weak_outcomes_statement(
    inspection_id: int,
    codes: Sequence[str],
    first: int,
    withhold: Sequence[int] = (),
    dialect: str = "sqlite",
) -> Statement:
    """Each question's first ``first`` weak answers, with notes, and its number of them.

    As :func:`weak_outcomes_statement`, but numbered per question by a window function in
    the order they are listed (not met before partly met, then by case reference, unique in
    an inspection, then case id: ``domain.aggregation.recommendation_evidence``'s order), so
    that only the first few are read and only their notes joined. Its columns are
    WeakOutcome's fields in order, then the question's number of weak answers
    (``weak_answers``).
    """
    question = (CaseType.slug, QuestionOutcomeRow.question_code)
    order = (
        when((QuestionOutcomeRow.outcome == Outcome.NOT_MET, 0), else_=1),
        _code_point_order(Case.reference, dialect),
        Case.id,
    )
    ranked = (
        select(
            *_weak_columns(),
            func.count().over(partition_by=question).label("weak_answers"),
            func.row_number().over(partition_by=question, order_by=order).label("place"),
        )
        .join(Case, Case.id == QuestionOutcomeRow.case_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(
            audited_in([inspection_id]),
            QuestionOutcomeRow.audit_round == FIRST_ROUND,
            _weak_where(codes, withhold),
        )
        .subquery()
    )
    return (
        select(
            ranked.c.case_id,
            ranked.c.reference,
            ranked.c.case_type,
            ranked.c.question_id,
            ranked.c.outcome,
            Answer.note,
            ranked.c.weak_answers,
        )
        .outerjoin(
            Answer,
            and_(
                Answer.case_id == ranked.c.case_id,
                Answer.audit_round == FIRST_ROUND,
                Answer.question_code == ranked.c.question_id,
            ),
        )
        .where(ranked.c.place <= first)
    )


# --- chapters -----------------------------------------------------------------------------------


def recommendation_chapters_statement(inspection_id: int) -> Statement:
    """The code and chapter of each recommendation of an inspection, in report order."""
    return (
        select(Recommendation.code, Recommendation.chapter)
        .where(Recommendation.inspection_id == inspection_id)
        .order_by(Recommendation.position, Recommendation.id)
    )


# --- the sampling frame, for the weighted headline ----------------------------------------------


@cache
def frame_counts_statement() -> Statement:
    """Listed cases of :inspection_id of graded case types, counted per case type, sampled or
    not, status and the grade the figures use (a few dozen rows)."""
    _, grade = graded_case_columns()
    return (
        select(
            Case.case_type_id,
            CaseType.name.label("case_type"),
            Case.in_sample,
            Case.status,
            grade,
            func.count().label("cases"),
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(Case.inspection_id == bindparam("inspection_id"), CaseType.kind == "case")
        .group_by(Case.case_type_id, CaseType.name, Case.in_sample, Case.status, grade)
    )


@cache
def stratified_cases_statement() -> Statement:
    """Every listed case of :inspection_id of the :case_type_ids (those drawn by stratum):
    the column values its stratum comes from, sampled or not, status and grade."""
    _, grade = graded_case_columns()
    return (
        select(
            Case.case_type_id,
            CaseType.name.label("case_type"),
            Case.attributes,
            Case.in_sample,
            Case.status,
            grade,
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(
            Case.inspection_id == bindparam("inspection_id"),
            CaseType.kind == "case",
            Case.case_type_id.in_(bindparam("case_type_ids", expanding=True)),
        )
    )
