"""One display function for percentages: half up, never half to even nor down."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
import yaml

from auditapp.domain.grades import Grade
from auditapp.domain.grading import grade_case
from auditapp.domain.percentages import (
    percent,
    percent_beside,
    percent_text,
    round_half_up,
    whole_percent,
)
from auditapp.domain.question_sets import GradingRule, load_question_set


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (57.65, 1, "57.7"),  # half up; a float's 57.649999... would round down
        (2.5, 0, "3"),  # half to even would give 2
        (3.5, 0, "4"),
        (0.125, 2, "0.13"),
        (1.005, 2, "1.01"),  # the float is 1.00499999...: read as written
        (Decimal("12.45"), 1, "12.5"),
        (7, 0, "7"),
        (57.64, 1, "57.6"),
    ],
)
def test_round_half_up(value: float, places: int, expected: str) -> None:
    assert round_half_up(value, places) == Decimal(expected)


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (15 / 26, "57.7%"),  # 57.6923...%: the 57.69% read 57.6%
        (0.5769, "57.7%"),
        (0.57649, "57.6%"),
        (0.57650, "57.7%"),
        (0.8, "80%"),  # whole: no ".0"
        (1.0, "100%"),
        (0.0, "0%"),
        (1 / 3, "33.3%"),
        (2 / 3, "66.7%"),
        (0.145, "14.5%"),
        (None, "\u2013"),
    ],
)
def test_percent_text_rounds_half_up_to_one_place(fraction: float | None, expected: str) -> None:
    assert percent_text(fraction) == expected


def test_percent_text_whole_and_fixed_places() -> None:
    assert percent_text(0.125, 0) == "13%"
    assert percent_text(0.375, 0) == "38%"
    assert percent_text(0.665, 0) == "67%"
    assert percent_text(0.05, 1, fixed=True) == "5.0%"
    assert percent_text(-0.0001, 1) == "0%"  # never "-0%"


def test_whole_percent_and_percent_agree_with_exact_arithmetic() -> None:
    """Against Fraction arithmetic: every k/n for n up to 60 rounds as a person would."""
    for n in range(1, 61):
        for k in range(n + 1):
            exact = Fraction(k * 100, n)
            expected = int(exact + Fraction(1, 2)) if exact >= 0 else None
            assert whole_percent(k / n) == expected, (k, n)
            tenths = int(exact * 10 + Fraction(1, 2))
            assert percent(k / n, 1) == Decimal(tenths) / 10, (k, n)


def test_percent_beside_adds_places_only_where_it_would_read_as_the_other() -> None:
    assert percent_beside(0.7996, 0.8) == "79.96%"
    assert percent_beside(0.79996, 0.8) == "79.996%"
    assert percent_beside(0.7, 0.8) == "70%"
    assert percent_beside(0.8, 0.8) == "80%"


QS = load_question_set(
    yaml.safe_dump(
        {
            "case_type": "test-type",
            "case_type_name": "Test",
            "version": 1,
            "title": "Test",
            "sections": [
                {
                    "id": "only",
                    "title": "Only",
                    "questions": [
                        {"id": f"Q{n:02d}", "text": f"Question {n}?", "type": "yes_no"}
                        for n in range(1, 27)
                    ],
                }
            ],
        },
        sort_keys=False,
    )
)


def test_grade_explanation_rounds_the_score_half_up() -> None:
    # 15 of 26 met = 57.69%: shown as 57.7%, as on every other page.
    answers = {f"Q{n:02d}": "yes" if n <= 15 else "no" for n in range(1, 27)}
    result = grade_case(QS, answers)
    assert result.grade is Grade.REQUIRES_IMPROVEMENT
    assert any(line.endswith("= 57.7%.") for line in result.explanation), result.explanation
    assert "57.7% is at least 50% but below 80%" in " ".join(result.explanation)
    assert "57.6%" not in " ".join(result.explanation)


def test_a_score_just_below_a_threshold_never_reads_as_the_threshold() -> None:
    rule = GradingRule(good_threshold=0.5770, requires_improvement_threshold=0.3)
    answers = {f"Q{n:02d}": "yes" if n <= 15 else "no" for n in range(1, 27)}
    result = grade_case(QS, answers, rule=rule)
    text = " ".join(result.explanation)
    assert result.grade is Grade.REQUIRES_IMPROVEMENT
    assert "57.69% is at least 30% but below 57.7%" in text
    assert "= 57.69%." in text  # the score line agrees with the comparison
