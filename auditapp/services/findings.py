"""Findings of an inspection: grades, per-question figures, recommendation progress, chapters.

Each public function runs a fixed number of SQL queries whatever the number of cases (counts
are aggregated in SQL where there is one row per answer) and returns plain frozen dataclasses,
so the pages, the JSON API and the exports show the same figures.

Which cases count:
- a case counts once it is *audited*: in the sample and submitted or moderated (drafts are
  work in progress and are only counted in the progress figures);
- a case's grade is its final (moderated) grade where it has one, else the auditor's proposed
  grade, else the computed grade; figures that include any grade not yet moderated are
  *provisional*;
- question figures count outcomes of the first audit round; "applicable" is met + partly met +
  not met (not applicable, hidden and unanswered are left out).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy import case as when

from auditapp.domain.aggregation import (
    NOT_ASSIGNED,
    CaseCount,
    DashboardFigures,
    GradeBreakdown,
    GradeTally,
    OutcomeCount,
    QuestionLink,
    RecommendationEvidence,
    WeakAnswer,
    WeakOutcome,
    dashboard_figures,
    grade_breakdown,
    grade_distribution,
    headline,
    outcome_summary,
    recommendation_evidence,
)
from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.recommendations import (
    ChapterGrade,
    ChapterRule,
    ChapterSuggestion,
    KeyQuestionRate,
    Progress,
    ProgressSuggestion,
    rate_change,
    suggest_chapter,
    suggest_progress,
)
from auditapp.domain.statistics import Share, whole_percent
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    CaseType,
    ChapterJudgement,
    Inspection,
    Question,
    QuestionOutcomeRow,
    QuestionSet,
    Recommendation,
    RecommendationJudgement,
    SecondAudit,
    SecondAuditStatus,
    User,
    utcnow,
)
from auditapp.services.audit_log import record_event

AUDITED = (str(CaseStatus.SUBMITTED), str(CaseStatus.MODERATED))
APPLICABLE = (str(Outcome.MET), str(Outcome.PARTLY_MET), str(Outcome.NOT_MET))
WEAK = (str(Outcome.NOT_MET), str(Outcome.PARTLY_MET))
# Outcomes a reader can click through to; "applicable" lists all three applicable ones.
LISTABLE_OUTCOMES = (*APPLICABLE, str(Outcome.NOT_APPLICABLE), "applicable")


class FindingsError(ValueError):
    """A request the findings cannot satisfy (e.g. an unknown recommendation)."""


def blind_case_ids(inspection_id: int, user_id: int) -> frozenset[int]:
    """Cases of the inspection the user is second-auditing blind (not yet resolved).

    The findings withhold these cases' first-audit details (case lists, notes, weak answers,
    case-study narratives) from that user; aggregate counts still include them.
    """
    return frozenset(
        db.session.scalars(
            select(SecondAudit.case_id)
            .join(Case, Case.id == SecondAudit.case_id)
            .where(
                Case.inspection_id == inspection_id,
                SecondAudit.auditor_id == user_id,
                SecondAudit.status != SecondAuditStatus.RESOLVED,
            )
        )
    )


# --- cases and grades ---------------------------------------------------------------------------


def cases_frame(inspection_id: int) -> pd.DataFrame:
    """Every sampled case of the inspection, one row each (one query).

    Columns: case_id, reference, case_type (name), case_type_slug, kind ("case" or
    "dip_sample"), auditor_id, auditor, status, final_grade, grade (the grade the figures use),
    moderated (bool), is_case_study, case_study_narrative, question_set_id.
    """
    rows = db.session.execute(
        select(
            Case.id,
            Case.reference,
            CaseType.name,
            CaseType.slug,
            CaseType.kind,
            Case.auditor_id,
            User.name,
            Case.status,
            Case.final_grade,
            Case.proposed_grade,
            Case.computed_grade,
            Case.is_case_study,
            Case.case_study_narrative,
            Case.question_set_id,
            User.email,
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(User, User.id == Case.auditor_id)
        .where(Case.inspection_id == inspection_id, Case.in_sample.is_(True))
        .order_by(CaseType.name, Case.reference)
    ).all()
    # Two auditors can share a display name: tell them apart by email so their figures stay apart.
    ids_by_name: dict[str, set[int]] = {}
    for row in rows:
        if row[5] is not None:
            ids_by_name.setdefault(row[6], set()).add(row[5])
    records = []
    for row in rows:
        moderated = row[7] == CaseStatus.MODERATED and bool(row[8])
        auditor = row[6] or NOT_ASSIGNED
        if row[5] is not None and len(ids_by_name[row[6]]) > 1:
            auditor = f"{row[6]} ({row[14]})"
        records.append(
            {
                "case_id": row[0],
                "reference": row[1],
                "case_type": row[2],
                "case_type_slug": row[3],
                "kind": row[4],
                "auditor_id": row[5],
                "auditor": auditor,
                "status": row[7],
                "final_grade": row[8],
                "grade": row[8] if moderated else (row[9] or row[10]),
                "moderated": moderated,
                "is_case_study": bool(row[11]),
                "case_study_narrative": row[12],
                "question_set_id": row[13],
            }
        )
    columns = [
        "case_id",
        "reference",
        "case_type",
        "case_type_slug",
        "kind",
        "auditor_id",
        "auditor",
        "status",
        "final_grade",
        "grade",
        "moderated",
        "is_case_study",
        "case_study_narrative",
        "question_set_id",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


def _graded_audited(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[(cases["kind"] == "case") & cases["status"].isin(AUDITED)]


def _rows(statement: Select[Any], params: dict[str, Any] | None = None) -> list[Any]:
    """Run a statement of plain columns (no entities) on the session's connection.

    The same transaction as the session, without the ORM's result set-up, which costs as much
    as the grouped query itself on the dashboard and a microsecond per row of weak answers.
    """
    return list(db.session.connection().execute(statement, params or {}).all())


def _graded_case_columns() -> tuple[Any, Any]:
    """A sampled case's grade as the figures use it, and whether that grade is final."""
    moderated = and_(Case.status == CaseStatus.MODERATED, Case.final_grade.is_not(None))
    grade = when(
        (moderated, Case.final_grade),
        else_=func.coalesce(Case.proposed_grade, Case.computed_grade),
    )
    return moderated.label("moderated"), grade.label("grade")


# The grouping statements are built once: building one costs about as much as running it.
@cache
def _case_counts_statement() -> Select[Any]:
    """Sampled cases of :inspection_id per case type, auditor, status, moderation and grade.

    Grouped on the case table's own columns first, then joined to the case types and users:
    the joins see a few dozen groups instead of every case.
    """
    moderated, grade = _graded_case_columns()
    groups = (
        select(
            Case.case_type_id,
            Case.auditor_id,
            Case.status,
            moderated,
            grade,
            func.count().label("cases"),
        )
        .where(Case.inspection_id == bindparam("inspection_id"), Case.in_sample.is_(True))
        .group_by(Case.case_type_id, Case.auditor_id, Case.status, moderated, grade)
        .subquery()
    )
    return (
        select(
            groups.c.cases,
            groups.c.status,
            groups.c.moderated,
            groups.c.grade,
            CaseType.kind,
            CaseType.slug,
            CaseType.name,
            groups.c.auditor_id,
            User.name,
            User.email,
        )
        .join_from(groups, CaseType, CaseType.id == groups.c.case_type_id)
        .outerjoin(User, User.id == groups.c.auditor_id)
    )


@cache
def _national_counts_statement() -> Select[Any]:
    """Audited cases of graded case types of :inspection_ids per inspection, status, grade."""
    moderated, grade = _graded_case_columns()
    return (
        select(Case.inspection_id, Case.status, moderated, grade, func.count())
        .where(
            Case.inspection_id.in_(bindparam("inspection_ids", expanding=True)),
            Case.in_sample.is_(True),
            Case.status.in_(AUDITED),
            Case.case_type_id.in_(select(CaseType.id).where(CaseType.kind == "case")),
        )
        .group_by(Case.inspection_id, Case.status, moderated, grade)
    )


def case_counts(inspection_id: int) -> list[CaseCount]:
    """The inspection's sampled cases counted per case type, auditor, status and grade.

    One grouped query: a few dozen rows whatever the number of cases.
    """
    rows = _rows(_case_counts_statement(), {"inspection_id": inspection_id})
    # The statement's columns are CaseCount's fields in order.
    return [
        CaseCount(cases, status, bool(moderated), grade, *rest)
        for cases, status, moderated, grade, *rest in rows
    ]


@dataclass(frozen=True)
class Dashboard(DashboardFigures):
    """The inspection dashboard's figures, with the inspection they belong to."""

    inspection_id: int


def dashboard(inspection_id: int) -> Dashboard:
    """Headline, grades by case type and by auditor, and progress of the work (one query)."""
    figures = dashboard_figures(case_counts(inspection_id))
    return Dashboard(
        inspection_id=inspection_id,
        **{f.name: getattr(figures, f.name) for f in fields(DashboardFigures)},
    )


@dataclass(frozen=True)
class InspectionGrades:
    """One inspection's grades in the national view."""

    inspection_id: int
    headline: str
    grades: GradeBreakdown
    unmoderated: int


@dataclass(frozen=True)
class NationalFindings:
    """The grades of many inspections side by side, and all of them together."""

    inspections: tuple[InspectionGrades, ...]
    total: InspectionGrades


def national_findings(inspection_ids: Sequence[int]) -> NationalFindings:
    """Grades of each of these inspections and of all of them together (one query).

    Counts audited cases of graded case types, as each inspection's dashboard does; the
    result lists the inspections in the order given.
    """
    counts: list[CaseCount] = []
    if inspection_ids:
        rows = _rows(_national_counts_statement(), {"inspection_ids": list(inspection_ids)})
        counts = [
            CaseCount(
                cases=number,
                status=status,
                moderated=bool(moderated),
                grade=grade,
                inspection_id=inspection_id,
            )
            for inspection_id, status, moderated, grade, number in rows
        ]
    tallies = grade_distribution(counts, by=lambda row: str(row.inspection_id))
    none = grade_distribution([])["total"]  # an inspection with no audited case yet

    def grades(inspection_id: int, key: str, label: str, tally: GradeTally) -> InspectionGrades:
        return InspectionGrades(
            inspection_id, headline(tally), grade_breakdown(key, label, tally), tally.unmoderated
        )

    return NationalFindings(
        inspections=tuple(
            grades(i, str(i), str(i), tallies.get(str(i), none))
            for i in dict.fromkeys(inspection_ids)
        ),
        total=grades(0, "all", "All inspections", grade_distribution(counts)["total"]),
    )


@dataclass(frozen=True)
class CaseRef:
    """A case behind a figure, with the answer or grade that put it there."""

    case_id: int
    reference: str
    case_type: str
    auditor: str
    status: str
    detail: str
    note: str = ""


def cases_with_grade(
    inspection_id: int,
    grade: str | None = None,
    case_type: str | None = None,
    auditor_id: str | None = None,
    withhold: frozenset[int] = frozenset(),
) -> list[CaseRef]:
    """The audited graded cases behind a grade figure (one query); filters are optional.

    ``auditor_id`` is the key of a by-auditor row: a user id, or "" for unassigned cases.
    """
    counted = _graded_audited(cases_frame(inspection_id))
    if grade:
        counted = counted[counted["grade"] == grade]
    if case_type:
        counted = counted[counted["case_type_slug"] == case_type]
    if auditor_id is not None:
        if auditor_id == "":
            counted = counted[counted["auditor_id"].isna()]
        else:
            counted = counted[counted["auditor_id"] == int(auditor_id)]
    return [
        CaseRef(
            case_id=int(row.case_id),
            reference=str(row.reference),
            case_type=str(row.case_type),
            auditor=str(row.auditor),
            status=str(row.status),
            detail=(Grade(row.grade).label if isinstance(row.grade, str) else "Not graded")
            + ("" if row.moderated else " (provisional)"),
        )
        for row in counted.itertuples()
        if int(row.case_id) not in withhold
    ]


# --- per-question findings ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFinding:
    """One question's outcome counts over the audited cases of its set."""

    question_set_id: int
    code: str
    position: int
    section: str
    text: str
    answer_type: str
    graded: bool
    critical: bool
    recommendation_codes: tuple[str, ...]
    met: int
    partly_met: int
    not_met: int
    not_applicable: int
    recorded: int
    applicable: int
    summary: str

    @property
    def share(self) -> Share:
        """Return the share of applicable cases that fully meet the question."""
        return Share(self.met, self.applicable)

    @property
    def judged(self) -> bool:
        """Return True when the question has met / not met outcomes (not just recorded)."""
        return self.applicable > 0 or self.answer_type in ("yes_no", "derived")


@dataclass(frozen=True)
class QuestionSetFindings:
    """The findings of one question set (a case type's version) used in the inspection."""

    question_set_id: int
    case_type: str
    case_type_name: str
    kind: str
    version: int
    title: str
    cases: int
    questions: tuple[QuestionFinding, ...]


def _audited_in(inspection_ids: Any) -> Any:
    """The inspections' audited samples: sampled cases submitted or moderated."""
    return and_(
        Case.inspection_id.in_(inspection_ids),
        Case.in_sample.is_(True),
        Case.status.in_(AUDITED),
    )


@cache
def _question_findings_statements() -> tuple[Select[Any], Select[Any]]:
    """The sets used by the audited cases of :inspection_ids with their questions, and the
    outcome counts per set, question and outcome.

    Built once (with bound parameters), as building them costs a good part of running them;
    the ids are an expanding parameter, so one inspection and many share the statements.
    Sets and questions come in one statement (a round trip less); questions as columns, not
    entities, whose loading costs more than the grouped count itself.
    """
    audited = _audited_in(bindparam("inspection_ids", expanding=True))
    used = (
        select(Case.question_set_id, func.count(Case.id).label("cases"))
        .where(audited)
        .group_by(Case.question_set_id)
        .subquery()
    )
    questions = (
        select(
            QuestionSet.id,
            CaseType.slug,
            CaseType.name,
            CaseType.kind,
            QuestionSet.version,
            QuestionSet.title,
            used.c.cases,
            Question.code,
            Question.position,
            Question.section_title,
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
            QuestionOutcomeRow.question_code,
            QuestionOutcomeRow.outcome,
            func.count(QuestionOutcomeRow.id),
        )
        .join(Case, Case.id == QuestionOutcomeRow.case_id)
        .where(audited, QuestionOutcomeRow.audit_round == 1)
        .group_by(
            Case.question_set_id, QuestionOutcomeRow.question_code, QuestionOutcomeRow.outcome
        )
    )
    return questions, counts


def question_findings(inspection_id: int) -> list[QuestionSetFindings]:
    """Outcome counts for every question of every set used by audited cases (two queries)."""
    return _question_findings([inspection_id])


def national_question_findings(inspection_ids: Sequence[int]) -> list[QuestionSetFindings]:
    """Outcome counts per question over the audited cases of all these inspections together.

    The figures of :func:`question_findings` summed across the inspections, per question set
    and question (two queries, whatever the number of inspections and cases).
    """
    return _question_findings(list(dict.fromkeys(inspection_ids))) if inspection_ids else []


def _question_findings(inspection_ids: list[int]) -> list[QuestionSetFindings]:
    """Per-question figures over the audited cases of these inspections together."""
    questions_statement, counts_statement = _question_findings_statements()
    params = {"inspection_ids": inspection_ids}
    rows = _rows(questions_statement, params)
    if not rows:
        return []
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for set_id, code, outcome, number in _rows(counts_statement, params):
        counts.setdefault((set_id, code), {})[outcome] = int(number)

    sets: dict[int, tuple[Any, ...]] = {}
    by_set: dict[int, list[QuestionFinding]] = {}
    for set_id, slug, name, kind, version, title, cases, *question in rows:
        if set_id not in sets:
            sets[set_id] = (slug, name, kind, version, title, cases)
            by_set[set_id] = []
        code, position, section, text, answer_type, graded, critical, codes = question
        if code is None:  # a set without questions
            continue
        tally = counts.get((set_id, code), {})
        met, partly, not_met = (tally.get(outcome, 0) for outcome in APPLICABLE)
        applicable = met + partly + not_met
        by_set[set_id].append(
            QuestionFinding(
                question_set_id=set_id,
                code=code,
                position=position,
                section=section,
                text=text,
                answer_type=answer_type,
                graded=graded,
                critical=critical,
                recommendation_codes=tuple(codes or ()),
                met=met,
                partly_met=partly,
                not_met=not_met,
                not_applicable=tally.get(str(Outcome.NOT_APPLICABLE), 0),
                recorded=tally.get(str(Outcome.RECORDED), 0),
                applicable=applicable,
                summary=outcome_summary(met, partly, applicable),
            )
        )
    return [
        QuestionSetFindings(
            question_set_id=set_id,
            case_type=slug,
            case_type_name=name,
            kind=kind,
            version=version,
            title=title,
            cases=int(cases),
            questions=tuple(by_set[set_id]),
        )
        for set_id, (slug, name, kind, version, title, cases) in sets.items()
    ]


def question_finding(inspection_id: int, question_set_id: int, code: str) -> QuestionFinding:
    """One question's figures (FindingsError when the set is not used or has no such code)."""
    for found in question_findings(inspection_id):
        if found.question_set_id == question_set_id:
            for question in found.questions:
                if question.code == code:
                    return question
    raise FindingsError(f"question {code} of set {question_set_id} is not in these findings")


def _audited_outcomes_with_notes(inspection_ids: Sequence[int], *columns: Any) -> Select[Any]:
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
                Answer.audit_round == 1,
                Answer.question_code == QuestionOutcomeRow.question_code,
            ),
        )
        .where(
            Case.inspection_id.in_(inspection_ids),
            Case.in_sample.is_(True),
            Case.status.in_(AUDITED),
            QuestionOutcomeRow.audit_round == 1,
        )
    )


def cases_with_outcome(
    inspection_id: int,
    question_set_id: int,
    code: str,
    outcome: str,
    withhold: frozenset[int] = frozenset(),
) -> list[CaseRef]:
    """The audited cases behind one question's figure (one query).

    ``outcome`` is met, partly_met, not_met, not_applicable, or "applicable" (all three of
    met, partly met and not met). Each case carries the auditor's note on that answer.
    """
    if outcome not in LISTABLE_OUTCOMES:
        raise FindingsError(f"unknown outcome {outcome!r}")
    wanted = APPLICABLE if outcome == "applicable" else (outcome,)
    rows = db.session.execute(
        _audited_outcomes_with_notes(
            [inspection_id],
            Case.id,
            Case.reference,
            CaseType.name,
            User.name,
            Case.status,
            QuestionOutcomeRow.outcome,
            Answer.note,
        )
        .outerjoin(User, User.id == Case.auditor_id)
        .where(
            Case.question_set_id == question_set_id,
            QuestionOutcomeRow.question_code == code,
            QuestionOutcomeRow.outcome.in_(wanted),
        )
        .order_by(Case.reference)
    ).all()
    return [
        CaseRef(
            case_id=row[0],
            reference=row[1],
            case_type=row[2],
            auditor=row[3] or NOT_ASSIGNED,
            status=row[4],
            detail=Outcome(row[5]).label,
            note=row[6] or "",
        )
        for row in rows
        if row[0] not in withhold
    ]


# --- recommendation progress --------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    """What recommendation_evidence needs of one inspection's audited cases."""

    questions: list[QuestionLink] = field(default_factory=list)
    counts: list[OutcomeCount] = field(default_factory=list)
    weak: list[WeakOutcome] = field(default_factory=list)


def _linked(questions: list[QuestionLink]) -> list[str]:
    return sorted({link.question_id for link in questions})


def _evidence(review_id: int, baseline_id: int) -> tuple[_Evidence, _Evidence]:
    """Linked questions and outcome counts of a review and its baseline, and the review's weak
    answers (three queries).

    Only questions linked to a recommendation are counted, and only the review's weak answers
    (not met, partly met) are read with their notes: the rest cannot change any figure (the
    baseline's weak answers are never shown).
    """
    found = {review_id: _Evidence(), baseline_id: _Evidence()}
    used = (
        select(Case.inspection_id, Case.question_set_id)
        .where(Case.inspection_id.in_(list(found)), Case.in_sample.is_(True))
        .distinct()
        .subquery()
    )
    seen: set[tuple[int, str, str]] = set()
    for inspection_id, slug, code, text, codes in db.session.execute(
        select(
            used.c.inspection_id,
            CaseType.slug,
            Question.code,
            Question.text,
            Question.recommendation_codes,
        )
        .select_from(used)
        .join(Question, Question.question_set_id == used.c.question_set_id)
        .join(QuestionSet, QuestionSet.id == Question.question_set_id)
        .join(CaseType, CaseType.id == QuestionSet.case_type_id)
        .order_by(used.c.inspection_id, CaseType.name, QuestionSet.version, Question.position)
    ):
        if codes and (inspection_id, slug, code) not in seen:
            seen.add((inspection_id, slug, code))
            found[inspection_id].questions.append(QuestionLink(slug, code, text, tuple(codes)))
    # Each inspection's own linked questions: the sets of its cases decide what is evidence.
    linked = [
        and_(Case.inspection_id == inspection_id, QuestionOutcomeRow.question_code.in_(codes))
        for inspection_id, evidence in found.items()
        if (codes := _linked(evidence.questions))
    ]
    if not linked:
        return found[review_id], found[baseline_id]
    for inspection_id, slug, code, outcome, number in db.session.execute(
        select(
            Case.inspection_id,
            CaseType.slug,
            QuestionOutcomeRow.question_code,
            QuestionOutcomeRow.outcome,
            func.count(),
        )
        .join(Case, Case.id == QuestionOutcomeRow.case_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(
            Case.inspection_id.in_(list(found)),
            Case.in_sample.is_(True),
            Case.status.in_(AUDITED),
            QuestionOutcomeRow.audit_round == 1,
            QuestionOutcomeRow.outcome.in_(APPLICABLE),
            or_(*linked),
        )
        .group_by(
            Case.inspection_id,
            CaseType.slug,
            QuestionOutcomeRow.question_code,
            QuestionOutcomeRow.outcome,
        )
    ):
        found[inspection_id].counts.append(OutcomeCount(slug, code, outcome, number))
    codes = _linked(found[review_id].questions)
    if codes:
        weak = _rows(
            _audited_outcomes_with_notes(
                [review_id],
                Case.id,
                Case.reference,
                CaseType.slug,
                QuestionOutcomeRow.question_code,
                QuestionOutcomeRow.outcome,
                Answer.note,
            ).where(
                QuestionOutcomeRow.outcome.in_(WEAK),
                QuestionOutcomeRow.question_code.in_(codes),
            )
        )
        # Named tuples, not the database's rows: reading a row's attributes by name is slow.
        found[review_id].weak.extend(map(WeakOutcome._make, weak))
    return found[review_id], found[baseline_id]


def _evidenced_cases(inspection_id: int, evidence: _Evidence) -> int:
    """Audited cases of the inspection with an applicable answer to a linked question."""
    codes = _linked(evidence.questions)
    if not codes:
        return 0
    return (
        db.session.scalar(
            select(func.count(Case.id)).where(
                Case.inspection_id == inspection_id,
                Case.in_sample.is_(True),
                Case.status.in_(AUDITED),
                exists().where(
                    QuestionOutcomeRow.case_id == Case.id,
                    QuestionOutcomeRow.audit_round == 1,
                    QuestionOutcomeRow.outcome.in_(APPLICABLE),
                    QuestionOutcomeRow.question_code.in_(codes),
                ),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class LinkedQuestion:
    """A question evidencing a recommendation: its counts now and at the baseline."""

    case_type: str
    question_id: str
    text: str
    met: int
    partly_met: int
    not_met: int
    applicable: int
    summary: str
    baseline_met: int | None = None
    baseline_applicable: int | None = None

    @property
    def share(self) -> Share:
        """Return the share of applicable cases that fully meet the question now."""
        return Share(self.met, self.applicable)

    @property
    def baseline_share(self) -> Share | None:
        """Return the baseline share, when the baseline was audited here."""
        if self.baseline_applicable is None or self.baseline_met is None:
            return None
        return Share(self.baseline_met, self.baseline_applicable)


@dataclass(frozen=True)
class RecommendationProgressRow:
    """Progress on one recommendation of the baseline inspection."""

    recommendation_id: int
    code: str
    kind: str
    chapter: str
    timescale: str
    text: str
    sub_points: tuple[str, ...]
    questions: tuple[LinkedQuestion, ...]
    met: int
    partly_met: int
    not_met: int
    applicable: int
    now_rate: float | None
    baseline_rate: float | None
    baseline_computed: bool
    baseline_source: str
    change: float | None
    suggestion: ProgressSuggestion
    weak_answers: tuple[WeakAnswer, ...]
    judgement: str
    narrative: str
    judged_by: str | None
    judged_at: datetime | None
    entered_baseline_rate: float | None = None
    entered_baseline_source: str = ""

    @property
    def now_share(self) -> Share:
        """Return the met rate now as a share of applicable answers (partly met counts half)."""
        return Share(self.met + 0.5 * self.partly_met, self.applicable)

    @property
    def now_percent(self) -> int | None:
        """Return the met rate now as a whole percentage (half up)."""
        return None if self.now_rate is None else whole_percent(self.now_rate)

    @property
    def baseline_percent(self) -> int | None:
        """Return the baseline met rate as a whole percentage (half up)."""
        return None if self.baseline_rate is None else whole_percent(self.baseline_rate)

    @property
    def change_points(self) -> int | None:
        """Return the change in whole percentage points (now minus baseline, both rounded)."""
        if self.now_percent is None or self.baseline_percent is None:
            return None
        return self.now_percent - self.baseline_percent

    @property
    def judgement_label(self) -> str:
        """Return the lead's judgement in words."""
        return Progress(self.judgement).label


@dataclass(frozen=True)
class RecommendationProgress:
    """Progress on every recommendation of the baseline inspection."""

    inspection_id: int
    baseline_id: int | None
    baseline_title: str | None
    baseline_audited_cases: int
    rows: tuple[RecommendationProgressRow, ...] = field(default=())


def recommendation_progress(
    inspection: Inspection, withhold: frozenset[int] = frozenset()
) -> RecommendationProgress:
    """Evidence, baseline, change, suggestion and judgement per baseline recommendation.

    Weak answers of the cases in ``withhold`` (see ``blind_case_ids``) are left out. A constant
    number of queries: recommendations, judgements, and two per inspection for the evidence
    (this one and the baseline).
    """
    baseline = inspection.baseline
    if baseline is None:
        return RecommendationProgress(inspection.id, None, None, 0)
    recommendations = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.inspection_id == baseline.id)
        .order_by(Recommendation.position, Recommendation.id)
    ).all()
    judgements = {
        j.recommendation_id: (j, name)
        for j, name in db.session.execute(
            select(RecommendationJudgement, User.name)
            .outerjoin(User, User.id == RecommendationJudgement.judged_by_id)
            .where(RecommendationJudgement.inspection_id == inspection.id)
        ).all()
    }
    codes = [r.code for r in recommendations]
    found, found_before = _evidence(inspection.id, baseline.id)
    now = recommendation_evidence(found.counts, found.questions, found.weak, codes=codes)
    base_cases = _evidenced_cases(baseline.id, found_before)
    before: dict[str, RecommendationEvidence] = (
        recommendation_evidence(
            found_before.counts, found_before.questions, found_before.weak, codes=codes
        )
        if base_cases
        else {}
    )
    rows = []
    for rec in recommendations:
        evidence = now[rec.code]
        judged, judged_by = judgements.get(rec.id, (None, None))
        base = before.get(rec.code)
        base_by_question = {(q.case_type, q.question_id): q for q in base.questions} if base else {}
        if base is not None and base.applicable:
            baseline_rate: float | None = base.met_rate
            computed = True
            source = (
                f"Computed from {base.applicable} applicable answers in the audited cases of "
                f"{baseline.title}"
            )
        elif judged is not None and judged.baseline_rate is not None:
            baseline_rate, computed = judged.baseline_rate, False
            source = judged.baseline_source or "Entered by the lead"
        else:
            baseline_rate, computed, source = None, False, "No baseline rate"
        rows.append(
            RecommendationProgressRow(
                recommendation_id=rec.id,
                code=rec.code,
                kind=rec.kind,
                chapter=rec.chapter,
                timescale=rec.timescale,
                text=rec.text,
                sub_points=tuple(rec.sub_points or ()),
                questions=tuple(
                    LinkedQuestion(
                        case_type=q.case_type,
                        question_id=q.question_id,
                        text=q.question_text,
                        met=q.met,
                        partly_met=q.partly_met,
                        not_met=q.not_met,
                        applicable=q.applicable,
                        summary=q.summary,
                        baseline_met=(
                            base_by_question[(q.case_type, q.question_id)].met
                            if (q.case_type, q.question_id) in base_by_question
                            else None
                        ),
                        baseline_applicable=(
                            base_by_question[(q.case_type, q.question_id)].applicable
                            if (q.case_type, q.question_id) in base_by_question
                            else None
                        ),
                    )
                    for q in evidence.questions
                ),
                met=evidence.met,
                partly_met=evidence.partly_met,
                not_met=evidence.not_met,
                applicable=evidence.applicable,
                now_rate=evidence.met_rate,
                baseline_rate=baseline_rate,
                baseline_computed=computed,
                baseline_source=source,
                change=rate_change(evidence.met_rate, baseline_rate),
                suggestion=suggest_progress(evidence.met_rate, baseline_rate),
                weak_answers=tuple(w for w in evidence.weak_answers if w.case_id not in withhold),
                judgement=judged.judgement if judged else str(Progress.NOT_ASSESSED),
                narrative=(judged.narrative or "") if judged else "",
                judged_by=judged_by,
                judged_at=judged.judged_at if judged else None,
                entered_baseline_rate=judged.baseline_rate if judged else None,
                entered_baseline_source=(judged.baseline_source or "") if judged else "",
            )
        )
    return RecommendationProgress(
        inspection.id, baseline.id, baseline.title, base_cases, tuple(rows)
    )


def baseline_recommendation(inspection: Inspection, recommendation_id: int) -> Recommendation:
    """A recommendation of the inspection's baseline (FindingsError otherwise)."""
    rec = db.session.get(Recommendation, recommendation_id)
    if rec is None or inspection.baseline_id is None or rec.inspection_id != inspection.baseline_id:
        raise FindingsError("not a recommendation of this inspection's baseline")
    return rec


def record_recommendation_judgement(
    inspection: Inspection,
    recommendation: Recommendation,
    by: User,
    *,
    judgement: str,
    narrative: str,
    baseline_rate: float | None = None,
    baseline_source: str | None = None,
) -> RecommendationJudgement:
    """Record (or change) the lead's judgement of progress on a recommendation, audit-logged."""
    Progress(judgement)  # ValueError for an unknown judgement
    if baseline_rate is not None and not 0 <= baseline_rate <= 1:
        raise FindingsError("baseline rate must be between 0% and 100%")
    if baseline_rate is not None and not (baseline_source or "").strip():
        raise FindingsError("say where the baseline rate comes from")
    row = db.session.scalar(
        select(RecommendationJudgement).where(
            RecommendationJudgement.inspection_id == inspection.id,
            RecommendationJudgement.recommendation_id == recommendation.id,
        )
    )
    if row is None:
        row = RecommendationJudgement(
            inspection_id=inspection.id, recommendation_id=recommendation.id
        )
        db.session.add(row)
    new = {
        "judgement": judgement,
        "narrative": narrative.strip() or None,
        "baseline_rate": baseline_rate,
        "baseline_source": (baseline_source or "").strip() or None,
    }
    for name, value in new.items():
        old = getattr(row, name)
        if old != value:
            record_event(
                "record_judgement",
                "recommendation_judgement",
                user=by,
                entity_id=recommendation.code,
                inspection_id=inspection.id,
                field=name,
                old=old,
                new=value,
            )
            setattr(row, name, value)
    row.judged_by_id = by.id
    row.judged_at = utcnow()
    db.session.flush()
    return row


# --- chapters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChapterFinding:
    """A chapter's suggested judgement, and the lead's override if any."""

    chapter: str
    suggestion: ChapterSuggestion
    override: str | None
    override_reason: str
    judged_by: str | None
    judged_at: datetime | None

    @property
    def judgement(self) -> ChapterGrade | None:
        """Return the judgement that stands: the lead's override, else the suggestion."""
        return ChapterGrade(self.override) if self.override else self.suggestion.judgement


@dataclass(frozen=True)
class ChapterFindings:
    """Every chapter's judgement under the inspection's rule."""

    inspection_id: int
    rule: ChapterRule
    chapters: tuple[ChapterFinding, ...]


def chapter_rule(inspection: Inspection) -> ChapterRule:
    """The inspection's chapter rule (documented defaults when none is stored)."""
    return ChapterRule.from_dict(inspection.chapter_rule)


def _chapter_map(
    inspection: Inspection, sets: Iterable[QuestionSetFindings]
) -> dict[str, list[QuestionFinding]]:
    """Chapters in report order, each with its key questions.

    With a baseline, chapters are its recommendations' chapters and a chapter's key questions
    are those linked to one of its recommendations. Without one, each case type is a chapter
    and its critical questions are the key questions.
    """
    sets = list(sets)
    chapters: dict[str, list[QuestionFinding]] = {}
    if inspection.baseline_id is not None:
        recs = db.session.execute(
            select(Recommendation.code, Recommendation.chapter)
            .where(Recommendation.inspection_id == inspection.baseline_id)
            .order_by(Recommendation.position, Recommendation.id)
        ).all()
        chapter_of = {code: chapter for code, chapter in recs}
        for _, chapter in recs:
            chapters.setdefault(chapter, [])
        for found in sets:
            for question in found.questions:
                for chapter in dict.fromkeys(
                    chapter_of[c] for c in question.recommendation_codes if c in chapter_of
                ):
                    chapters[chapter].append(question)
    if not chapters:
        for found in sets:
            if found.kind == "case":
                chapters[found.case_type_name] = [q for q in found.questions if q.critical]
    return chapters


def chapter_findings(inspection: Inspection) -> ChapterFindings:
    """Suggested chapter judgements with their deciding questions, and any overrides."""
    rule = chapter_rule(inspection)
    sets = question_findings(inspection.id)
    set_names = {found.question_set_id: found.case_type_name for found in sets}
    overrides = {
        j.chapter: (j, name)
        for j, name in db.session.execute(
            select(ChapterJudgement, User.name)
            .outerjoin(User, User.id == ChapterJudgement.judged_by_id)
            .where(ChapterJudgement.inspection_id == inspection.id)
        ).all()
    }
    chapters = []
    for chapter, questions in _chapter_map(inspection, sets).items():
        keys = [
            KeyQuestionRate(set_names[q.question_set_id], q.code, q.text, q.met, q.applicable)
            for q in questions
        ]
        override, judged_by = overrides.get(chapter, (None, None))
        chapters.append(
            ChapterFinding(
                chapter=chapter,
                suggestion=suggest_chapter(chapter, keys, rule),
                override=override.judgement if override else None,
                override_reason=override.reason if override else "",
                judged_by=judged_by,
                judged_at=override.judged_at if override else None,
            )
        )
    return ChapterFindings(inspection.id, rule, tuple(chapters))


def record_chapter_judgement(
    inspection: Inspection, chapter: str, by: User, *, judgement: str | None, reason: str
) -> ChapterJudgement | None:
    """Override a chapter's suggested judgement with a reason, or clear the override.

    ``judgement`` None removes the override (the suggestion stands again). Audit-logged.
    """
    row = db.session.scalar(
        select(ChapterJudgement).where(
            ChapterJudgement.inspection_id == inspection.id, ChapterJudgement.chapter == chapter
        )
    )
    old = row.judgement if row else None
    if judgement is None:
        if row is not None:
            db.session.delete(row)
            record_event(
                "clear_chapter_judgement",
                "chapter_judgement",
                user=by,
                entity_id=chapter,
                inspection_id=inspection.id,
                field="judgement",
                old=old,
                new=None,
            )
        db.session.flush()
        return None
    ChapterGrade(judgement)
    if not reason.strip():
        raise FindingsError("give a reason for the judgement")
    if row is None:
        row = ChapterJudgement(inspection_id=inspection.id, chapter=chapter, judgement=judgement)
        db.session.add(row)
    row.judgement = judgement
    row.reason = reason.strip()
    row.judged_by_id = by.id
    row.judged_at = utcnow()
    record_event(
        "record_chapter_judgement",
        "chapter_judgement",
        user=by,
        entity_id=chapter,
        inspection_id=inspection.id,
        field="judgement",
        old=old,
        new=f"{judgement}: {row.reason}",
    )
    db.session.flush()
    return row


def update_chapter_rule(inspection: Inspection, by: User, rule: ChapterRule) -> None:
    """Store the inspection's chapter rule (switch it on or off, thresholds), audit-logged."""
    old = inspection.chapter_rule
    inspection.chapter_rule = rule.to_dict()
    record_event(
        "update_chapter_rule",
        "inspection",
        user=by,
        entity_id=inspection.id,
        inspection_id=inspection.id,
        field="chapter_rule",
        old=old,
        new=rule.to_dict(),
    )
    db.session.flush()


# --- case studies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseStudy:
    """A case flagged as a case study, with its narrative."""

    case_id: int
    reference: str
    case_type: str
    status: str
    grade: str | None
    provisional: bool
    narrative: str


@dataclass(frozen=True)
class CaseStudyChapter:
    """The case studies of one chapter."""

    chapter: str
    studies: tuple[CaseStudy, ...]


def case_studies(
    inspection: Inspection, withhold: frozenset[int] = frozenset()
) -> list[CaseStudyChapter]:
    """Flagged case studies grouped by chapter, in report order.

    A case study's chapter is the chapter most of its question set's questions are linked to
    (through the baseline's recommendations; ties go to the earlier chapter); without a
    baseline, its case type.
    """
    cases = cases_frame(inspection.id)
    flagged = cases[cases["is_case_study"] & ~cases["case_id"].isin(list(withhold))]
    if flagged.empty:
        return []
    sets = question_findings(inspection.id)
    chapters = _chapter_map(inspection, sets)
    order = list(chapters)
    chapter_of_set: dict[int, str] = {}
    for found in sets:
        tally = {
            chapter: sum(1 for q in questions if q.question_set_id == found.question_set_id)
            for chapter, questions in chapters.items()
        }
        best = max(tally.items(), key=lambda item: (item[1], -order.index(item[0])), default=None)
        chapter_of_set[found.question_set_id] = (
            best[0] if best and best[1] else found.case_type_name
        )
    grouped: dict[str, list[CaseStudy]] = {}
    for row in flagged.itertuples():
        set_id = int(row.question_set_id) if pd.notna(row.question_set_id) else -1
        chapter = chapter_of_set.get(set_id, str(row.case_type))
        grouped.setdefault(chapter, []).append(
            CaseStudy(
                case_id=int(row.case_id),
                reference=str(row.reference),
                case_type=str(row.case_type),
                status=str(row.status),
                grade=row.grade if isinstance(row.grade, str) else None,
                provisional=not bool(row.moderated),
                narrative=str(row.case_study_narrative or ""),
            )
        )
    ranked = sorted(grouped, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [CaseStudyChapter(chapter, tuple(grouped[chapter])) for chapter in ranked]
