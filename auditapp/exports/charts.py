"""Charts for the printable report as inline SVG built in Python: no JavaScript, no inline styles.

The strict CSP forbids ``style=`` attributes, so bar lengths are SVG geometry (``width``), which
browsers and WeasyPrint draw alike. Every chart carries a ``<title>`` and the same figures are
printed in a table beside it, so nothing is shown only as a picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from auditapp.domain.grades import UNGRADED_CASES_HEADING, Grade, grade_label
from auditapp.domain.recommendations import ProgressFigures

# The bars' key for cases with no grade yet (the grades' keys are their stored values).
UNGRADED = "ungraded"

# GOV.UK Frontend tag colours, so the bars match the grade tags on screen.
GRADE_COLOURS = {
    Grade.GOOD: "#00703c",
    Grade.REQUIRES_IMPROVEMENT: "#ffdd00",
    Grade.INADEQUATE: "#d4351c",
    UNGRADED: "#b1b4b6",
}
# The bars' segments in order: the grades, best first, then the cases not yet graded.
_SEGMENTS = (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE, UNGRADED)
_TEXT = "#0b0c0c"
_BASELINE = "#505a5f"
_NOW = "#1d70b8"


@dataclass(frozen=True)
class GradeBar:
    """One bar of the grade chart: a label and its case counts per grade."""

    label: str
    good: int
    requires_improvement: int
    inadequate: int
    ungraded: int = 0

    @property
    def total(self) -> int:
        """All cases in the bar."""
        return self.good + self.requires_improvement + self.inadequate + self.ungraded


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-report-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every value above is escaped


def _text(x: float, y: float, words: str, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" font-family="sans-serif" '
        f'fill="{_TEXT}" text-anchor="{anchor}" font-weight="{weight}">{escape(words)}</text>'
    )


def _rect(x: float, y: float, width: float, height: float, colour: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" '
        f'fill="{colour}" stroke="{_TEXT}" stroke-width="0.5"/>'
    )


def _segment_words(key: str) -> str:
    return UNGRADED_CASES_HEADING if key == UNGRADED else grade_label(key)


def grade_chart(bars: Sequence[GradeBar], *, width: int = 640) -> Markup:
    """Stacked horizontal bars: each row's cases split by grade, as a share of that row.

    Each bar's label sits above it, so long case-type names are never cut short.
    """
    bar_height, label_height, gap, legend_height = 16, 15, 8, 26
    plot = width - 50
    row_height = label_height + bar_height + gap
    height = legend_height + len(bars) * row_height + 4
    body: list[str] = []
    x = 0.0
    for key in _SEGMENTS:
        words = _segment_words(key)
        body.append(_rect(x, 4, 12, 12, GRADE_COLOURS[key]))
        body.append(_text(x + 16, 14, words))
        x += 16 + 7.2 * len(words) + 16
    for index, bar in enumerate(bars):
        top = legend_height + index * row_height
        body.append(_text(0, top + 11, bar.label, weight="bold" if index == 0 else "normal"))
        left = 0.0
        bar_top = top + label_height
        for key in _SEGMENTS:
            count = getattr(bar, key)
            if bar.total and count:
                share = plot * count / bar.total
                body.append(_rect(left, bar_top, share, bar_height, GRADE_COLOURS[key]))
                left += share
        body.append(_text(plot + 6, bar_top + 12, str(bar.total)))
    summary = "; ".join(
        f"{bar.label}: "
        + ", ".join(f"{getattr(bar, grade)} {grade.label.lower()}" for grade in Grade)
        + (f", {bar.ungraded} not graded" if bar.ungraded else "")
        for bar in bars
    )
    return _svg(width, height, f"Grades of audited cases. {summary}", body)


def rate_chart(figures: ProgressFigures, *, width: int = 640) -> Markup:
    """Two bars out of 100%: a recommendation's met rate at baseline and now, labelled with the
    figures as the pages write them, and the change in the title (a missing rate is not drawn).
    """
    label_width, bar_height, gap = 90, 16, 8
    plot = width - label_width - 90
    rows = [
        ("Baseline", figures.baseline_rate, figures.baseline_text, _BASELINE),
        ("This review", figures.now_rate, figures.now_text, _NOW),
    ]
    height = len(rows) * (bar_height + gap) + 4
    body: list[str] = []
    for index, (label, rate, text, colour) in enumerate(rows):
        top = 2 + index * (bar_height + gap)
        body.append(_text(0, top + 12, label[:18]))
        body.append(_rect(label_width, top, plot, bar_height, "#f3f2f1"))
        if rate is not None:
            body.append(_rect(label_width, top, plot * float(rate), bar_height, colour))
        body.append(_text(label_width + plot + 6, top + 12, "no data" if rate is None else text))
    words = ", ".join(
        f"{label} {'no data' if rate is None else text}" for label, rate, text, _ in rows
    )
    change = f"; change {figures.change_text}" if figures.change is not None else ""
    return _svg(width, height, f"Met rate: {words}{change}", body)
