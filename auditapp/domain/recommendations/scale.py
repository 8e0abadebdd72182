"""The judgement scales: progress on a recommendation, its kinds, and chapter grades."""

from __future__ import annotations

from enum import StrEnum


class Progress(StrEnum):
    """The judgement scale of progress on a recommendation (IRP scale plus not assessed).

    ``INSUFFICIENT_EVIDENCE`` is only ever suggested: the lead records one of the others.
    """

    NOT_ASSESSED = "not_assessed"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"
    NO_MEANINGFUL_PROGRESS = "no_meaningful_progress"
    INSUFFICIENT_PROGRESS = "insufficient_progress"
    REASONABLE_PROGRESS = "reasonable_progress"
    GOOD_PROGRESS = "good_progress"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "Reasonable progress"."""
        if self is Progress.NOT_ASSESSED:
            return "Not yet assessed"
        if self is Progress.INSUFFICIENT_EVIDENCE:
            return "Insufficient evidence to judge"
        return _sentence(self.value)


# What a lead may record (the suggestion alone may say "insufficient evidence to judge").
LEAD_JUDGEMENTS = tuple(p for p in Progress if p is not Progress.INSUFFICIENT_EVIDENCE)


class RecommendationKind(StrEnum):
    """Recommendations and areas for improvement of an inspection are both followed up."""

    RECOMMENDATION = "recommendation"
    AREA_FOR_IMPROVEMENT = "area_for_improvement"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "Area for improvement"."""
        return _sentence(self.value)


class ChapterGrade(StrEnum):
    """A chapter judgement on the four-point scale."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "Requires improvement"."""
        return _sentence(self.value)


def _sentence(value: str) -> str:
    return value.replace("_", " ").capitalize()
