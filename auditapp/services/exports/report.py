"""The printable report's data: headline, grades by case type, then chapter by chapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from auditapp.domain.aggregation import WeightedHeadline
from auditapp.domain.statistics import READING_NOTE
from auditapp.extensions import db
from auditapp.models import CaseType, Inspection
from auditapp.services import findings
from auditapp.services.exports.figures import (
    agreement_rows,
    answer_sections,
    strata_rows,
    summary_rows,
)


@dataclass(frozen=True)
class ReportChapter:
    """A chapter of the report: its judgement, recommendations and case studies."""

    title: str
    judgement: str | None
    judgement_reason: str
    recommendations: tuple[Any, ...]  # findings.RecommendationProgressRow
    case_studies: tuple[Any, ...]  # findings.CaseStudy


@dataclass(frozen=True)
class Report:
    """Everything the printable report shows, in reading order, from the findings.

    ``summary`` and ``agreement`` are the rows of the exports' summary and agreement tables
    (the summary without its per-auditor rows).
    """

    inspection: Inspection
    headline: str
    provisional: bool
    provisional_note: str  # the dashboard's: how many grades are provisional and why
    summary: list[dict[str, Any]]
    chapters: tuple[ReportChapter, ...]
    baseline_title: str | None
    agreement: list[dict[str, Any]]
    case_type_names: dict[str, str]
    generated_at: datetime
    strata: list[dict[str, Any]] = field(default_factory=list)  # the exports' strata table
    weighted: WeightedHeadline | None = None
    answers: tuple[tuple[str, list[tuple[str, str, str]]], ...] = ()
    reading_note: tuple[str, ...] = READING_NOTE


def report_data(inspection: Inspection) -> Report:
    """Gather the report: headline, grades by case type, then chapter by chapter."""
    board = findings.dashboard(inspection.id)
    progress = findings.recommendation_progress(inspection)
    chapter_findings = findings.chapter_findings(inspection)
    # Chapter judgements appear only where the inspection uses the chapter rule.
    chapter_judgements = (
        {c.chapter: c for c in chapter_findings.chapters} if chapter_findings.rule.enabled else {}
    )
    studies = {group.chapter: group.studies for group in findings.case_studies(inspection)}
    recommendations: dict[str, list[Any]] = {}
    for row in progress.rows:
        recommendations.setdefault(row.chapter, []).append(row)
    order = list(dict.fromkeys([*recommendations, *chapter_judgements, *studies]))
    chapters = []
    for title in order:
        judged = chapter_judgements.get(title)
        if judged is not None and judged.override:
            reason = f"Lead's judgement: {judged.override_reason}"
        else:
            reason = judged.suggestion.reason if judged is not None else ""
        chapters.append(
            ReportChapter(
                title=title,
                # "Not enough evidence" when no key question has enough cases, as on the page.
                judgement=judged.judgement_label if judged is not None else None,
                judgement_reason=reason,
                recommendations=tuple(recommendations.get(title, ())),
                case_studies=tuple(studies.get(title, ())),
            )
        )
    case_types = db.session.execute(select(CaseType.slug, CaseType.name))
    return Report(
        inspection=inspection,
        headline=board.headline,
        provisional=board.provisional,
        provisional_note=board.provisional_note,
        summary=[row for row in summary_rows(inspection) if row["grouping"] != "Auditor"],
        chapters=tuple(chapters),
        baseline_title=progress.baseline_title,
        agreement=agreement_rows(inspection),
        case_type_names={row.slug: row.name for row in case_types},
        generated_at=datetime.now(UTC),
        strata=strata_rows(inspection),
        weighted=findings.stratified_headline(inspection.id),
        answers=tuple(answer_sections(inspection)),
    )
