"""Confidence intervals for shares drawn from a sample, so no one over-reads a small sample.

The Wilson score interval (Wilson 1927; method 3 in Newcombe 1998) stays inside 0 to 100% and
behaves well for small samples and for shares near 0 or 1, where the textbook normal
approximation ("Wald") fails. Shares are shown as whole percentages rounded half up, like the
headline figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from auditapp.domain.percentages import whole_percent as whole_percent  # re-exported

# Two-sided 95%: the 97.5th percentile of the standard normal distribution.
Z_95 = 1.959963984540054


def wilson_interval(successes: float, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval (low, high) for successes out of trials, as fractions.

    ``successes`` may be fractional (a partly met answer counting half). Raises ValueError
    when trials is not positive or successes is outside 0..trials.
    """
    if trials <= 0:
        raise ValueError("trials must be positive")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}, not {successes}")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # Exact 0 and 1 are the interval's own bounds at p = 0 or 1; clamp float noise.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Share:
    """A count out of a sample, its percentage and its Wilson 95% confidence interval."""

    count: float
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
