"""Confidence intervals for shares drawn from a sample, so no one over-reads a small sample.

The Wilson score interval (Wilson 1927; method 3 in Newcombe 1998) stays inside 0 to 100% and
behaves well for small samples and for shares near 0 or 1, where the textbook normal
approximation ("Wald") fails. Shares are shown as whole percentages rounded half up, like the
headline figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from auditapp.domain.percentages import whole_percent as whole_percent  # re-exported

# Two-sided 95%: the 97.5th percentile of the standard normal distribution.
Z_95 = 1.959963984540054


def wilson_interval(successes: float, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval (low, high) for successes out of trials, as fractions.

    ``successes`` is a whole number of cases: a binomial count. A partly met answer counted as
    half a success is not one, so a fractional count is refused (ValueError), as are trials
    that are not positive and successes outside 0..trials.
    """
    if trials <= 0:
        raise ValueError("trials must be positive")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}, not {successes}")
    if not float(successes).is_integer():
        raise ValueError(f"successes must be a whole number of cases, not {successes}")
    return wilson_bounds(successes / trials, trials, z)


def wilson_bounds(p: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson interval for a share ``p`` observed over ``n`` cases (n may be an
    effective sample size, not a whole number)."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= p <= 1:
        raise ValueError(f"p must be between 0 and 1, not {p}")
    trials = n
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # Exact 0 and 1 are the interval's own bounds at p = 0 or 1; clamp float noise.
    low = 0.0 if p == 0 else max(0.0, centre - half)
    high = 1.0 if p == 1 else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Share:
    """A count of cases out of a sample of cases, its percentage and its Wilson 95% interval.

    Only ever a count of cases (never pooled answers, never partly met as half): that is what
    the interval assumes. A fractional count is refused when the interval is worked out.
    """

    count: int
    total: int

    @property
    def fraction(self) -> float | None:
        """Return count / total, or None when the total is 0."""
        return self.count / self.total if self.total else None

    @property
    def percent(self) -> int | None:
        """Return the share as a whole percentage (None when the total is 0)."""
        fraction = self.fraction
        return None if fraction is None else whole_percent(fraction)

    @property
    def interval(self) -> tuple[float, float] | None:
        """Return the Wilson 95% interval as fractions (None when the total is 0)."""
        return wilson_interval(self.count, self.total) if self.total else None

    @property
    def interval_percent(self) -> tuple[int, int] | None:
        """Return the Wilson 95% interval as whole percentages."""
        interval = self.interval
        return (
            None if interval is None else (whole_percent(interval[0]), whole_percent(interval[1]))
        )

    @property
    def ci_text(self) -> str:
        """Return e.g. "95% CI 35%-72%" (en dash) (empty when the total is 0)."""
        bounds = self.interval_percent
        return "" if bounds is None else f"95% CI {bounds[0]}%\u2013{bounds[1]}%"

    @property
    def text(self) -> str:
        """Return e.g. "13 of 24: 54%, 95% CI 35%-72%" (en dash)."""
        count = _number(self.count)
        if not self.total:
            return f"{count} of 0"
        return f"{count} of {self.total}: {self.percent}%, {self.ci_text}"

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-able dict (fractions, and the percentages a reader sees)."""
        interval = self.interval
        bounds = self.interval_percent
        return {
            "count": self.count,
            "total": self.total,
            "percent": self.percent,
            "ci_low": interval[0] if interval else None,
            "ci_high": interval[1] if interval else None,
            "ci_low_percent": bounds[0] if bounds else None,
            "ci_high_percent": bounds[1] if bounds else None,
        }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# What the intervals assume, in the words the dashboard and the report print (one home).
READING_NOTE = (
    "Each figure counts cases: a case counts once for each question, as met, partly met or not "
    "met. Partly met is shown as its own count and never as half a case.",
    "A 95% confidence interval goes only on a share of cases (for example, the share of "
    "applicable cases that fully met a question). It assumes the cases are a random sample of "
    "the force's cases of that type, each judged independently, and it says nothing about how "
    "the cases were judged. With samples this small the true share could lie anywhere in it.",
    "Rates that count partly met as half (recommendation progress) and figures that are not "
    "shares (medians, ranges, answers recorded) carry no interval.",
    "Where case types or strata were sampled at different rates, the headline also gives a "
    "weighted estimate for all the force's cases, each stratum weighted by the cases listed in "
    "it; its interval allows for the sampling design.",
)


@dataclass(frozen=True)
class StratumCount:
    """One stratum: the cases listed in it (``frame``), the cases counted from it and how many
    of those have the property being estimated (e.g. graded inadequate)."""

    name: str
    frame: int
    cases: int
    count: int


@dataclass(frozen=True)
class StratifiedShare:
    """A stratified (weighted) estimate of a share, its variance and 95% interval.

    p = sum of W_h p_h, W_h = N_h / N; v = sum of W_h^2 (1 - n_h / N_h) p_h (1 - p_h) / (n_h - 1);
    the interval is Wilson's at the effective sample size p (1 - p) / v (at most n, and n when
    v is 0). Strata with no case counted are left out, and N is the frame of the others.
    """

    estimate: float
    variance: float
    effective_cases: float
    cases: int
    low: float
    high: float

    @property
    def percent(self) -> int:
        """Return the estimate as a whole percentage."""
        return whole_percent(self.estimate)

    @property
    def interval_percent(self) -> tuple[int, int]:
        """Return the interval as whole percentages."""
        return whole_percent(self.low), whole_percent(self.high)

    @property
    def ci_text(self) -> str:
        """Return e.g. "95% CI 10%-49%" (en dash)."""
        low, high = self.interval_percent
        return f"95% CI {low}%\u2013{high}%"

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-able dict."""
        low, high = self.interval_percent
        return {
            "estimate": self.estimate,
            "percent": self.percent,
            "variance": self.variance,
            "effective_cases": self.effective_cases,
            "cases": self.cases,
            "ci_low": self.low,
            "ci_high": self.high,
            "ci_low_percent": low,
            "ci_high_percent": high,
        }


def stratified_share(strata: Iterable[StratumCount]) -> StratifiedShare | None:
    """Return the stratified estimate of a share and its interval (None when nothing counted).

    Raises ValueError for a stratum with more cases counted than listed, or a count outside
    0..cases.
    """
    strata = list(strata)
    counted = [stratum for stratum in strata if stratum.cases > 0]
    for stratum in strata:
        if stratum.cases > stratum.frame:
            raise ValueError(f"{stratum.name}: {stratum.cases} cases counted of {stratum.frame}")
        if not 0 <= stratum.count <= stratum.cases:
            raise ValueError(f"{stratum.name}: count {stratum.count} of {stratum.cases} cases")
    if not counted:
        return None
    frame = sum(stratum.frame for stratum in counted)
    estimate = 0.0
    variance = 0.0
    for stratum in counted:
        weight = stratum.frame / frame
        share = stratum.count / stratum.cases
        estimate += weight * share
        if stratum.cases > 1:
            finite = 1 - stratum.cases / stratum.frame
            variance += weight**2 * finite * share * (1 - share) / (stratum.cases - 1)
    cases = sum(stratum.cases for stratum in counted)
    estimate = min(1.0, max(0.0, estimate))
    spread = estimate * (1 - estimate)
    effective = cases if variance <= 0 else min(float(cases), spread / variance)
    if effective <= 0:  # a share of exactly 0 or 1 with some variance: float noise only
        effective = float(cases)
    low, high = wilson_bounds(estimate, effective)
    return StratifiedShare(estimate, variance, effective, cases, low, high)


def unequal_fractions(samples: Iterable[tuple[int, int]]) -> bool:
    """Return True when (sampled, frame) pairs were drawn at different sampling fractions."""
    fractions = {Fraction(sampled, frame) for sampled, frame in samples if frame}
    return len(fractions) > 1
