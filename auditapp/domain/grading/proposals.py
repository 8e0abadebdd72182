"""The grades an auditor may propose for a case, and why the rule refuses the others."""

from __future__ import annotations

from auditapp.domain.grades import Grade
from auditapp.domain.grading.case_grade import CaseGrade

CURRENT_RISK_REFUSAL = (
    "A case with a child at current risk is inadequate: a lead must remove the flag "
    "before a different grade can be proposed"
)


def allowed_grades(grade: CaseGrade) -> tuple[Grade, ...]:
    """The grades an auditor may give a case with this grade: the choices check-and-submit
    offers and the proposals submitting accepts.

    A child at current risk makes the case inadequate whatever else is proposed (the limiting
    rule above): only a lead removing the flag opens the other grades again.
    """
    if grade.current_risk:
        return (Grade.INADEQUATE,)
    return tuple(Grade)


def proposal_refusal(grade: CaseGrade, proposal: Grade) -> str | None:
    """Why the rule refuses this proposed grade for the case, or None when it is allowed."""
    if proposal in allowed_grades(grade):
        return None
    return CURRENT_RISK_REFUSAL
