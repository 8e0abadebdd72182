"""The national view: the grades of many inspections side by side and all together, and their
per-question figures summed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditapp.domain.aggregation import (
    CaseCount,
    GradeBreakdown,
    GradeTally,
    grade_breakdown,
    grade_distribution,
    headline,
)
from auditapp.services.findings import queries
from auditapp.services.findings.questions import QuestionSetFindings, question_findings_over


@dataclass(frozen=True)
class InspectionGrades:
    """One inspection's grades in the national view."""

    inspection_id: int
    headline: str
    grades: GradeBreakdown
    # Counted grades that are provisional (``GradeTally.provisional_grades``).
    provisional_grades: int


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
        found = queries.rows(
            queries.national_counts_statement(), {"inspection_ids": list(inspection_ids)}
        )
        counts = [queries.case_count(row) for row in found]
    tallies = grade_distribution(counts, by=lambda row: str(row.inspection_id))
    none = grade_distribution([])["total"]  # an inspection with no audited case yet

    def grades(inspection_id: int, key: str, label: str, tally: GradeTally) -> InspectionGrades:
        return InspectionGrades(
            inspection_id,
            headline(tally),
            grade_breakdown(key, label, tally),
            tally.provisional_grades,
        )

    return NationalFindings(
        inspections=tuple(
            grades(i, str(i), str(i), tallies.get(str(i), none))
            for i in dict.fromkeys(inspection_ids)
        ),
        total=grades(0, "all", "All inspections", grade_distribution(counts)["total"]),
    )


def national_question_findings(inspection_ids: Sequence[int]) -> list[QuestionSetFindings]:
    """Outcome counts per question over the audited cases of all these inspections together.

    The figures of ``question_findings`` summed across the inspections, per question set
    and question (two queries, whatever the number of inspections and cases).
    """
    return question_findings_over(list(dict.fromkeys(inspection_ids))) if inspection_ids else []
