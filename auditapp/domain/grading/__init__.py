"""Grading one case: the default rule and its explanation, one task to a module.

``case_grade`` applies the rule (``grade_case`` -> ``CaseGrade``); ``outcomes`` turns each answer
into met, partly met or not met and says when a question is critical for the case;
``timeliness`` measures the timeliness checks; ``thresholds`` names the unverified thresholds a
lead confirms; ``proposals`` says which grades an auditor may propose.

The names below are the package's public interface: import them from here.
"""

from auditapp.domain.grading.case_grade import CaseGrade, grade_case
from auditapp.domain.grading.outcomes import QuestionOutcome, critical_words, question_outcomes
from auditapp.domain.grading.proposals import (
    CURRENT_RISK_REFUSAL,
    allowed_grades,
    proposal_refusal,
)
from auditapp.domain.grading.thresholds import threshold_key, unverified_thresholds
from auditapp.domain.grading.timeliness import check_elapsed, measured_end

__all__ = [
    "CURRENT_RISK_REFUSAL",
    "CaseGrade",
    "QuestionOutcome",
    "allowed_grades",
    "check_elapsed",
    "critical_words",
    "grade_case",
    "measured_end",
    "proposal_refusal",
    "question_outcomes",
    "threshold_key",
    "unverified_thresholds",
]
