"""Weighted scores that floating point lands a hair below a threshold still reach it."""

from __future__ import annotations

from typing import Any

import pytest

from auditapp.domain.grades import Grade
from auditapp.domain.grading import grade_case
from tests.unit.test_grading import make_set, yes_no


def _weighted_set(weights: list[float]) -> Any:
    return make_set([yes_no(f"Q{i}", weight=w) for i, w in enumerate(weights, start=1)])


@pytest.mark.parametrize(
    ("weights", "met", "threshold", "grade", "words"),
    [
        # 0.6 / (0.6 + 0.15) is 0.7999999999999999 in floating point: exactly 80% by hand.
        ([0.6, 0.15], 1, 0.8, Grade.GOOD, "80% is at least 80%"),
        # 0.1 + 0.7 met out of 0.1 + 0.7 + 0.2: also a hair below 0.8.
        ([0.1, 0.7, 0.2], 2, 0.8, Grade.GOOD, "80% is at least 80%"),
        # 0.3 / (0.3 + 0.1 + 0.2) is 0.4999999999999999: exactly 50% by hand.
        ([0.3, 0.1, 0.2], 1, 0.5, Grade.REQUIRES_IMPROVEMENT, "50% is at least 50%"),
    ],
)
def test_weighted_score_a_hair_below_a_threshold_reaches_it(
    weights: list[float], met: int, threshold: float, grade: Grade, words: str
) -> None:
    qs = _weighted_set(weights)
    answers = {f"Q{i}": ("yes" if i <= met else "no") for i in range(1, len(weights) + 1)}

    result = grade_case(qs, answers)

    met_weight = sum(weights[:met])
    raw = met_weight / (met_weight + sum(weights[met:]))
    assert raw < threshold, "the fixture must land below the threshold in floating point"
    assert result.grade is grade
    assert any(words in line for line in result.explanation)
