"""Chapter judgements: a chapter's lowest key question with enough applicable cases decides
it, by the share of applicable cases that fully meet it (the rule is in the package's
docstring)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from auditapp.domain.recommendations.rates import Number, exact, format_rate
from auditapp.domain.recommendations.scale import ChapterGrade

# --- chapters -----------------------------------------------------------------------------------

# The fewest applicable cases a key question needs before it may decide a chapter (a rule may set
# its own). Below it the key question is "insufficient evidence" and is left out.
DEFAULT_CHAPTER_MIN_APPLICABLE = 5
NOT_ENOUGH_EVIDENCE = "Not enough evidence"
INSUFFICIENT_EVIDENCE = "Insufficient evidence"


def _on_tenths(value: float) -> bool:
    """Return True when a threshold is a whole number of tenths of a percent (0.825 = 82.5%)."""
    return (exact(value) * 1000).denominator == 1


@dataclass(frozen=True)
class ChapterRule:
    """The chapter-judgement rule: whether it is used, its thresholds, and its key questions.

    Thresholds are whole tenths of a percent, so a rate written by ``format_rate`` (rounded down
    to a tenth) is always on the same side of a threshold as the unrounded rate.
    """

    enabled: bool = True
    outstanding: float = 0.80
    good: float = 0.65
    requires_improvement: float = 0.50
    min_applicable: int = DEFAULT_CHAPTER_MIN_APPLICABLE

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

    def band(self, grade: ChapterGrade) -> tuple[Fraction, Fraction | None]:
        """Return the rates a grade covers: from the first (inclusive) to below the second."""
        bounds = {
            ChapterGrade.OUTSTANDING: (exact(self.outstanding), None),
            ChapterGrade.GOOD: (exact(self.good), exact(self.outstanding)),
            ChapterGrade.REQUIRES_IMPROVEMENT: (
                exact(self.requires_improvement),
                exact(self.good),
            ),
            ChapterGrade.INADEQUATE: (Fraction(0), exact(self.requires_improvement)),
        }
        return bounds[grade]

    def band_text(self, grade: ChapterGrade) -> str:
        """Return the rates a grade covers in words: "at least 50% and below 65%"."""
        low, high = self.band(grade)
        if high is None:
            return f"at least {format_rate(low)}"
        if low == 0:
            return f"below {format_rate(high)}"
        return f"at least {format_rate(low)} and below {format_rate(high)}"

    @property
    def text(self) -> str:
        """Return the thresholds as a user reads them, best first."""
        return (
            f"at least {format_rate(self.outstanding)} outstanding, "
            f"{format_rate(self.good)} good, "
            f"{format_rate(self.requires_improvement)} requires improvement, otherwise inadequate"
        )


def chapter_rule_problems(data: Mapping[str, Any]) -> list[str]:
    """Return what is wrong with a rule (need 0 < RI < good < outstanding <= 1, on tenths)."""
    outstanding = float(data.get("outstanding", 0.80))
    good = float(data.get("good", 0.65))
    ri = float(data.get("requires_improvement", 0.50))
    problems = []
    if not 0 < ri < good < outstanding <= 1:
        problems.append(
            "thresholds must rise: 0 < requires improvement < good < outstanding <= 100%"
        )
    if not all(math.isfinite(t) and _on_tenths(t) for t in (outstanding, good, ri)):
        problems.append("thresholds must be whole tenths of a percent (such as 82.5%)")
    if int(data.get("min_applicable", DEFAULT_CHAPTER_MIN_APPLICABLE)) < 1:
        problems.append("min_applicable must be at least 1")
    return problems


def _cases_text(count: int) -> str:
    return f"{count} applicable case" if count == 1 else f"{count} applicable cases"


@dataclass(frozen=True)
class KeyQuestionRate:
    """One key question's share of applicable cases that fully meet it."""

    question_set: str
    question_id: str
    question_text: str
    met: int
    applicable: int

    @property
    def rate(self) -> Fraction | None:
        """Return met / applicable exactly, or None when no case applies."""
        return Fraction(self.met, self.applicable) if self.applicable else None

    @property
    def rate_text(self) -> str:
        """Return the rate as shown everywhere ("60%", a dash when no case applies)."""
        return format_rate(self.rate)

    @property
    def figure_text(self) -> str:
        """Return "met in 3 of 5 applicable cases (60%)"."""
        if not self.applicable:
            return "no applicable cases"
        return f"met in {self.met} of {_cases_text(self.applicable)} ({self.rate_text})"


@dataclass(frozen=True)
class KeyQuestionStatus:
    """A key question of a chapter, and whether it has enough applicable cases to count."""

    question: KeyQuestionRate
    sufficient: bool
    deciding: bool
    note: str

    @property
    def status(self) -> str:
        """Return the words a user reads: "Decides", "Counted" or "Insufficient evidence"."""
        if self.deciding:
            return "Decides the chapter"
        return "Counted" if self.sufficient else INSUFFICIENT_EVIDENCE

    @property
    def tag_class(self) -> str:
        """Return the govuk-tag colour of the status."""
        if self.deciding:
            return "govuk-tag--blue"
        return "govuk-tag--green" if self.sufficient else "govuk-tag--grey"


@dataclass(frozen=True)
class ChapterSuggestion:
    """The suggested judgement of a chapter, the question that decided it, and why."""

    chapter: str
    judgement: ChapterGrade | None
    deciding: KeyQuestionRate | None
    reason: str
    considered: tuple[KeyQuestionRate, ...]
    key_questions: tuple[KeyQuestionStatus, ...] = ()
    min_applicable: int = DEFAULT_CHAPTER_MIN_APPLICABLE

    @property
    def label(self) -> str:
        """Return the suggestion as a user reads it: a grade, or "Not enough evidence"."""
        return self.judgement.label if self.judgement else NOT_ENOUGH_EVIDENCE

    @property
    def insufficient(self) -> tuple[KeyQuestionRate, ...]:
        """Return the key questions left out for having too few applicable cases."""
        return tuple(k.question for k in self.key_questions if not k.sufficient)


def grade_for_rate(rate: Number, rule: ChapterRule) -> ChapterGrade:
    """Return the chapter grade for a met share, compared exactly with the rule's thresholds."""
    value = exact(rate)
    if value >= exact(rule.outstanding):
        return ChapterGrade.OUTSTANDING
    if value >= exact(rule.good):
        return ChapterGrade.GOOD
    if value >= exact(rule.requires_improvement):
        return ChapterGrade.REQUIRES_IMPROVEMENT
    return ChapterGrade.INADEQUATE


def _left_out_text(left_out: Sequence[KeyQuestionRate], minimum: int) -> str:
    listed = ", ".join(f"{q.question_id} ({_cases_text(q.applicable)})" for q in left_out)
    return (
        f" Insufficient evidence, so left out (below the minimum of {minimum} applicable "
        f"cases): {listed}."
    )


def suggest_chapter(
    chapter: str, key_questions: Iterable[KeyQuestionRate], rule: ChapterRule | None = None
) -> ChapterSuggestion:
    """Judge a chapter by its lowest key question with enough cases (ties: the first listed).

    A key question with fewer than ``rule.min_applicable`` applicable cases is *insufficient
    evidence* and left out; a chapter left with none gets no judgement (*not enough evidence*).
    The reason states the figures compared, written by ``format_rate`` as they are shown.
    """
    rule = rule or ChapterRule()
    minimum = rule.min_applicable
    keys = tuple(key_questions)
    considered = tuple(q for q in keys if q.applicable >= minimum)
    left_out = [q for q in keys if q.applicable < minimum]
    if not considered:
        verdict = "so there is not enough evidence to judge the chapter."
        if not keys:
            reason = f"No key question is linked to this chapter, {verdict}"
        elif len(keys) == 1:
            reason = (
                f"Its 1 key question, {keys[0].question_id}, has "
                f"{_cases_text(keys[0].applicable)}, below the minimum of {minimum}, {verdict}"
            )
        else:
            most = max(q.applicable for q in keys)
            reason = (
                f"None of its {len(keys)} key questions has at least {minimum} applicable "
                f"cases (the most is {most}): each is insufficient evidence, {verdict}"
            )
        statuses = tuple(
            KeyQuestionStatus(q, False, False, f"below the minimum of {minimum}") for q in keys
        )
        return ChapterSuggestion(chapter, None, None, reason, considered, statuses, minimum)
    lowest = min(considered, key=lambda q: q.rate or Fraction(0))
    grade = grade_for_rate(lowest.rate or Fraction(0), rule)
    counted = (
        "its 1 key question"
        if len(considered) == 1
        else f"the lowest of its {len(considered)} key questions"
    )
    reason = (
        f"Decided by {counted} with at least {minimum} applicable cases: "
        f"{lowest.question_id} {lowest.figure_text}, {rule.band_text(grade)}, "
        f"so {grade.label.lower()}."
    )
    if left_out:
        reason += _left_out_text(left_out, minimum)
    statuses = tuple(
        KeyQuestionStatus(
            q,
            q.applicable >= minimum,
            q is lowest,
            "" if q.applicable >= minimum else f"below the minimum of {minimum}",
        )
        for q in keys
    )
    return ChapterSuggestion(chapter, grade, lowest, reason, considered, statuses, minimum)
