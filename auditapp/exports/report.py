"""The printable report: rendered as HTML for the browser and as PDF with WeasyPrint.

WeasyPrint renders from the HTML string. Its URL fetcher serves our own static files from disk
and refuses every other URL, so making a PDF never touches the network.
"""

from __future__ import annotations

import math
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from auditapp.domain.grades import Grade
from auditapp.exports import charts
from auditapp.models import Inspection, RecommendationKind
from auditapp.services.exports import Report, report_data

# WeasyPrint resolves relative URLs against this made-up origin; nothing is ever fetched from it.
PDF_BASE_URL = "http://report.invalid/"


class StaticFilesOnly(URLFetcher):
    """Serve the app's static files from disk; refuse any other URL (no network, no files)."""

    def __init__(self, static_folder: str | Path, static_url_path: str) -> None:
        super().__init__(allowed_protocols=["http"])
        self._root = Path(static_folder).resolve()
        self._prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return the static file the URL names, or raise ValueError."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != PDF_BASE_URL or not parts.path.startswith(
            self._prefix
        ):
            raise ValueError(f"the report may only use the app's static files, not {url}")
        path = (self._root / parts.path.removeprefix(self._prefix)).resolve()
        if not path.is_relative_to(self._root) or not path.is_file():
            raise ValueError(f"no static file {parts.path}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


def _recommendation(row: Any, report: Report) -> dict[str, Any]:
    """One recommendation's figures in the words the findings page shows (ProgressFigures)."""
    f = row.figures
    return {
        "code": row.code,
        "kind": RecommendationKind(row.kind).label,
        "timescale": row.timescale,
        "text": row.text,
        "sub_points": row.sub_points,
        "questions": [
            {
                "case_type": report.case_type_names.get(q.case_type, q.case_type),
                "question_id": q.question_id,
                "text": q.text,
                "summary": q.summary + (f" ({q.now_text})" if q.now_rate is not None else ""),
                "baseline": (
                    q.baseline_summary
                    + (f" ({q.baseline_text})" if q.baseline_rate is not None else "")
                ),
                "change": q.change_text,
                "use": q.use.label,
            }
            for q in row.questions
        ],
        "figures": f,
        "baseline_source": row.baseline_source,
        "suggestion": f.suggestion.judgement.label,
        "suggestion_reason": f.suggestion.reason,
        "judgement": row.judgement_label,
        "narrative_paragraphs": _paragraphs(row.narrative),
        "chart": charts.rate_chart(f),
    }


def _case_study(study: Any) -> dict[str, Any]:
    grade = Grade(study.grade).label.lower() if study.grade else None
    return {
        "reference": study.reference,
        "case_type": study.case_type,
        "grade": grade + (" (provisional)" if study.provisional else "") if grade else None,
        "paragraphs": _paragraphs(study.narrative),
    }


def _paragraphs(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split("\n\n") if part.strip()]


def _number_text(value: Any, places: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    return f"{float(value):.{places}f}" if places else f"{int(value)}"


def report_context(inspection: Inspection) -> dict[str, Any]:
    """The report template's context: figures from the findings, shaped for reading."""
    report = report_data(inspection)
    bars = [
        charts.GradeBar(
            row["group"],
            row[Grade.GOOD],
            row[Grade.REQUIRES_IMPROVEMENT],
            row[Grade.INADEQUATE],
            row[charts.UNGRADED],
        )
        for row in report.summary
    ]
    chapters = [
        {
            "title": chapter.title,
            "judgement": chapter.judgement,
            "judgement_reason": chapter.judgement_reason,
            "recommendations": [_recommendation(r, report) for r in chapter.recommendations],
            "case_studies": [_case_study(s) for s in chapter.case_studies],
        }
        for chapter in report.chapters
    ]
    agreement_rows = [
        {
            "comparison": row["comparison"],
            "group": row["group"],
            "compared": row["compared"],
            "percent": _number_text(row["percent"]),
            "kappa": _number_text(row["kappa"], 2),
        }
        for row in report.agreement
        if row["grouping"] in ("All", "Case type")
    ]
    return {
        "report": report,
        "summary_rows": report.summary,
        "grades": list(Grade),
        "grade_chart": charts.grade_chart(bars),
        "chapters": chapters,
        "agreement_rows": agreement_rows,
    }


def render_report_html(inspection: Inspection, *, for_pdf: bool = False) -> str:
    """The report as an HTML page: in the site's layout, or standalone for the PDF."""
    return render_template(
        "exports/report.html",
        inspection=inspection,
        layout="exports/report_pdf_layout.html" if for_pdf else "base.html",
        for_pdf=for_pdf,
        **report_context(inspection),
    )


def render_report_pdf(inspection: Inspection) -> bytes:
    """The report as PDF bytes, rendered from the standalone HTML with local files only."""
    html = render_report_html(inspection, for_pdf=True)
    fetcher = StaticFilesOnly(
        current_app.static_folder or "", url_for("static", filename="").rstrip("/")
    )
    pdf: bytes = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf()
    return pdf
