"""The Word draft's content: sentences built from the findings' figures with the wording files.

Every number comes from a figure function the pages use (``services.exports.report_data``,
``findings.dashboard``, ``findings.question_findings``, ``findings.cases_with_grade``,
``findings.cases_with_outcome``, ``sampling.draw_batches``); nothing here counts or divides.
The wording (``auditapp/data/report_wording/*.yaml``) only decides how each figure is said.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from markupsafe import Markup

from auditapp.domain.grades import Grade
from auditapp.domain.recommendations import QuestionUse
from auditapp.domain.report_wording import Wording, load_wording
from auditapp.exports import charts
from auditapp.exports.docx.content import (
    CaseStudyDraft,
    ChapterDraft,
    Chart,
    Draft,
    Note,
    RecommendationDraft,
    Sentence,
)
from auditapp.models import Inspection, RecommendationKind
from auditapp.services import findings, sampling
from auditapp.services.exports import report_data

WORDING_DIRECTORY = Path(__file__).resolve().parents[2] / "data" / "report_wording"


@cache
def _read_wording(directory: Path, stamp: tuple[tuple[str, int, int], ...]) -> Wording:
    """Wording read once per version of the files (``stamp``: names, sizes, times)."""
    del stamp  # part of the cache key only
    return load_wording(directory)


def draft_wording() -> Wording:
    """The wording files in use (``REPORT_WORDING_DIR``, else the library), checked on load.

    An edited file is read again on the next draft: no restart is needed.
    """
    configured = current_app.config.get("REPORT_WORDING_DIR")
    directory = Path(configured) if configured else WORDING_DIRECTORY
    stamp = tuple(
        (path.name, path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(directory.glob("*.yaml"))
    )
    return _read_wording(directory, stamp)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


class _CaseLookup:
    """The cases behind question figures, read once per question (``cases_with_outcome``)."""

    def __init__(self, inspection_id: int) -> None:
        self.inspection_id = inspection_id
        self.sets = findings.question_findings(inspection_id)
        self._read: dict[tuple[str, str], tuple[str, ...]] = {}

    def question(self, case_type: str, code: str) -> tuple[str, ...]:
        """Each applicable case of the question, with its outcome, e.g. "DY-2022-0001 (met)"."""
        if (case_type, code) not in self._read:
            self._read[(case_type, code)] = self._cases(case_type, code)
        return self._read[(case_type, code)]

    def _cases(self, case_type: str, code: str) -> tuple[str, ...]:
        refs: list[str] = []
        for found in self.sets:
            if found.case_type == case_type and any(q.code == code for q in found.questions):
                refs += [
                    f"{case.reference} ({case.detail.lower()})"
                    for case in findings.cases_with_outcome(
                        self.inspection_id, found.question_set_id, code, "applicable"
                    )
                ]
        return tuple(refs)


def _method(
    inspection: Inspection, wording: Wording, board: Any, lookup: _CaseLookup
) -> list[Sentence]:
    """The introduction's method: the review, sample size, case types and how cases were drawn."""
    period = inspection.start_date.strftime("%B %Y") if inspection.start_date else "this period"
    values = {"force": inspection.force, "title": inspection.title, "period": period}
    baseline = inspection.baseline
    if baseline is not None:
        review = wording.get("method.review").render({**values, "baseline_title": baseline.title})
    else:
        review = wording.get("method.review_no_baseline").render(values)
    sentences = [Sentence(review)]
    total = board.progress_total
    names = [_lower_first(p.label) for p in board.progress]
    sentences.append(
        Sentence(
            wording.get("method.sample").render(
                {
                    "sampled": total.sampled,
                    "case_types": len(board.progress),
                    "case_type_list": ", ".join(names[:-1]) + " and " + names[-1]
                    if len(names) > 1
                    else "".join(names),
                }
            ),
            Note(
                f"Sampled cases: {total.sampled}, of {len(board.progress)} case types ("
                + ", ".join(f"{p.label} {p.sampled}" for p in board.progress)
                + ").",
                "the dashboard's progress of the work (findings.dashboard)",
            ),
        )
    )
    draws = [line for batch in sampling.draw_batches(inspection) for line in batch.lines]
    for line in draws:
        key = "method.stratified" if line.draw.stratify_by else "method.draw"
        text = wording.get(key).render({"draw": line.text, "column": line.draw.stratify_by or ""})
        sentences.append(
            Sentence(
                text,
                Note(f"Draw: {line.text}.", "the sampling page's draws (sampling.draw_batches)"),
            )
        )
    if not draws:
        sentences.append(
            Sentence(
                wording.get("method.no_draw").render({"sampled": total.sampled}),
                Note(
                    f"Sampled cases: {total.sampled}; no random draw is recorded.",
                    "the sampling page's draws (sampling.draw_batches)",
                ),
            )
        )
    for found in lookup.sets:
        if found.kind != "dip_sample" or not found.cases:
            continue
        sentences.append(
            Sentence(
                wording.get("method.dip_sample").render(
                    {"cases": found.cases, "case_type": _lower_first(found.case_type_name)}
                ),
                Note(
                    f"{found.case_type_name}: {found.cases} audited records.",
                    "the question findings (findings.question_findings)",
                ),
            )
        )
    return sentences


def _headline(inspection: Inspection, wording: Wording, overall: dict[str, Any]) -> Sentence:
    """The headline sentence from the dashboard's overall grade counts, with every case named."""
    values = {"cases": overall["cases"], **{grade.value: overall[grade] for grade in Grade}}
    refs = [
        f"{case.reference} ({case.detail.lower()})"
        for grade in Grade
        for case in findings.cases_with_grade(inspection.id, grade)
    ]
    figure = f"{overall['cases']} cases audited: " + ", ".join(
        f"{overall[grade]} {grade.label.lower()}" for grade in Grade
    )
    return Sentence(
        wording.get("method.audited").render(values),
        Note(figure + ".", "the findings dashboard's headline (findings.dashboard)", tuple(refs)),
    )


def _progress(row: Any, wording: Wording, lookup: _CaseLookup) -> Sentence:
    """A recommendation's progress figures in words, noted with the compared questions' cases."""
    f = row.figures
    compared = [q for q in row.questions if q.use is QuestionUse.COMPARED]
    rate_questions = compared or [q for q in row.questions if q.now_rate is not None]
    refs = tuple(
        sorted({ref for q in rate_questions for ref in lookup.question(q.case_type, q.question_id)})
    )
    questions = ", ".join(f"{q.question_id} ({q.summary})" for q in rate_questions)
    if f.now_rate is not None and f.baseline_rate is not None and f.change is not None:
        text = wording.get("progress.compared").render(
            {
                "now": f.now_text,
                "baseline": f.baseline_text,
                "change": f.change_text,
                "questions": len(f.compared),
                "now_cases": f.now_cases,
                "baseline_cases": f.baseline_cases if f.baseline_cases is not None else "no",
            }
        )
    elif f.now_rate is not None:
        text = wording.get("progress.now_only").render(
            {"now": f.now_text, "questions": len(f.rate_questions), "now_cases": f.now_cases}
        )
    else:
        return Sentence(wording.get("progress.no_evidence").render({}))
    baseline = f.baseline_rate is not None
    figure = (
        f"{row.code} met rate {f.now_text} now"
        + (f", {f.baseline_text} at the baseline ({row.baseline_source})" if baseline else "")
        + (f", change {f.change_text}" if f.change is not None else "")
        + f"; questions {questions}. Suggested: {f.suggestion.judgement.label}."
    )
    return Sentence(
        text,
        Note(
            figure,
            "the recommendation progress page (findings.recommendation_progress)",
            tuple(refs),
        ),
    )


def _variant(met: int, partly_met: int, applicable: int) -> str:
    if met == applicable:
        return "all"
    return "none" if met == 0 and partly_met == 0 else "some"


def _question_sentences(
    rows: Iterable[Any], wording: Wording, lookup: _CaseLookup, names: dict[str, str]
) -> list[Sentence]:
    """One sentence per question linked to the chapter's recommendations, once each."""
    seen: set[tuple[str, str]] = set()
    sentences = []
    for row in rows:
        for q in row.questions:
            key = (q.case_type, q.question_id)
            if key in seen or not q.applicable:
                continue
            seen.add(key)
            case_type = names.get(q.case_type, q.case_type)
            template = wording.question(
                q.case_type, q.question_id, _variant(q.met, q.partly_met, q.applicable)
            )
            text = template.render(
                {
                    "met": q.met,
                    "partly_met": q.partly_met,
                    "not_met": q.not_met,
                    "applicable": q.applicable,
                    "case_type": _lower_first(case_type),
                    "question": q.text,
                }
            )
            figure = f"{case_type} {q.question_id} ({q.text}): {q.summary}, not met in {q.not_met}."
            sentences.append(
                Sentence(
                    text,
                    Note(
                        figure,
                        "the question findings (findings.question_findings, via "
                        f"findings.recommendation_progress); wording {template.file}, "
                        f"line {template.line}",
                        lookup.question(q.case_type, q.question_id),
                    ),
                )
            )
    return sentences


def _recommendation(row: Any, wording: Wording, lookup: _CaseLookup) -> RecommendationDraft:
    judgement = wording.get("progress.judgement").render({"judgement": row.judgement_label})
    by = f" by {row.judged_by}" if row.judged_by else ""
    return RecommendationDraft(
        code=row.code,
        heading=f"{RecommendationKind(row.kind).label} {row.code} ({row.timescale})",
        text=row.text,
        sub_points=tuple(row.sub_points),
        progress=_progress(row, wording, lookup),
        chart=_chart(charts.rate_chart(row.figures)),
        judgement=Sentence(
            judgement,
            Note(
                f"{row.code}: judgement {row.judgement_label}, recorded{by}; the rule suggested "
                f"{row.figures.suggestion.judgement.label}: {row.figures.suggestion.reason}",
                "the lead's judgement on the recommendation progress page",
            ),
        ),
        narrative=tuple(p.strip() for p in (row.narrative or "").split("\n\n") if p.strip()),
    )


def svg_title(svg: str) -> str:
    """The chart's own description, its SVG <title> (charts.py writes the figures there)."""
    start, end = svg.find("<title>"), svg.find("</title>")
    return html.unescape(svg[start + len("<title>") : end]) if start >= 0 else ""


def _chart(svg: Markup) -> Chart:
    """A chart with its SVG title as the alternative text."""
    return Chart(svg, svg_title(svg))


def build_draft(inspection: Inspection) -> Draft:
    """The Word draft's content for an inspection, from the findings and the wording files."""
    wording = draft_wording()
    report = report_data(inspection)
    board = findings.dashboard(inspection.id)
    lookup = _CaseLookup(inspection.id)
    overall = report.summary[0]
    chapters = []
    for chapter in report.chapters:
        judgement = None
        if chapter.judgement:
            judgement = Sentence(
                wording.get("chapter.judgement").render(
                    {
                        "judgement": chapter.judgement,
                        "reason": chapter.judgement_reason,
                    }
                ),
                Note(
                    f"{chapter.title}: {chapter.judgement}.",
                    "the chapters page (findings.chapter_findings)",
                ),
            )
        chapters.append(
            ChapterDraft(
                title=chapter.title,
                recommendations=tuple(
                    _recommendation(row, wording, lookup) for row in chapter.recommendations
                ),
                judgement=judgement,
                findings=tuple(
                    _question_sentences(
                        chapter.recommendations, wording, lookup, report.case_type_names
                    )
                ),
                case_studies=tuple(_case_study(study) for study in chapter.case_studies),
            )
        )
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
    grade_svg = charts.grade_chart(bars)
    header = ("Case type", "Cases", *(g.label for g in Grade), "Not yet graded")
    rows = tuple(
        (
            row["group"],
            row["cases"],
            *(
                f"{row[g]}" + (f" ({row['pct_' + g]}%)" if row["pct_" + g] is not None else "")
                for g in Grade
            ),
            row["ungraded"],
        )
        for row in report.summary
    )
    subtitle = inspection.force
    if inspection.start_date:
        subtitle += f", {inspection.start_date:%-d %B %Y}"
        if inspection.end_date:
            subtitle += f" to {inspection.end_date:%-d %B %Y}"
    strata = tuple(
        (row.case_type, row.column, row.stratum, row.frame, row.sample, row.fraction_text)
        for row in sampling.stratum_rows(inspection)
    )
    return Draft(
        title=inspection.title,
        force=inspection.force,
        subtitle=subtitle,
        generated_at=report.generated_at,
        method=tuple(_method(inspection, wording, board, lookup)),
        headline=_headline(inspection, wording, overall),
        summary_header=header,
        summary_rows=rows,
        grade_chart=_chart(grade_svg),
        chapters=tuple(chapters),
        provisional_note=report.provisional_note,
        strata=strata if any(row[1] for row in strata) else (),
    )


def _case_study(study: Any) -> CaseStudyDraft:
    grade = f", graded {Grade(study.grade).label.lower()}" if study.grade else ""
    provisional = " (provisional)" if study.grade and study.provisional else ""
    return CaseStudyDraft(
        caption=f"{study.case_type}, case {study.reference}{grade}{provisional}.",
        paragraphs=tuple(p.strip() for p in study.narrative.split("\n\n") if p.strip()),
    )
