"""Percentage agreement and Cohen's kappa, against examples worked by hand."""

from __future__ import annotations

import pytest

from auditapp.domain.agreement import (
    GRADE_SCALE,
    AgreementError,
    Weighting,
    agreement,
    agreement_by,
    cohen_kappa,
    kappa_band,
    percentage_agreement,
    question_agreement,
)

G, RI, INA = "good", "requires_improvement", "inadequate"


def table(counts: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """Pairs from a contingency table {(first, second): count}."""
    return [pair for pair, count in counts.items() for _ in range(count)]


# A 3 x 3 table worked by hand (rows = first grade, columns = second grade), n = 10:
#            I  RI  G   | row
#      I     2   1  0   |  3
#      RI    1   3  1   |  5
#      G     0   0  2   |  2
#      col   3   4  3   | 10
# p_o = 7/10; p_e = (3x3 + 5x4 + 2x3)/100 = 35/100; kappa = (0.70 - 0.35)/0.65 = 7/13.
# Linear weights: near miss 1/2, far miss 1. Observed disagreement = 3 x 1/2 / 10 = 0.15.
#   Expected: near cells .3x.4 + .5x.3 + .5x.3 + .2x.4 = .50, far cells .3x.3 + .2x.3 = .15,
#   so .50/2 + .15 = .40 and kappa_linear = 1 - .15/.40 = 5/8.
# Quadratic weights: near miss 1/4. Observed = 3/4/10 = .075; expected = .50/4 + .15 = .275;
#   kappa_quadratic = 1 - .075/.275 = 8/11.
HAND_TABLE = table({(INA, INA): 2, (INA, RI): 1, (RI, INA): 1, (RI, RI): 3, (RI, G): 1, (G, G): 2})


def test_perfect_agreement_gives_kappa_one_for_every_weighting() -> None:
    pairs = [(G, G), (RI, RI), (INA, INA), (INA, INA), (G, G)]
    assert percentage_agreement(pairs) == 1.0
    for weighting in Weighting:
        assert cohen_kappa(pairs, GRADE_SCALE, weighting) == 1.0


def test_chance_level_agreement_gives_kappa_zero() -> None:
    # Each rater says good half the time and inadequate half the time, independently:
    # p_o = 1/2 and p_e = 1/2 x 1/2 + 1/2 x 1/2 = 1/2, so kappa = 0.
    pairs = [(G, G), (G, INA), (INA, G), (INA, INA)]
    assert percentage_agreement(pairs) == 0.5
    for weighting in Weighting:
        assert cohen_kappa(pairs, GRADE_SCALE, weighting) == pytest.approx(0.0)


def test_wikipedia_worked_example_gives_kappa_point_four() -> None:
    # en.wikipedia.org/wiki/Cohen's_kappa, "Simple example": 50 proposals, two readers.
    # Both yes 20, A yes B no 5, A no B yes 10, both no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    pairs = table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    assert percentage_agreement(pairs) == pytest.approx(0.7)
    assert cohen_kappa(pairs, ("yes", "no")) == pytest.approx(0.4)


def test_unweighted_kappa_of_hand_worked_three_grade_table() -> None:
    assert percentage_agreement(HAND_TABLE) == pytest.approx(0.7)
    assert cohen_kappa(HAND_TABLE) == pytest.approx(7 / 13)


def test_linear_weighted_kappa_of_hand_worked_table() -> None:
    assert cohen_kappa(HAND_TABLE, GRADE_SCALE, Weighting.LINEAR) == pytest.approx(5 / 8)


def test_quadratic_weighted_kappa_of_hand_worked_table() -> None:
    assert cohen_kappa(HAND_TABLE, GRADE_SCALE, Weighting.QUADRATIC) == pytest.approx(8 / 11)


def test_weighted_kappa_penalises_a_far_miss_more_than_a_near_miss() -> None:
    agreed = [(G, G), (RI, RI), (INA, INA)] * 3
    near = [*agreed, (G, RI)]
    far = [*agreed, (G, INA)]
    near_kappa = cohen_kappa(near, GRADE_SCALE, Weighting.LINEAR)
    far_kappa = cohen_kappa(far, GRADE_SCALE, Weighting.LINEAR)
    assert near_kappa is not None and far_kappa is not None
    assert near_kappa > far_kappa
    # Unweighted kappa cannot tell the two apart.
    assert cohen_kappa(near) == pytest.approx(cohen_kappa(far))


def test_two_category_weighted_kappa_equals_unweighted() -> None:
    pairs = table({(G, G): 4, (G, INA): 1, (INA, G): 2, (INA, INA): 3})
    plain = cohen_kappa(pairs)
    assert cohen_kappa(pairs, (INA, G), Weighting.LINEAR) == pytest.approx(plain)
    assert cohen_kappa(pairs, (INA, G), Weighting.QUADRATIC) == pytest.approx(plain)


def test_worse_than_chance_gives_negative_kappa() -> None:
    kappa = cohen_kappa([(G, INA), (INA, G), (G, INA), (INA, G)])
    assert kappa == pytest.approx(-1.0)


def test_kappa_is_undefined_when_every_grade_is_the_same() -> None:
    assert cohen_kappa([(G, G), (G, G)]) is None


def test_no_pairs_give_no_figures() -> None:
    result = agreement([])
    assert result.compared == 0
    assert result.percent is None
    assert result.kappa is None


def test_grade_off_the_scale_is_refused() -> None:
    with pytest.raises(AgreementError, match="'excellent' is not one of"):
        cohen_kappa([(G, "excellent")])


def test_agreement_summarises_counts_and_every_kappa() -> None:
    result = agreement(HAND_TABLE)
    assert (result.compared, result.agreed, result.disagreed) == (10, 7, 3)
    assert result.percent == pytest.approx(0.7)
    assert result.kappa == pytest.approx(7 / 13)
    assert result.linear_kappa == pytest.approx(5 / 8)
    assert result.quadratic_kappa == pytest.approx(8 / 11)


def test_agreement_by_group_keeps_groups_apart() -> None:
    rows = [("Alex", G, G), ("Alex", INA, INA), ("Sam", G, INA), ("Sam", RI, RI)]
    result = agreement_by(rows)
    assert list(result) == ["Alex", "Sam"]
    assert result["Alex"].percent == 1.0
    assert result["Sam"].percent == 0.5
    assert result["Sam"].agreed == 1


def test_question_agreement_puts_most_disagreement_first() -> None:
    rows = [
        ("DA02", "met", "met"),
        ("DA02", "met", "met"),
        ("DA04", "met", "not_met"),
        ("DA04", "partly_met", "not_met"),
        ("DA05", "met", "not_applicable"),
        ("DA05", "met", "met"),
        ("DA09", "hidden", "hidden"),  # neither audit judged it: not compared
        ("DA10", "hidden", "met"),  # shown to one audit only: a disagreement
    ]
    result = question_agreement(rows)
    assert [q.question_id for q in result] == ["DA04", "DA10", "DA05", "DA02"]
    da04 = result[0]
    assert (da04.compared, da04.agreed, da04.disagreed, da04.percent) == (2, 0, 2, 0.0)
    assert result[-1].percent == 1.0


@pytest.mark.parametrize(
    ("kappa", "words"),
    [
        (None, "not defined"),
        (-0.1, "worse than chance"),
        (0.0, "slight"),
        (0.4, "fair"),
        (7 / 13, "moderate"),
        (5 / 8, "substantial"),
        (1.0, "almost perfect"),
    ],
)
def test_kappa_is_described_in_landis_and_koch_words(kappa: float | None, words: str) -> None:
    assert kappa_band(kappa) == words
