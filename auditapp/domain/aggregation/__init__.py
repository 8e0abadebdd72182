"""Counts across cases: grade distribution, per-question outcomes, per-recommendation evidence.

Inputs are rows the database has already counted (one grouped SQL query each: a few dozen rows
whatever the number of cases), so every figure here is a sum over small tuples; nothing here
knows about the database. Small samples are reported as counts ("met in 1 of 5 applicable
cases"), as HMICFRS reports do. One module per task:

- ``counting``: whole percentages and plural nouns, shared by the others;
- ``grades``: counted case rows, tallies per grade, the headline and each group's shares;
- ``dashboard``: the dashboard's figures by case type and auditor, and progress of the work;
- ``questions``: each question's outcome counts and their summary in words;
- ``recommendations``: the evidence for each recommendation, with its weak answers.

The names below are the package's public interface: import them from here.
"""

from auditapp.domain.aggregation.counting import percent
from auditapp.domain.aggregation.dashboard import (
    NOT_ASSIGNED,
    DashboardFigures,
    WorkProgress,
    auditor_labels,
    dashboard_figures,
    work_progress,
)
from auditapp.domain.aggregation.grades import (
    CaseCount,
    GradeBreakdown,
    GradeCount,
    GradeTally,
    StratumGrades,
    WeightedGrade,
    WeightedHeadline,
    grade_breakdown,
    grade_distribution,
    headline,
    provisional_note,
    weighted_headline,
)
from auditapp.domain.aggregation.questions import (
    OutcomeCount,
    QuestionOutcomes,
    outcome_summary,
    question_outcomes,
)
from auditapp.domain.aggregation.recommendations import (
    QuestionEvidence,
    QuestionLink,
    RecommendationEvidence,
    WeakAnswer,
    WeakOutcome,
    recommendation_evidence,
)

__all__ = [
    "NOT_ASSIGNED",
    "CaseCount",
    "DashboardFigures",
    "GradeBreakdown",
    "GradeCount",
    "GradeTally",
    "OutcomeCount",
    "QuestionEvidence",
    "QuestionLink",
    "QuestionOutcomes",
    "RecommendationEvidence",
    "StratumGrades",
    "WeakAnswer",
    "WeakOutcome",
    "WeightedGrade",
    "WeightedHeadline",
    "WorkProgress",
    "auditor_labels",
    "dashboard_figures",
    "grade_breakdown",
    "grade_distribution",
    "headline",
    "outcome_summary",
    "percent",
    "provisional_note",
    "question_outcomes",
    "recommendation_evidence",
    "weighted_headline",
    "work_progress",
]
