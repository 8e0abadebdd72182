"""Wilson 95% intervals: published values, a second method, and the text a reader sees."""

from __future__ import annotations

import math

import pytest

from auditapp.domain.statistics import Share, whole_percent, wilson_interval


# Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no
# continuity correction), to four decimal places.
@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe_published_values(
    successes: int, trials: int, low: float, high: float
) -> None:
    got_low, got_high = wilson_interval(successes, trials)
    assert round(got_low, 4) == low
    assert round(got_high, 4) == high


def _score_test_bound(successes: int, trials: int, upper: bool) -> float:
    """The Wilson bound by a second method: bisect for p where the score statistic equals z."""
    z = 1.959963984540054
    p_hat = successes / trials

    def excess(p: float) -> float:
        return abs(p_hat - p) - z * math.sqrt(p * (1 - p) / trials)

    lo, hi = (p_hat, 1.0) if upper else (0.0, p_hat)
    # excess is negative at p_hat and positive beyond the bound on each side.
    for _ in range(200):
        mid = (lo + hi) / 2
        inside = excess(mid) < 0
        if upper:
            lo, hi = (mid, hi) if inside else (lo, mid)
        else:
            lo, hi = (lo, mid) if inside else (mid, hi)
    return (lo + hi) / 2


@pytest.mark.parametrize(
    ("successes", "trials"), [(13, 24), (6, 24), (5, 24), (1, 5), (4, 5), (21, 23), (12, 30)]
)
def test_closed_form_agrees_with_inverting_the_score_test(successes: int, trials: int) -> None:
    low, high = wilson_interval(successes, trials)
    assert low == pytest.approx(_score_test_bound(successes, trials, upper=False), abs=1e-9)
    assert high == pytest.approx(_score_test_bound(successes, trials, upper=True), abs=1e-9)


def test_thirteen_of_twenty_four_reads_as_the_report_would() -> None:
    share = Share(13, 24)
    assert share.percent == 54
    assert share.interval_percent == (35, 72)
    assert share.text == "13 of 24: 54%, 95% CI 35%\u201372%"


def test_all_or_nothing_shares_reach_the_ends_of_the_scale() -> None:
    assert wilson_interval(0, 5)[0] == 0.0
    assert wilson_interval(5, 5)[1] == 1.0
    assert Share(5, 5).interval_percent == (57, 100)


def test_empty_sample_has_no_percentage_or_interval() -> None:
    share = Share(0, 0)
    assert share.percent is None
    assert share.interval is None
    assert share.text == "0 of 0"


@pytest.mark.parametrize(("successes", "trials"), [(1, 0), (-1, 5), (6, 5)])
def test_impossible_counts_are_refused(successes: int, trials: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, trials)


def test_whole_percent_rounds_half_up() -> None:
    assert whole_percent(0.125) == 13
    assert whole_percent(0.5416) == 54
    assert whole_percent(0.205) == 21
