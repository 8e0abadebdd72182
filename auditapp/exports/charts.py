"""Charts for the printable report as inline SVG built in Python: no JavaScript, no inline styles.

The strict CSP forbids ``style=`` attributes, so bar lengths are SVG geometry (``width``), which
browsers and WeasyPrint draw alike. Every chart carries a ``<title>`` and the same figures are
printed in a table beside it, so nothing is shown only as a picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# GOV.UK Frontend tag colours, so the bars match the grade tags on screen.
GRADE_COLOURS = {
    "good": "#00703c",
    "requires_improvement": "#ffdd00",
    "inadequate": "#d4351c",
    "ungraded": "#b1b4b6",
}
_GRADE_WORDS = {
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "ungraded": "Not yet graded",
}
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
    for key in ("good", "requires_improvement", "inadequate", "ungraded"):
        body.append(_rect(x, 4, 12, 12, GRADE_COLOURS[key]))
        body.append(_text(x + 16, 14, _GRADE_WORDS[key]))
        x += 16 + 7.2 * len(_GRADE_WORDS[key]) + 16
    for index, bar in enumerate(bars):
        top = legend_height + index * row_height
        body.append(_text(0, top + 11, bar.label, weight="bold" if index == 0 else "normal"))
        left = 0.0
        bar_top = top + label_height
        for key in ("good", "requires_improvement", "inadequate", "ungraded"):
            count = getattr(bar, key)
            if bar.total and count:
                share = plot * count / bar.total
                body.append(_rect(left, bar_top, share, bar_height, GRADE_COLOURS[key]))
                left += share
        body.append(_text(plot + 6, bar_top + 12, str(bar.total)))
    summary = "; ".join(
        f"{bar.label}: {bar.good} good, {bar.requires_improvement} requires improvement, "
        f"{bar.inadequate} inadequate" + (f", {bar.ungraded} not graded" if bar.ungraded else "")
        for bar in bars
    )
    return _svg(width, height, f"Grades of audited cases. {summary}", body)


def rate_chart(baseline: int | None, now: int | None, *, width: int = 640) -> Markup:
    """Two bars out of 100%: the met rate at baseline and now (a missing rate is not drawn)."""
    baseline_label = "Baseline"
    label_width, bar_height, gap = 90, 16, 8
    plot = width - label_width - 50
    rows = [(baseline_label, baseline, _BASELINE), ("This review", now, _NOW)]
    height = len(rows) * (bar_height + gap) + 4
    body: list[str] = []
    for index, (label, rate, colour) in enumerate(rows):
        top = 2 + index * (bar_height + gap)
        body.append(_text(0, top + 12, label[:18]))
        body.append(_rect(label_width, top, plot, bar_height, "#f3f2f1"))
        if rate is not None:
            body.append(_rect(label_width, top, plot * rate / 100, bar_height, colour))
        body.append(
            _text(label_width + plot + 6, top + 12, "no data" if rate is None else f"{rate}%")
        )
    words = ", ".join(
        f"{label} {'no data' if rate is None else f'{rate}%'}" for label, rate, _ in rows
    )
    return _svg(width, height, f"Share of answers met: {words}", body)
