"""Progress rates and changes: exact arithmetic, how they are written, and the suggested
progress judgement with its reason (the rule is in the package's docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from auditapp.domain.recommendations.scale import Progress

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
