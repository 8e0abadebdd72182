"""Progress against an earlier inspection's recommendations, and chapter judgements.

Two documented, configurable rules (README, "Findings rules"):

**Progress on a recommendation** compares like with like:

- Each linked question has a rate over *cases* on each side (a case counts once per question):
  (met + 1/2 x partly met) / applicable cases. Partly met counts half, the weight the grading
  rule gives it, so a move from "not met" to "partly met" shows as half a step, never as none
  and never as a full one.
- The recommendation's rate is the **mean of its questions' rates**, each question weighted
  alike, so the question with the most cases cannot swamp the rest.
- The change is worked out over the questions **both** inspections asked, with applicable cases
  on both sides. A question the baseline did not ask (or where no baseline case applied) is
  shown beside the comparison as *new evidence*, never inside the change. When no question can
  be compared, the rate now is the mean over every linked question with applicable cases, and
  the baseline is the rate a lead entered from the earlier report, if any.
- A suggestion needs at least ``min_cases`` (default 5, set per inspection) distinct cases
  answering the compared questions on each side; below it the suggestion is *insufficient
  evidence to judge*.

**Suggested progress judgement**, in this order (``change`` = now - baseline, unrounded):

1. no linked question applies to a case in this review -> not assessed;
2. no baseline rate -> not assessed;
3. fewer than ``min_cases`` cases on either side -> insufficient evidence to judge;
4. now >= ``good_rate`` (80%) and change > -``some_change`` (a fall of exactly 5 points is a
   fall of 5 points) -> good progress;
5. change >= ``reasonable_change`` (+10 points) -> reasonable progress;
6. change >= ``some_change`` (+5 points) -> insufficient progress;
7. otherwise -> no meaningful progress.

Rates and changes are computed exactly (fractions, no float tolerance) and written only by
``format_rate`` and ``format_change``: rates rounded *down* to a tenth of a percent, changes
rounded *towards zero* to a tenth of a point. With thresholds on whole tenths, a figure shown
beside a threshold is always on the same side of it as the unrounded figure: 79.55% reads
79.5%, below 80%; a fall of 4.6 points reads -4.6 points, not -5.

The lead always records the judgement; the suggestion is a hint.

**Chapter judgement** (optional per inspection): a chapter takes its judgement from its lowest
key question, by the share of applicable cases that fully meet it: at least ``outstanding``
(80%) outstanding, at least ``good`` (65%) good, at least ``requires_improvement`` (50%)
requires improvement, else inadequate. Rates are compared exactly with the thresholds (whole
tenths of a percent) and written by ``format_rate``, so "below 80%" never sits beside "80%".
A key question with fewer than ``min_applicable`` applicable cases (default 5, set per
inspection) is *insufficient evidence* and left out; a chapter left with no key question at or
above the minimum gets no judgement: *not enough evidence*. The reason names the deciding
question, its figures, the band it fell in, and every key question left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any


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


# --- progress -----------------------------------------------------------------------------------

# A partly met answer counts half, as in the grading rule's score.
PARTLY_MET_CREDIT = Fraction(1, 2)
# The fewest cases on each side a suggestion may speak on (an inspection may set its own).
DEFAULT_MIN_CASES = 5
MINUS = "\u2212"
DASH = "\u2013"
Number = Fraction | float | int


def exact(value: Number) -> Fraction:
    """Return a rate or change as an exact fraction (a float as the decimal it prints as)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return Fraction(repr(value))
    return Fraction(value)


def rate_percent(rate: Number | None) -> Decimal | None:
    """Return a rate as the percentage shown: rounded down to a tenth (0.7955 -> 79.5)."""
    if rate is None:
        return None
    tenths = math.floor(exact(rate) * 1000)
    return Decimal(tenths) / 10


def change_points(change: Number | None) -> Decimal | None:
    """Return a change as the percentage points shown: towards zero to a tenth (-4.66 -> -4.6).

    The one rounding of a change: every page, export, chart and API field that shows a change
    shows this number (or ``format_change``'s words for it).
    """
    if change is None:
        return None
    tenths = math.trunc(exact(change) * 1000)
    return Decimal(tenths) / 10


def _number_text(value: Decimal) -> str:
    text = f"{value:f}"
    return text[:-2] if text.endswith(".0") else text


def format_rate(rate: Number | None) -> str:
    """Return a rate as a user reads it: "79.5%", "80%" (a dash when there is none)."""
    percent = rate_percent(rate)
    return DASH if percent is None else f"{_number_text(percent)}%"


def format_change(change: Number | None) -> str:
    """Return a change as a user reads it: "+12.3 points", "0 points", "-5 points".

    A fall is written with the minus sign U+2212.
    """
    points = change_points(change)
    if points is None:
        return DASH
    sign = "+" if points > 0 else MINUS if points < 0 else ""
    unit = "point" if abs(points) == 1 else "points"
    return f"{sign}{_number_text(abs(points))} {unit}"


def _fall_text(points: Fraction) -> str:
    """A size of fall, unsigned: "5 points"."""
    return format_change(points).lstrip("+")


@dataclass(frozen=True)
class ProgressThresholds:
    """Thresholds of the suggested progress judgement (fractions and fraction points).

    Each is a whole number of tenths of a percent (0.825 is 82.5%), so that a figure rounded
    to a tenth is never shown on the wrong side of it; ``some_change`` is more than 0.
    """

    good_rate: float = 0.80
    reasonable_change: float = 0.10
    some_change: float = 0.05

    def __post_init__(self) -> None:
        if not 0 < self.good_rate <= 1:
            raise ValueError("good_rate must be more than 0 and at most 1")
        if not 0 < self.some_change <= self.reasonable_change <= 1:
            raise ValueError("need 0 < some_change <= reasonable_change <= 1")
        for name in ("good_rate", "reasonable_change", "some_change"):
            if (exact(getattr(self, name)) * 1000).denominator != 1:
                raise ValueError(f"{name} must be a whole number of tenths of a percent")

    @property
    def good(self) -> Fraction:
        """Return the good rate, exactly."""
        return exact(self.good_rate)

    @property
    def reasonable(self) -> Fraction:
        """Return the reasonable change, exactly."""
        return exact(self.reasonable_change)

    @property
    def some(self) -> Fraction:
        """Return the smallest change that counts as some progress, exactly."""
        return exact(self.some_change)


@dataclass(frozen=True)
class ProgressSuggestion:
    """The suggested judgement and why."""

    judgement: Progress
    reason: str


def rate_change(now: Number | None, baseline: Number | None) -> Fraction | None:
    """Return now minus baseline (fraction points, exact), or None when either is missing.

    The one computation of a change: from the unrounded rates.
    """
    if now is None or baseline is None:
        return None
    return exact(now) - exact(baseline)


def _cases(count: int) -> str:
    return f"{count} case{'' if count == 1 else 's'}"


def suggest_progress(
    now: Number | None,
    baseline: Number | None,
    *,
    now_cases: int,
    baseline_cases: int | None,
    min_cases: int = DEFAULT_MIN_CASES,
    thresholds: ProgressThresholds | None = None,
) -> ProgressSuggestion:
    """Suggest a progress judgement from the rates now and at the baseline, and their cases.

    ``baseline_cases`` is None when an entered baseline does not say how many cases it came
    from. Every reason states the figures it compared, written by ``format_rate`` and
    ``format_change`` as the pages show them.
    """
    t = thresholds or ProgressThresholds()
    if min_cases < 1:
        raise ValueError("min_cases must be at least 1")
    if now is None:
        return ProgressSuggestion(
            Progress.NOT_ASSESSED, "No linked question applies to any case in this review."
        )
    if baseline is None:
        return ProgressSuggestion(
            Progress.NOT_ASSESSED,
            "No baseline rate: no linked question with applicable cases now had applicable "
            "cases at the baseline, and no baseline rate is entered.",
        )
    if baseline_cases is None:
        return ProgressSuggestion(
            Progress.INSUFFICIENT_EVIDENCE,
            f"The entered baseline rate does not say how many cases it came from, and at "
            f"least {_cases(min_cases)} are needed on each side ({_cases(now_cases)} now).",
        )
    if now_cases < min_cases or baseline_cases < min_cases:
        return ProgressSuggestion(
            Progress.INSUFFICIENT_EVIDENCE,
            f"{_cases(baseline_cases)} at the baseline and {_cases(now_cases)} now, and at "
            f"least {_cases(min_cases)} are needed on each side.",
        )
    change = exact(now) - exact(baseline)
    n, b, c = format_rate(now), format_rate(baseline), format_change(change)
    good, fall = format_rate(t.good), _fall_text(t.some)
    compared = f"Met rate {n} now against {b} at the baseline, a change of {c}"
    reaches_good = exact(now) >= t.good
    if reaches_good and change > -t.some:
        return ProgressSuggestion(
            Progress.GOOD_PROGRESS,
            f"{compared}: {n} is at least {good}, and it has not fallen by {fall} or more.",
        )
    if reaches_good:
        return ProgressSuggestion(
            Progress.NO_MEANINGFUL_PROGRESS,
            f"{compared}: {n} is at least {good}, but it has fallen by {fall} or more.",
        )
    below = f"{n} is below {good}"
    if change >= t.reasonable:
        return ProgressSuggestion(
            Progress.REASONABLE_PROGRESS,
            f"{compared}: a rise of at least {format_change(t.reasonable)}, but {below}.",
        )
    if change >= t.some:
        return ProgressSuggestion(
            Progress.INSUFFICIENT_PROGRESS,
            f"{compared}: a rise of at least {format_change(t.some)} but less than "
            f"{format_change(t.reasonable)}, and {below}.",
        )
    return ProgressSuggestion(
        Progress.NO_MEANINGFUL_PROGRESS,
        f"{compared}: less than {format_change(t.some)}, and {below}.",
    )


# --- like-for-like figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionCounts:
    """One question's outcomes over the cases of one inspection (a case counts once)."""

    met: int
    partly_met: int
    not_met: int

    def __post_init__(self) -> None:
        if min(self.met, self.partly_met, self.not_met) < 0:
            raise ValueError("counts cannot be negative")

    @property
    def applicable(self) -> int:
        """Return the cases where the question applied."""
        return self.met + self.partly_met + self.not_met

    @property
    def rate(self) -> Fraction | None:
        """Return (met + 1/2 x partly met) / applicable cases, or None when none applied."""
        if not self.applicable:
            return None
        return (self.met + PARTLY_MET_CREDIT * self.partly_met) / self.applicable


class QuestionUse(StrEnum):
    """How a linked question enters a recommendation's figures."""

    COMPARED = "compared"  # in the rate now, the rate at the baseline and so the change
    NEW_EVIDENCE = "new_evidence"  # beside the comparison: no baseline figure to compare
    NOW_ONLY = "now_only"  # in the rate now; nothing compared (baseline entered or missing)
    NO_CASES = "no_cases"  # applies to no case in this review

    @property
    def label(self) -> str:
        """Return the words a user reads."""
        return {
            QuestionUse.COMPARED: "Compared",
            QuestionUse.NEW_EVIDENCE: "New evidence (not in the change)",
            QuestionUse.NOW_ONLY: "In the rate now",
            QuestionUse.NO_CASES: "No applicable case now",
        }[self]


@dataclass(frozen=True)
class LinkedQuestionCounts:
    """A linked question's counts now and at the baseline (None: the baseline did not ask it,
    or the baseline was not audited here)."""

    case_type: str
    question_id: str
    now: QuestionCounts
    baseline: QuestionCounts | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Return (case type, question id)."""
        return (self.case_type, self.question_id)


@dataclass(frozen=True)
class QuestionProgress:
    """A linked question's rates, how it is used, and why."""

    case_type: str
    question_id: str
    now: QuestionCounts
    baseline: QuestionCounts | None
    use: QuestionUse
    note: str

    @property
    def now_rate(self) -> Fraction | None:
        """Return the question's rate now."""
        return self.now.rate

    @property
    def baseline_rate(self) -> Fraction | None:
        """Return the question's rate at the baseline, when the baseline asked it."""
        return self.baseline.rate if self.baseline else None

    @property
    def change(self) -> Fraction | None:
        """Return the question's change, when it is compared."""
        return rate_change(self.now_rate, self.baseline_rate)


@dataclass(frozen=True)
class CaseGroup:
    """Audited cases of one case type with applicable answers to the same linked questions."""

    case_type: str
    question_ids: frozenset[str]
    cases: int


def cases_answering(groups: Iterable[CaseGroup], questions: Iterable[tuple[str, str]]) -> int:
    """Return the distinct cases with an applicable answer to at least one of the questions."""
    wanted: dict[str, set[str]] = {}
    for case_type, question_id in questions:
        wanted.setdefault(case_type, set()).add(question_id)
    return sum(
        g.cases for g in groups if g.case_type in wanted and g.question_ids & wanted[g.case_type]
    )


@dataclass(frozen=True)
class EnteredBaseline:
    """A baseline rate a lead entered from the earlier report (``cases`` None: not said)."""

    rate: float
    cases: int | None
    source: str


def mean_rate(rates: Sequence[Fraction]) -> Fraction | None:
    """Return the mean of question rates (each question weighted alike), None when empty."""
    return sum(rates, Fraction(0)) / len(rates) if rates else None


@dataclass(frozen=True)
class ProgressFigures:
    """One recommendation's like-for-like figures and suggestion: every output reads these."""

    questions: tuple[QuestionProgress, ...]
    now_rate: Fraction | None
    baseline_rate: Fraction | None
    now_cases: int
    baseline_cases: int | None
    min_cases: int
    baseline_entered: bool
    suggestion: ProgressSuggestion

    @property
    def change(self) -> Fraction | None:
        """Return the change, now minus baseline, from the unrounded rates."""
        return rate_change(self.now_rate, self.baseline_rate)

    @property
    def compared(self) -> tuple[QuestionProgress, ...]:
        """Return the questions inside the change."""
        return tuple(q for q in self.questions if q.use is QuestionUse.COMPARED)

    @property
    def new_evidence(self) -> tuple[QuestionProgress, ...]:
        """Return the questions shown beside the comparison, outside the change."""
        return tuple(q for q in self.questions if q.use is QuestionUse.NEW_EVIDENCE)

    @property
    def rate_questions(self) -> tuple[QuestionProgress, ...]:
        """Return the questions the rate now is the mean of."""
        return tuple(
            q for q in self.questions if q.use in (QuestionUse.COMPARED, QuestionUse.NOW_ONLY)
        )

    @property
    def now_text(self) -> str:
        """Return the rate now as shown, e.g. "74.5%"."""
        return format_rate(self.now_rate)

    @property
    def baseline_text(self) -> str:
        """Return the baseline rate as shown."""
        return format_rate(self.baseline_rate)

    @property
    def change_text(self) -> str:
        """Return the change as shown, e.g. "+12.3 points"."""
        return format_change(self.change)

    @property
    def now_percent(self) -> Decimal | None:
        """Return the rate now as the percentage shown (a number, for exports)."""
        return rate_percent(self.now_rate)

    @property
    def baseline_percent(self) -> Decimal | None:
        """Return the baseline rate as the percentage shown."""
        return rate_percent(self.baseline_rate)

    @property
    def change_points(self) -> Decimal | None:
        """Return the change as the points shown."""
        return change_points(self.change)

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-able values: unrounded fractions and the shown numbers."""
        return {
            "now_rate": _float(self.now_rate),
            "baseline_rate": _float(self.baseline_rate),
            "change": _float(self.change),
            "now_percent": _float(self.now_percent),
            "baseline_percent": _float(self.baseline_percent),
            "change_points": _float(self.change_points),
            "now_text": self.now_text,
            "baseline_text": self.baseline_text,
            "change_text": self.change_text,
            "now_cases": self.now_cases,
            "baseline_cases": self.baseline_cases,
            "min_cases": self.min_cases,
            "baseline_entered": self.baseline_entered,
            "compared_questions": len(self.compared),
            "new_evidence_questions": len(self.new_evidence),
        }


def _float(value: Fraction | Decimal | None) -> float | None:
    return None if value is None else float(value)


def progress_figures(
    questions: Sequence[LinkedQuestionCounts],
    *,
    now_groups: Iterable[CaseGroup],
    baseline_groups: Iterable[CaseGroup] | None = None,
    entered: EnteredBaseline | None = None,
    min_cases: int = DEFAULT_MIN_CASES,
    thresholds: ProgressThresholds | None = None,
) -> ProgressFigures:
    """Work out a recommendation's figures like for like, and suggest a judgement.

    ``baseline_groups`` is None when the baseline was not audited here. A question is compared
    when both inspections have applicable cases for it; the rest with cases now are new
    evidence. With nothing compared, the rate now is over every question with cases now and
    the baseline is the entered one, if any.
    """
    comparable = [
        q
        for q in questions
        if q.now.applicable and q.baseline is not None and q.baseline.applicable
    ]
    now_groups, baseline_groups = list(now_groups), baseline_groups
    audited = baseline_groups is not None
    progress: list[QuestionProgress] = []
    for q in questions:
        if not q.now.applicable:
            use, note = QuestionUse.NO_CASES, "Applies to no case in this review."
        elif comparable and q in comparable:
            use, note = QuestionUse.COMPARED, "Asked at both inspections: in the change."
        else:
            if not audited:
                why = "The baseline was not audited here"
            elif q.baseline is None:
                why = "Not asked at the baseline"
            else:
                why = "No applicable case at the baseline"
            if comparable:
                use, note = QuestionUse.NEW_EVIDENCE, f"{why}: new evidence, not in the change."
            else:
                use, note = QuestionUse.NOW_ONLY, f"{why}: in the rate now only."
        progress.append(QuestionProgress(q.case_type, q.question_id, q.now, q.baseline, use, note))
    rated = [p for p in progress if p.use in (QuestionUse.COMPARED, QuestionUse.NOW_ONLY)]
    keys = [(p.case_type, p.question_id) for p in rated]
    now_rate = mean_rate([p.now.rate for p in rated if p.now.rate is not None])
    now_cases = cases_answering(now_groups, keys)
    baseline_rate: Fraction | None
    baseline_cases: int | None
    if comparable:
        baseline_rate = mean_rate([p.baseline_rate for p in rated if p.baseline_rate is not None])
        baseline_cases = cases_answering(baseline_groups or (), keys)
        is_entered = False
    elif entered is not None:
        baseline_rate, baseline_cases, is_entered = exact(entered.rate), entered.cases, True
    else:
        baseline_rate, baseline_cases, is_entered = None, None, False
    suggestion = suggest_progress(
        now_rate,
        baseline_rate,
        now_cases=now_cases,
        baseline_cases=baseline_cases,
        min_cases=min_cases,
        thresholds=thresholds,
    )
    return ProgressFigures(
        questions=tuple(progress),
        now_rate=now_rate,
        baseline_rate=baseline_rate,
        now_cases=now_cases,
        baseline_cases=baseline_cases,
        min_cases=min_cases,
        baseline_entered=is_entered,
        suggestion=suggestion,
    )


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
