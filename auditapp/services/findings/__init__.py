"""Findings of an inspection: grades, per-question figures, recommendation progress, chapters,
case studies and the national view, one module per task; this package re-exports them.

Each public function runs a fixed number of SQL queries whatever the number of cases (counts
are aggregated in SQL where there is one row per answer, in ``queries``) and returns plain
frozen dataclasses, so the pages, the JSON API and the exports show the same figures.
"""

from __future__ import annotations

from auditapp.domain.aggregation import NOT_ASSIGNED, GradeBreakdown
from auditapp.services.findings.answers import question_findings_with_answers, with_answers
from auditapp.services.findings.case_studies import CaseStudy, CaseStudyChapter, case_studies
from auditapp.services.findings.chapters import (
    ChapterFinding,
    ChapterFindings,
    chapter_findings,
    chapter_rule,
    record_chapter_judgement,
    update_chapter_rule,
)
from auditapp.services.findings.errors import FindingsError
from auditapp.services.findings.grades import (
    CaseRef,
    Dashboard,
    blind_case_ids,
    case_counts,
    cases_frame,
    cases_with_grade,
    dashboard,
    stratified_headline,
)
from auditapp.services.findings.national import (
    InspectionGrades,
    NationalFindings,
    national_findings,
    national_question_findings,
)
from auditapp.services.findings.queries import APPLICABLE, AUDITED, WEAK
from auditapp.services.findings.questions import (
    LISTABLE_OUTCOMES,
    QuestionFinding,
    QuestionSetFindings,
    answer_value_words,
    cases_with_outcome,
    question_finding,
    question_findings,
)
from auditapp.services.findings.recommendations import (
    LinkedQuestion,
    RecommendationProgress,
    RecommendationProgressRow,
    baseline_recommendation,
    recommendation_progress,
    record_recommendation_judgement,
)

__all__ = [
    "APPLICABLE",
    "AUDITED",
    "LISTABLE_OUTCOMES",
    "NOT_ASSIGNED",
    "WEAK",
    "CaseRef",
    "CaseStudy",
    "CaseStudyChapter",
    "ChapterFinding",
    "ChapterFindings",
    "Dashboard",
    "FindingsError",
    "GradeBreakdown",
    "InspectionGrades",
    "LinkedQuestion",
    "NationalFindings",
    "QuestionFinding",
    "QuestionSetFindings",
    "RecommendationProgress",
    "RecommendationProgressRow",
    "answer_value_words",
    "baseline_recommendation",
    "blind_case_ids",
    "case_counts",
    "case_studies",
    "cases_frame",
    "cases_with_grade",
    "cases_with_outcome",
    "chapter_findings",
    "chapter_rule",
    "dashboard",
    "national_findings",
    "national_question_findings",
    "question_finding",
    "question_findings",
    "question_findings_with_answers",
    "recommendation_progress",
    "record_chapter_judgement",
    "record_recommendation_judgement",
    "stratified_headline",
    "update_chapter_rule",
    "with_answers",
]
