"""The weighted (stratified) headline estimate against a hand-worked example, and its rules."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditapp.domain.aggregation import StratumGrades, weighted_headline
from auditapp.domain.statistics import (
    Share,
    StratumCount,
    stratified_share,
    unequal_fractions,
    wilson_interval,
)

# Worked by hand (README, "Findings rules"): stratum A lists 100 cases, 10 counted, 2 with the
# property; stratum B lists 20 cases, 10 counted, 5 with it. The plain share, 7 of 20, is 35%:
# it counts B's cases as if B were as large as A.
#   W_A = 100/120 = 5/6, W_B = 1/6
#   p   = 5/6 x 0.2 + 1/6 x 0.5 = 0.25
#   v   = (5/6)^2 x (1 - 10/100) x 0.2 x 0.8 / 9 + (1/6)^2 x (1 - 10/20) x 0.5 x 0.5 / 9
#       = 0.0111111 + 0.0003858 = 0.0114969
#   n_eff = 0.25 x 0.75 / 0.0114969 = 16.309
#   Wilson at p = 0.25, n = 16.309: centre 0.29766, half-width 0.19498 -> 10.3% to 49.3%
WORKED = [StratumCount("A", 100, 10, 2), StratumCount("B", 20, 10, 5)]


def test_stratified_share_matches_the_hand_worked_example() -> None:
    share = stratified_share(WORKED)
    assert share is not None
    assert share.estimate == pytest.approx(0.25)
    assert share.variance == pytest.approx(0.0114969, abs=1e-7)
    assert share.effective_cases == pytest.approx(16.309, abs=1e-3)
    assert share.low == pytest.approx(0.1027, abs=1e-4)
    assert share.high == pytest.approx(0.4926, abs=1e-4)
    assert share.percent == 25
    assert share.ci_text == "95% CI 10%\u201349%"
    assert share.cases == 20


def test_equal_fractions_give_the_plain_share() -> None:
    # Sampled at the same fraction, the weights are the strata's shares of the sample.
    share = stratified_share([StratumCount("A", 100, 10, 2), StratumCount("B", 50, 5, 3)])
    assert share is not None
    assert share.estimate == pytest.approx(5 / 15)


def test_one_stratum_taken_whole_has_no_sampling_error() -> None:
    share = stratified_share([StratumCount("A", 5, 5, 1)])
    assert share is not None
    assert share.variance == 0
    # With no variance the interval falls back to Wilson's at the cases counted.
    assert (share.low, share.high) == pytest.approx(wilson_interval(1, 5))


def test_strata_with_no_case_counted_are_left_out_of_the_weights() -> None:
    share = stratified_share([StratumCount("A", 100, 10, 2), StratumCount("B", 900, 0, 0)])
    assert share is not None
    assert share.estimate == pytest.approx(0.2)
    assert stratified_share([StratumCount("A", 10, 0, 0)]) is None


@pytest.mark.parametrize(
    "stratum",
    [StratumCount("A", 5, 6, 1), StratumCount("A", 10, 5, 6), StratumCount("A", 10, 5, -1)],
)
def test_impossible_strata_are_refused(stratum: StratumCount) -> None:
    with pytest.raises(ValueError, match="A"):
        stratified_share([stratum])


def test_unequal_fractions_compares_exact_fractions() -> None:
    assert not unequal_fractions([(10, 100), (2, 20), (1, 10)])
    assert unequal_fractions([(10, 100), (10, 20)])
    assert not unequal_fractions([(5, 5)])


def test_a_share_of_cases_refuses_half_a_case() -> None:
    with pytest.raises(ValueError, match="whole number"):
        wilson_interval(2.5, 5)
    with pytest.raises(ValueError, match="whole number"):
        _ = Share(2.5, 5).interval  # type: ignore[arg-type]


def test_weighted_headline_only_for_unequal_sampling_fractions() -> None:
    same = [
        StratumGrades("A", 100, 10, {"good": 5, "inadequate": 5}),
        StratumGrades("B", 50, 5, {"good": 5}),
    ]
    assert weighted_headline(same) is None
    unequal = [
        StratumGrades("A", 100, 10, {"good": 2, "inadequate": 8}),
        StratumGrades("B", 20, 10, {"good": 5, "requires_improvement": 5}),
    ]
    headline = weighted_headline(unequal)
    assert headline is not None
    by_grade = {w.grade: w.share for w in headline.grades}
    assert by_grade["good"].estimate == pytest.approx(5 / 6 * 0.2 + 1 / 6 * 0.5)
    assert by_grade["inadequate"].estimate == pytest.approx(5 / 6 * 0.8)
    assert by_grade["requires_improvement"].estimate == pytest.approx(1 / 6 * 0.5)
    assert headline.text.startswith("Weighted for the sampling (2 strata, 20 graded cases): ")
    assert "good 25% (95% CI " in headline.text


@given(
    st.lists(
        st.tuples(st.integers(1, 200), st.integers(0, 200), st.integers(0, 200)).map(
            lambda t: (t[0] + t[1], min(t[1] + 1, t[0] + t[1]), t[2])
        ),
        min_size=1,
        max_size=6,
    )
)
def test_stratified_estimate_lies_in_its_interval_and_among_the_strata(
    raw: list[tuple[int, int, int]],
) -> None:
    strata = [
        StratumCount(f"S{i}", frame, cases, count % (cases + 1))
        for i, (frame, cases, count) in enumerate(raw)
    ]
    share = stratified_share(strata)
    assert share is not None
    rates = [s.count / s.cases for s in strata]
    assert min(rates) - 1e-9 <= share.estimate <= max(rates) + 1e-9
    assert 0 <= share.low <= share.estimate + 1e-9
    assert share.estimate - 1e-9 <= share.high <= 1
    assert 0 < share.effective_cases <= share.cases
    assert math.isfinite(share.variance) and share.variance >= 0
