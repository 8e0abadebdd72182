"""The findings, dashboard and agreement pages' figures as export rows, never recomputed.

Every figure comes from ``auditapp.services.findings`` and ``auditapp.services.moderation``,
the functions those pages call, so each exported figure equals the one on screen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from auditapp.domain.percentages import whole_percent
from auditapp.models import Inspection, RecommendationKind
from auditapp.services import findings, moderation, sampling


def _agreement_percent(fraction: float | None) -> int | None:
    """Agreement as the agreement page shows it: a whole percentage rounded half up."""
    return None if fraction is None else whole_percent(fraction)


def headline_text(inspection: Inspection) -> str:
    """The dashboard's headline, e.g. "24 cases audited: 6 good (25%), …"."""
    board = findings.dashboard(inspection.id)
    return board.headline + (" (provisional)" if board.provisional else "")


def summary_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """The dashboard's grade counts: all audited cases, then by case type and by auditor."""
    board = findings.dashboard(inspection.id)
    groups = [("All", board.overall)]
    groups += [("Case type", b) for b in board.by_case_type]
    groups += [("Auditor", b) for b in board.by_auditor]
    rows = []
    for grouping, breakdown in groups:
        row: dict[str, Any] = {
            "grouping": grouping,
            "group": breakdown.label,
            "cases": breakdown.cases,
            "graded": breakdown.graded,
            "ungraded": breakdown.ungraded,
            "provisional": breakdown.provisional,
        }
        for count in breakdown.grades:
            row[count.grade] = int(count.share.count)
            row[f"pct_{count.grade}"] = count.share.percent
            # The interval the dashboard shows ("95% CI 35%-72%"), from the same Share.
            row[f"ci_{count.grade}"] = count.share.ci_text or None
        rows.append(row)
    return rows


def findings_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """The findings page's per-question figures, one row per question of each set used."""
    return [
        {
            "case_type": found.case_type_name,
            "version": found.version,
            "cases": found.cases,
            "question_id": q.code,
            "section": q.section,
            "question_text": q.text,
            "critical": q.critical,
            "recommendations": ", ".join(q.recommendation_codes),
            "met": q.met,
            "partly_met": q.partly_met,
            "not_met": q.not_met,
            "not_applicable": q.not_applicable,
            "recorded": q.recorded,
            "applicable": q.applicable,
            "pct_met": q.share.percent if q.shows_outcomes else None,
            "ci": q.share.ci_text if q.shows_outcomes else "",
            "summary": q.summary,
            "answers": q.answers.text if q.answers else "",
            "median": q.answers.median if q.answers else None,
            "low": q.answers.low if q.answers else None,
            "high": q.answers.high if q.answers else None,
            "within_target": q.answers.within if q.answers else None,
        }
        for found in findings.question_findings_with_answers(inspection.id)
        for q in found.questions
    ]


def answer_sections(inspection: Inspection) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The questions not judged met or not met, per set: (case type, [(code, text, answers)]),
    the figures the question findings page shows for them."""
    sections = []
    for found in findings.question_findings_with_answers(inspection.id):
        rows = [
            (q.code, q.text, q.answers.text if q.answers else q.summary)
            for q in found.questions
            if not q.shows_outcomes
        ]
        if rows:
            sections.append((f"{found.case_type_name}, version {found.version}", rows))
    return sections


def shown_number(value: Decimal | None) -> int | float | None:
    """A figure as the pages show it, as a spreadsheet number (whole numbers as ints)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def recommendation_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """The findings page's progress on each baseline recommendation.

    Rates and the change are the numbers the page shows (``ProgressFigures``), never
    recomputed: a change of +27.5 points on the page is 27.5 here.
    """
    rows = []
    for rec in findings.recommendation_progress(inspection).rows:
        f = rec.figures
        rows.append(
            {
                "code": rec.code,
                "kind": RecommendationKind(rec.kind).label,
                "chapter": rec.chapter,
                "timescale": rec.timescale,
                "text": rec.text,
                "compared_questions": ", ".join(q.question_id for q in f.compared),
                "rate": shown_number(f.now_percent),
                "baseline_rate": shown_number(f.baseline_percent),
                "baseline_source": rec.baseline_source,
                "change": shown_number(f.change_points),
                "now_cases": f.now_cases,
                "baseline_cases": f.baseline_cases,
                "min_cases": f.min_cases,
                "new_evidence": "; ".join(
                    f"{q.question_id}: {q.summary} ({q.now_text})" for q in rec.new_evidence
                ),
                "suggestion": f.suggestion.judgement.label,
                "suggestion_reason": f.suggestion.reason,
                "judgement": rec.judgement_label,
                "narrative": rec.narrative or None,
                "judged_by": rec.judged_by,
                "judged_at": rec.judged_at,
            }
        )
    return rows


def agreement_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """The agreement page's figures: moderated vs first grades, second vs first audits."""
    figures = moderation.agreement_figures(inspection.id)
    rows = []
    for comparison, agreement_table in (
        ("Lead's moderated grade v auditor's grade", figures.moderation),
        ("Second audit's grade v first audit's grade", figures.second_audits),
    ):
        groups = [("All", "All cases", agreement_table.overall)]
        groups += [("Auditor", name, a) for name, a in agreement_table.by_auditor.items()]
        groups += [("Case type", name, a) for name, a in agreement_table.by_case_type.items()]
        for grouping, group, figure in groups:
            rows.append(
                {
                    "comparison": comparison,
                    "grouping": grouping,
                    "group": group,
                    "compared": figure.compared,
                    "agreed": figure.agreed,
                    "disagreed": figure.disagreed,
                    "percent": _agreement_percent(figure.percent),
                    "kappa": figure.kappa,
                    "linear_kappa": figure.linear_kappa,
                    "quadratic_kappa": figure.quadratic_kappa,
                }
            )
    for question in figures.questions:
        q = question.figures
        rows.append(
            {
                "comparison": "Second audit's outcome v first audit's outcome",
                "grouping": "Question",
                "group": f"{question.case_type} {q.question_id}: {question.text}",
                "compared": q.compared,
                "agreed": q.agreed,
                "disagreed": q.disagreed,
                "percent": _agreement_percent(q.percent) if q.compared else None,
                "kappa": q.kappa,
                "linear_kappa": None,
                "quadratic_kappa": None,
            }
        )
    return rows


def strata_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """The sampling page's frame and sample per stratum (``sampling.stratum_rows``), as rows.

    The fraction is the page's percentage to one place, as a number.
    """
    return [
        {
            "case_type": row.case_type,
            "stratified_by": row.column,
            "stratum": row.stratum,
            "frame": row.frame,
            "sample": row.sample,
            "fraction": None if row.fraction is None else round(row.fraction * 100, 1),
            "fraction_text": row.fraction_text,
        }
        for row in sampling.stratum_rows(inspection)
    ]
