"""The one wording of stored answers: every answer type, empty, not applicable and bad values."""

from __future__ import annotations

from typing import cast

import pytest

from auditapp.domain.grades import Outcome
from auditapp.domain.question_sets import (
    Option,
    Question,
    QuestionType,
    answer_words,
    option_words,
)

PRIORITY = (
    Option("high", "High", Outcome.NOT_MET),
    Option("medium", "Medium", Outcome.PARTLY_MET),
    Option("low", "Low", Outcome.MET),
)
VOICE = (
    Option("vulnerability", "Vulnerability"),
    Option("observation", "Observation"),
    Option("curiosity", "Curiosity and communication"),
)


def question(kind: str, *, allow_na: bool = False) -> Question:
    """A question of one answer type; choice and checklist questions get options."""
    options = {"choice": PRIORITY, "checklist": VOICE}.get(kind, ())
    return Question(
        id="Q1",
        section_id="S1",
        text="A question",
        type=cast(QuestionType, kind),
        options=options,
        allow_na=allow_na,
    )


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        ("yes_no", "yes", "Yes"),
        ("yes_no", "partly", "Partly"),
        ("yes_no", "no", "No"),
        ("choice", "medium", "Medium"),
        (
            "checklist",
            '["vulnerability","curiosity"]',
            "Vulnerability, Curiosity and communication",
        ),
        ("checklist", '["observation"]', "Observation"),
        ("checklist", "[]", "None of these"),
        ("number", "3", "3"),
        ("number", "0", "0"),
        ("number", "2.5", "2.5"),
        ("number", "1000", "1,000"),
        ("number", "1234567.25", "1,234,567.25"),
        ("date", "2022-09-05", "5 September 2022"),
        ("date", "2022-12-25", "25 December 2022"),
        ("datetime", "2022-09-05T14:30", "5 September 2022, 14:30"),
        ("datetime", "2022-09-05T09:05", "5 September 2022, 09:05"),
        ("datetime", "2023-01-01T00:00", "1 January 2023, 00:00"),
        ("text", "Seen at school", "Seen at school"),
    ],
)
def test_each_answer_type_is_worded(kind: str, value: str, words: str) -> None:
    assert answer_words(question(kind), value) == words


@pytest.mark.parametrize(
    "kind", ["yes_no", "choice", "checklist", "number", "date", "datetime", "text", "derived"]
)
@pytest.mark.parametrize("value", [None, ""])
def test_an_empty_answer_is_not_answered(kind: str, value: str | None) -> None:
    assert answer_words(question(kind), value) == "Not answered"


@pytest.mark.parametrize(
    "kind", ["yes_no", "choice", "checklist", "number", "date", "datetime", "text"]
)
def test_na_is_not_applicable_where_the_question_allows_it(kind: str) -> None:
    assert answer_words(question(kind, allow_na=True), "na") == "Not applicable"


def test_na_typed_into_a_text_question_without_na_is_the_auditors_text() -> None:
    # normalise_answer stores "na" as typed when the question has no not-applicable option.
    assert answer_words(question("text"), "na") == "na"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("yes_no", "maybe"),
        ("choice", "urgent"),
        ("checklist", "not json"),
        ("number", "lots"),
        ("date", "2022-02-31"),
        ("date", "05/09/2022"),
        ("datetime", "2022-09-05 14:30:00"),
        ("datetime", "soon"),
    ],
)
def test_a_value_the_question_cannot_read_is_shown_as_stored(kind: str, value: str) -> None:
    assert answer_words(question(kind), value) == value


def test_an_unknown_ticked_option_is_shown_as_stored_beside_the_known_ones() -> None:
    assert answer_words(question("checklist"), '["observation","telepathy"]') == (
        "Observation, telepathy"
    )


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        ("yes_no", "partly", "Partly"),
        ("choice", "high", "High"),
        ("checklist", "curiosity", "Curiosity and communication"),
        ("choice", "unknown", "unknown"),
    ],
)
def test_option_words_word_one_value(kind: str, value: str, words: str) -> None:
    assert option_words(question(kind), value) == words


def test_option_words_word_na_as_not_applicable_where_allowed() -> None:
    assert option_words(question("checklist", allow_na=True), "na") == "Not applicable"
