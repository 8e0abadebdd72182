"""Progress against an earlier inspection's recommendations, and chapter judgements.

Two documented, configurable rules (README, "Findings rules"):

**Suggested progress judgement** for one recommendation, from the met rate of its linked
questions now and at the baseline (partly met counts half); ``change`` is now minus baseline:

1. no applicable answer in this review -> not assessed ("no evidence in this review");
2. no baseline rate (not audited in the app and none entered) -> not assessed ("no baseline");
3. now >= ``good_rate`` (80%) and change >= -``some_change`` (no real fall) -> good progress;
4. change >= ``reasonable_change`` (+10 points) -> reasonable progress;
5. change >= ``some_change`` (+5 points) -> insufficient progress;
6. otherwise -> no meaningful progress.

The lead always records the judgement; the suggestion is a hint.

**Chapter judgement** (optional per inspection): a chapter takes its judgement from its lowest
key question, by the share of applicable cases that fully meet it: at least ``outstanding``
(80%) outstanding, ``good`` (65%) good, ``requires_improvement`` (50%) requires improvement,
else inadequate. Key questions with fewer than ``min_applicable`` applicable cases are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from auditapp.domain.percentages import whole_percent

_TOLERANCE = 1e-9


class Progress(StrEnum):
    """The judgement scale of progress on a recommendation (IRP scale plus not assessed)."""

    NOT_ASSESSED = "not_assessed"
    NO_MEANINGFUL_PROGRESS = "no_meaningful_progress"
    INSUFFICIENT_PROGRESS = "insufficient_progress"
    REASONABLE_PROGRESS = "reasonable_progress"
    GOOD_PROGRESS = "good_progress"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "Reasonable progress"."""
        return "Not yet assessed" if self is Progress.NOT_ASSESSED else _sentence(self.value)


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


# --- progress -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressThresholds:
    """Thresholds of the suggested progress judgement (fractions and fraction points)."""

    good_rate: float = 0.80
    reasonable_change: float = 0.10
    some_change: float = 0.05

    def __post_init__(self) -> None:
        if not 0 < self.good_rate <= 1:
            raise ValueError("good_rate must be more than 0 and at most 1")
        if not 0 <= self.some_change <= self.reasonable_change <= 1:
            raise ValueError("need 0 <= some_change <= reasonable_change <= 1")


@dataclass(frozen=True)
class ProgressSuggestion:
    """The suggested judgement and why."""

    judgement: Progress
    reason: str


def rate_change(now: float | None, baseline: float | None) -> float | None:
    """Return now minus baseline (fraction points), or None when either is missing."""
    if now is None or baseline is None:
        return None
    return now - baseline


def suggest_progress(
    now: float | None,
    baseline: float | None,
    thresholds: ProgressThresholds | None = None,
) -> ProgressSuggestion:
    """Suggest a progress judgement from the met rates now and at the baseline (fractions)."""
    t = thresholds or ProgressThresholds()
    if now is None:
        return ProgressSuggestion(
            Progress.NOT_ASSESSED, "No linked question applies to any case in this review."
        )
    if baseline is None:
        return ProgressSuggestion(
            Progress.NOT_ASSESSED,
            "No baseline rate: the earlier inspection was not audited here and none is entered.",
        )
    change = now - baseline
    now_pct, change_pts = _pct(now), _points(change)
    if now + _TOLERANCE >= t.good_rate and change + _TOLERANCE >= -t.some_change:
        return ProgressSuggestion(
            Progress.GOOD_PROGRESS,
            f"Met rate {now_pct} is at least {_pct(t.good_rate)} and has not fallen by "
            f"{_points(t.some_change).lstrip('+')} or more ({change_pts}).",
        )
    if change + _TOLERANCE >= t.reasonable_change:
        return ProgressSuggestion(
            Progress.REASONABLE_PROGRESS,
            f"Met rate rose {change_pts}, at least {_points(t.reasonable_change)}, "
            f"but is {now_pct}, below {_pct(t.good_rate)}.",
        )
    if change + _TOLERANCE >= t.some_change:
        return ProgressSuggestion(
            Progress.INSUFFICIENT_PROGRESS,
            f"Met rate rose {change_pts}: at least {_points(t.some_change)} but less than "
            f"{_points(t.reasonable_change)}.",
        )
    return ProgressSuggestion(
        Progress.NO_MEANINGFUL_PROGRESS,
        f"Met rate changed {change_pts}, less than {_points(t.some_change)}.",
    )


def _pct(fraction: float) -> str:
    return f"{whole_percent(fraction)}%"


def _points(change: float) -> str:
    value = whole_percent(change)
    return f"{'+' if value > 0 else ''}{value} points"


# --- chapters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChapterRule:
    """The chapter-judgement rule: whether it is used, its thresholds, and its key questions."""

    enabled: bool = True
    outstanding: float = 0.80
    good: float = 0.65
    requires_improvement: float = 0.50
    min_applicable: int = 1

    def __post_init__(self) -> None:
        problems = chapter_rule_problems(self.to_dict())
        if problems:
            raise ValueError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as a JSON-able dict (stored on the inspection)."""
        return {
            "enabled": self.enabled,
            "outstanding": self.outstanding,
            "good": self.good,
            "requires_improvement": self.requires_improvement,
            "min_applicable": self.min_applicable,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ChapterRule:
        """Build from a stored dict; None or missing keys take the documented defaults."""
        data = data or {}
        kwargs: dict[str, Any] = {}
        for key in ("outstanding", "good", "requires_improvement"):
            if key in data:
                kwargs[key] = float(data[key])
        if "min_applicable" in data:
            kwargs["min_applicable"] = int(data["min_applicable"])
        if "enabled" in data:
            kwargs["enabled"] = bool(data["enabled"])
        return cls(**kwargs)


def chapter_rule_problems(data: Mapping[str, Any]) -> list[str]:
    """Return what is wrong with a rule's thresholds (need 0 < RI < good < outstanding <= 1)."""
    outstanding = float(data.get("outstanding", 0.80))
    good = float(data.get("good", 0.65))
    ri = float(data.get("requires_improvement", 0.50))
    problems = []
    if not 0 < ri < good < outstanding <= 1:
        problems.append(
            "thresholds must rise: 0 < requires improvement < good < outstanding <= 100%"
        )
    if int(data.get("min_applicable", 1)) < 1:
        problems.append("min_applicable must be at least 1")
    return problems


@dataclass(frozen=True)
class KeyQuestionRate:
    """One key question's share of applicable cases that meet it."""

    question_set: str
    question_id: str
    question_text: str
    met: int
    applicable: int

    @property
    def rate(self) -> float | None:
        """Return met / applicable, or None when no case applies."""
        return self.met / self.applicable if self.applicable else None


@dataclass(frozen=True)
class ChapterSuggestion:
    """The suggested judgement of a chapter, the question that decided it, and why."""

    chapter: str
    judgement: ChapterGrade | None
    deciding: KeyQuestionRate | None
    reason: str
    considered: tuple[KeyQuestionRate, ...]


def grade_for_rate(rate: float, rule: ChapterRule) -> ChapterGrade:
    """Return the chapter grade for a met share under the rule's thresholds."""
    if rate + _TOLERANCE >= rule.outstanding:
        return ChapterGrade.OUTSTANDING
    if rate + _TOLERANCE >= rule.good:
        return ChapterGrade.GOOD
    if rate + _TOLERANCE >= rule.requires_improvement:
        return ChapterGrade.REQUIRES_IMPROVEMENT
    return ChapterGrade.INADEQUATE


def suggest_chapter(
    chapter: str, key_questions: Iterable[KeyQuestionRate], rule: ChapterRule | None = None
) -> ChapterSuggestion:
    """Judge a chapter by its lowest key question (ties: the first listed)."""
    rule = rule or ChapterRule()
    considered = tuple(q for q in key_questions if q.applicable >= rule.min_applicable)
    if not considered:
        return ChapterSuggestion(
            chapter,
            None,
            None,
            f"No key question applies to at least {rule.min_applicable} audited case(s).",
            considered,
        )
    lowest = min(considered, key=lambda q: q.rate or 0.0)
    rate = lowest.rate or 0.0
    grade = grade_for_rate(rate, rule)
    reason = (
        f"Lowest key question: {lowest.question_id} met in {lowest.met} of "
        f"{lowest.applicable} applicable cases ({_pct(rate)}), so {grade.label.lower()} "
        f"(outstanding from {_pct(rule.outstanding)}, good from {_pct(rule.good)}, requires "
        f"improvement from {_pct(rule.requires_improvement)})."
    )
    return ChapterSuggestion(chapter, grade, lowest, reason, considered)
