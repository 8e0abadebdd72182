"""Cases and their grades: the dashboard, the case counts behind it, and the cases behind a figure.

Which cases count: a case counts once it is *audited* (in the sample and submitted or
moderated; drafts only count in the progress figures). A case's grade is the grade the figures
use (``domain.grades.figure_grade``); figures that include any grade not yet moderated, or
resting on an unverified threshold the inspection has not confirmed, are *provisional*
(``domain.grades.figure_grade_is_provisional``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd
from sqlalchemy import select

from auditapp.domain.aggregation import (
    NOT_ASSIGNED,
    CaseCount,
    DashboardFigures,
    StratumGrades,
    WeightedHeadline,
    dashboard_figures,
    weighted_headline,
)
from auditapp.domain.grades import Grade, figure_grade_is_provisional
from auditapp.extensions import db
from auditapp.models import Case, SecondAudit, SecondAuditStatus
from auditapp.services.findings import queries
from auditapp.services.sampling.figures import stratify_columns, stratum_of

# The columns of cases_frame, in order.
CASE_COLUMNS = (
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
    "provisional",
    "is_case_study",
    "case_study_narrative",
    "question_set_id",
)


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


def cases_frame(inspection_id: int) -> pd.DataFrame:
    """Every sampled case of the inspection, one row each (one query).

    Columns: case_id, reference, case_type (name), case_type_slug, kind ("case" or
    "dip_sample"), auditor_id, auditor, status, final_grade, grade (the grade the figures use),
    moderated (bool), provisional (bool: ``figure_grade_is_provisional``), is_case_study,
    case_study_narrative, question_set_id.
    """
    found = queries.rows(queries.sampled_cases_statement(), {"inspection_id": inspection_id})
    # Two auditors can share a display name: tell them apart by email so their figures stay apart.
    ids_by_name: dict[str, set[int]] = {}
    for row in found:
        if row.auditor_id is not None:
            ids_by_name.setdefault(row.auditor_name, set()).add(row.auditor_id)
    records = []
    for row in found:
        auditor = row.auditor_name or NOT_ASSIGNED
        if row.auditor_id is not None and len(ids_by_name[row.auditor_name]) > 1:
            auditor = f"{row.auditor_name} ({row.auditor_email})"
        records.append(
            {
                "case_id": row.case_id,
                "reference": row.reference,
                "case_type": row.case_type,
                "case_type_slug": row.case_type_slug,
                "kind": row.kind,
                "auditor_id": row.auditor_id,
                "auditor": auditor,
                "status": row.status,
                "final_grade": row.final_grade,
                "grade": row.grade,
                "moderated": bool(row.moderated),  # SQLite answers 0 or 1
                "provisional": figure_grade_is_provisional(
                    bool(row.moderated), bool(row.unconfirmed)
                ),
                "is_case_study": bool(row.is_case_study),
                "case_study_narrative": row.case_study_narrative,
                "question_set_id": row.question_set_id,
            }
        )
    return pd.DataFrame.from_records(records, columns=list(CASE_COLUMNS))


def _graded_audited(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[(cases["kind"] == "case") & cases["status"].isin(queries.AUDITED)]


def case_counts(inspection_id: int) -> list[CaseCount]:
    """The inspection's sampled cases counted per case type, auditor, status and grade.

    One grouped query: a few dozen rows whatever the number of cases.
    """
    found = queries.rows(queries.case_counts_statement(), {"inspection_id": inspection_id})
    return [queries.case_count(row) for row in found]


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


def stratified_headline(inspection_id: int) -> WeightedHeadline | None:
    """The headline's grades weighted for the sampling, when strata were sampled at unequal
    fractions (None otherwise). Strata are each graded case type, or the values of the column
    its latest stratified draw used: types never stratified are counted in SQL, and only
    stratified ones are read case by case (two or three queries)."""
    column_of = stratify_columns(inspection_id)
    cells: dict[str, list[int]] = {}  # stratum name -> frame, sampled
    grades: dict[str, dict[str, int]] = {}

    def add(name: str, in_sample: bool, status: str, grade: str | None, cases: int) -> None:
        cell = cells.setdefault(name, [0, 0])
        cell[0] += cases
        if in_sample:
            cell[1] += cases
            if status in queries.AUDITED and grade:
                tally = grades.setdefault(name, {})
                tally[grade] = tally.get(grade, 0) + cases

    params = {"inspection_id": inspection_id}
    for row in queries.rows(queries.frame_counts_statement(), params):
        if not column_of.get(row.case_type_id):
            add(row.case_type, bool(row.in_sample), row.status, row.grade, int(row.cases))
    stratified = [type_id for type_id, column in column_of.items() if column]
    if stratified:
        params_by_case = {**params, "case_type_ids": stratified}
        for row in queries.rows(queries.stratified_cases_statement(), params_by_case):
            column = column_of[row.case_type_id]
            name = f"{row.case_type}: {column} {stratum_of(row.attributes, column)}"
            add(name, bool(row.in_sample), row.status, row.grade, 1)
    return weighted_headline(
        StratumGrades(name, frame, sampled, grades.get(name, {}))
        for name, (frame, sampled) in sorted(cells.items())
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
            + (" (provisional)" if row.provisional else ""),
        )
        for row in counted.itertuples()
        if int(row.case_id) not in withhold
    ]
