"""What the Word draft holds, in reading order, before it is written to a file.

Every generated sentence carries its ``Note``: the figure it states, the function that computed
it and the cases behind it, so a reader can trace each number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True)
class Note:
    """Where a sentence's figure comes from: the figure, its source and the cases behind it."""

    figure: str
    source: str
    cases: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The note as the notes section prints it."""
        text = f"{self.figure} Source: {self.source}."
        if self.cases:
            text += f" Cases: {', '.join(self.cases)}."
        return text


@dataclass(frozen=True)
class Sentence:
    """A sentence of the draft, with the note that traces its figure (None for quoted text)."""

    text: str
    note: Note | None = None


@dataclass(frozen=True)
class ReportItem:
    """A plain item from beyond the case files (an evidence-log entry, an action of the force's
    plan), placed under its chapter or recommendation.

    ``chapter`` is the chapter title; ``recommendation`` a code such as "R2" (its chapter is
    then the recommendation's). With neither, the item goes in the introduction. ``source``
    names where it is recorded, for its note.
    """

    text: str
    chapter: str | None = None
    recommendation: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart from ``exports.charts`` (SVG) and the words that describe it (alternative text)."""

    svg: Markup
    description: str


@dataclass(frozen=True)
class RecommendationDraft:
    """A recommendation, quoted, with its progress sentence, chart, judgement and narrative."""

    code: str
    heading: str
    text: str
    sub_points: tuple[str, ...]
    progress: Sentence
    chart: Chart | None
    judgement: Sentence
    narrative: tuple[str, ...]


@dataclass(frozen=True)
class CaseStudyDraft:
    """A case study: a line naming the case, then the auditor's narrative."""

    caption: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ChapterDraft:
    """One chapter: recommendations, the chapter judgement, findings sentences, case studies."""

    title: str
    recommendations: tuple[RecommendationDraft, ...]
    judgement: Sentence | None
    findings: tuple[Sentence, ...]
    case_studies: tuple[CaseStudyDraft, ...]


@dataclass(frozen=True)
class Draft:
    """The whole draft: cover, introduction and method, summary table and chart, chapters."""

    title: str
    force: str
    subtitle: str
    generated_at: datetime
    method: tuple[Sentence, ...]
    headline: Sentence
    summary_header: tuple[str, ...]
    summary_rows: tuple[tuple[Any, ...], ...]
    grade_chart: Chart
    chapters: tuple[ChapterDraft, ...]
    # The dashboard's note on provisional grades ("" when none is provisional).
    provisional_note: str = ""
    # Frame and sample per stratum (sampling.stratum_rows), when any draw was stratified.
    strata: tuple[tuple[Any, ...], ...] = ()
    notes_heading: str = "Notes on the figures"
    extra: dict[str, Any] = field(default_factory=dict)
