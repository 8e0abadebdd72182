"""Number answers are bounded (15 significant digits, below 10^12); unsafe stored ones are text."""

from __future__ import annotations

import pytest

from auditapp.domain.question_sets import AnswerError, Question, answer_words, normalise_answer
from auditapp.domain.question_sets.answers import safe_number


def number_question(*, whole_number: bool = False) -> Question:
    """A number question; decimals allowed unless ``whole_number``."""
    return Question(
        id="Q1", section_id="S1", text="How many?", type="number", whole_number=whole_number
    )


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("999999999999", "999999999999"),
        ("999,999,999,999", "999999999999"),
        ("123456789.012345", "123456789.012345"),
        ("0.000000000000001", "0.000000000000001"),
        ("1200.50", "1200.5"),
        ("0", "0"),
    ],
)
def test_numbers_within_the_bounds_are_accepted(raw: str, stored: str) -> None:
    assert normalise_answer(number_question(), raw) == stored


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1000000000000", "smaller than 1,000,000,000,000"),
        ("9" * 310, "15 digits or fewer"),
        ("1" + "0" * 4300, "15 digits or fewer"),
        ("9" * 4_000_000, "15 digits or fewer"),
        ("1.23456789012345678901234567891", "15 significant digits or fewer"),
        ("1.2345678901234567", "15 significant digits or fewer"),
        ("NaN", "Enter a number"),
        ("inf", "Enter a number"),
        ("1e400", "Enter a number"),
    ],
)
def test_numbers_outside_the_bounds_are_refused_with_a_message(raw: str, message: str) -> None:
    with pytest.raises(AnswerError) as caught:
        normalise_answer(number_question(), raw)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("stored", "number"),
    [
        ("3", 3),
        ("-0", 0),
        ("2.5", 2.5),
        ("999999999999", 999_999_999_999),
        ("0.000000000000001", 1e-15),
        ("9" * 310, None),
        ("1" + "0" * 4300, None),
        ("1.23456789012345678901234567891", None),
        ("1000000000000", None),
        ("NaN", None),
        ("inf", None),
        ("-Infinity", None),
        ("1e400", None),
        ("lots", None),
        ("", None),
    ],
)
def test_safe_number_reads_only_numbers_a_spreadsheet_holds_exactly(
    stored: str, number: int | float | None
) -> None:
    assert safe_number(stored) == number


@pytest.mark.parametrize("stored", ["9" * 310, "1" + "0" * 4300, "NaN", "1e400"])
def test_an_unsafe_stored_number_is_worded_as_stored(stored: str) -> None:
    assert answer_words(number_question(), stored) == stored
