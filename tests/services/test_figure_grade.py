"""The grade the figures use: its SQL twin, run in the database, agrees with the Python rule,
and the exports' case rows read it from that twin."""

from __future__ import annotations

from itertools import product
from typing import Any

from sqlalchemy import select

from auditapp.domain.grades import Grade, figure_grade, figure_grade_is_final
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus
from auditapp.services.exports import records
from auditapp.services.findings import queries
from tests import factories

GRADES = (None, *Grade)
# Every status with every computed, proposed and final grade (or none): 3 x 4 x 4 x 4 cases.
COMBINATIONS = list(product(CaseStatus, GRADES, GRADES, GRADES))


def _every_combination(inspection: Any) -> dict[str, Case]:
    """One sampled case per status and computed, proposed and final grade, by reference."""
    qs = factories.question_set()
    cases = {
        f"FG-{number:03d}": Case(
            inspection_id=inspection.id,
            case_type_id=qs.case_type_id,
            question_set_id=qs.id,
            reference=f"FG-{number:03d}",
            in_sample=True,
            status=status,
            computed_grade=computed,
            proposed_grade=proposed,
            final_grade=final,
        )
        for number, (status, computed, proposed, final) in enumerate(COMBINATIONS)
    }
    db.session.add_all(cases.values())
    db.session.flush()
    return cases


def test_sql_figure_grade_agrees_with_python_for_every_status_and_grade(inspection: Any) -> None:
    cases = _every_combination(inspection)
    moderated, grade = queries.graded_case_columns()
    found = db.session.execute(
        select(Case.reference, grade, moderated).where(Case.inspection_id == inspection.id)
    ).all()

    assert len(found) == len(COMBINATIONS) == 3 * 4 * 4 * 4
    for row in found:
        status, computed, proposed, final = COMBINATIONS[int(row.reference[3:])]
        expected = figure_grade(status, computed, proposed, final)
        where = f"status={status}, computed={computed}, proposed={proposed}, final={final}"
        assert row.grade == expected, where
        assert bool(row.moderated) is figure_grade_is_final(status, final), where
        assert cases[row.reference].grade == expected, where  # Case.grade uses the same rule


def test_exported_case_rows_use_the_figure_grade_for_every_status_and_grade(
    inspection: Any,
) -> None:
    _every_combination(inspection)

    rows = records.case_rows(inspection)

    assert len(rows) == len(COMBINATIONS)
    for row in rows:
        status, computed, proposed, final = COMBINATIONS[int(row["reference"][3:])]
        expected = figure_grade(status, computed, proposed, final)
        where = f"status={status}, computed={computed}, proposed={proposed}, final={final}"
        assert row["grade"] == (Grade(expected).label if expected else None), where
