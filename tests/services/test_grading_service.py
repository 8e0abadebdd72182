"""Grading a stored case keeps the grade, its explanation and every question's outcome."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import QuestionOutcomeRow
from auditapp.services.grading import regrade_case
from auditapp.services.question_sets import question_set_data
from tests import factories


def test_regrade_stores_outcome_for_every_question(inspection: Any, auditor: Any) -> None:
    case = factories.make_case(inspection, "DA-0001", auditor=auditor)
    qs = question_set_data(case.question_set)
    rows = db.session.scalars(
        select(QuestionOutcomeRow).where(QuestionOutcomeRow.case_id == case.id)
    ).all()
    assert {r.question_code for r in rows} == {q.id for q in qs.questions}
    assert case.computed_explanation is not None
    assert case.computed_explanation["provisional"] is True


def test_current_risk_flag_makes_stored_grade_inadequate(inspection: Any, auditor: Any) -> None:
    case = factories.make_case(inspection, "DA-0002", auditor=auditor)
    case.current_risk = True
    result = regrade_case(case)
    assert case.computed_grade == "inadequate"
    assert result.current_risk is True
