"""One change, everywhere: for any rates and counts, the page, the chart, the API and the
exports show the same figures as the reason sentence, and no sentence contradicts them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditapp.api.routes import recommendation_json
from auditapp.domain.recommendations import (
    MINUS,
    CaseGroup,
    LinkedQuestionCounts,
    ProgressFigures,
    QuestionCounts,
    progress_figures,
)
from auditapp.exports import charts
from auditapp.services.exports.figures import shown_number
from auditapp.services.findings import RecommendationProgressRow
from tests.unit.test_progress_figures import check_reason_against_figures


def _row(figures: ProgressFigures) -> RecommendationProgressRow:
    return RecommendationProgressRow(
        recommendation_id=1, code="R1", kind="recommendation", chapter="Initial contact",
        timescale="immediately", text="Text.", sub_points=(), questions=(), met=0,
        partly_met=0, not_met=0, applicable=0, figures=figures, baseline_source="Computed",
        weak_answers=(), weak_answer_count=0, judgement="not_assessed", narrative="",
        judged_by=None, judged_at=None,
    )  # fmt: skip


def _plain(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def _points_number(text: str) -> Decimal | None:
    if text == "\u2013":
        return None
    return Decimal(text.split()[0].replace(MINUS, "-").lstrip("+"))


counts = st.tuples(st.integers(0, 30), st.integers(0, 6), st.integers(0, 30))


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    questions=st.lists(st.tuples(counts, st.one_of(st.none(), counts)), min_size=1, max_size=4),
    min_cases=st.integers(1, 6),
)
def test_page_chart_api_and_exports_show_the_same_change_as_the_reason(
    app: Flask,
    questions: list[tuple[tuple[int, int, int], tuple[int, int, int] | None]],
    min_cases: int,
) -> None:
    linked = [
        LinkedQuestionCounts(
            "da", f"Q{i}", QuestionCounts(*now), QuestionCounts(*before) if before else None
        )
        for i, (now, before) in enumerate(questions)
    ]
    now_groups = [
        CaseGroup("da", frozenset({q.question_id}), q.now.applicable)
        for q in linked
        if q.now.applicable
    ]
    base_groups = [
        CaseGroup("da", frozenset({q.question_id}), q.baseline.applicable)
        for q in linked
        if q.baseline and q.baseline.applicable
    ]
    f = progress_figures(
        linked, now_groups=now_groups, baseline_groups=base_groups, min_cases=min_cases
    )
    reason = f.suggestion.reason
    check_reason_against_figures(
        reason, f.suggestion.judgement, f.now_text, f.baseline_text, f.change_text
    )

    # The page: the summary row's cells, rendered by the template macro the page uses.
    macros: Any = app.jinja_env.get_template("findings/_progress.html").module
    cells = [_plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", str(macros.summary_cells(f)))]
    assert cells[:3] == [f.baseline_text, f.now_text, f.change_text]
    assert cells[4] == f.suggestion.judgement.label
    detail = _plain(str(macros.detail_rows(_row(f))))
    assert f"Change {f.change_text if f.change is not None else 'Not known'}" in detail
    assert reason in detail.replace("&#39;", "'").replace("&#34;", '"')

    # The chart: its labels and title carry the same texts.
    svg = str(charts.rate_chart(f))
    title = re.search(r"<title>(.*?)</title>", svg)
    assert title is not None
    if f.change is not None:
        assert f"change {f.change_text}" in title.group(1)
        assert f.now_text in svg and f.baseline_text in svg

    # The API: the shown numbers and words, and the unrounded change they come from.
    api = recommendation_json(_row(f))
    assert api["change_text"] == f.change_text and api["suggested"]["reason"] == reason
    shown = _points_number(f.change_text)
    assert api["change_points"] == (None if shown is None else float(shown))
    if f.change is not None:
        assert api["change"] == float(f.change)

    # The workbook and CSV: the same number as the words (a float prints as that decimal).
    cell = shown_number(f.change_points)
    assert (None if cell is None else Decimal(repr(cell))) == shown
