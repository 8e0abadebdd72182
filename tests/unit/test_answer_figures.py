"""Every kind of answer in figures, against hand-worked counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditapp.domain.aggregation.answers import (
    FigureKind,
    answered_figures,
    elapsed_figures,
    figure_kind,
    frequency_figures,
    number_figures,
    yes_no_figures,
)
from auditapp.domain.question_sets import Option, Question

ACCOMMODATION = Question(
    id="CD13",
    section_id="s",
    text="What kind of accommodation was asked for?",
    type="choice",
    graded=False,
    allow_na=True,
    options=(
        Option("alternative", "Alternative accommodation"),
        Option("secure", "Secure accommodation"),
        Option("not_asked", "None was asked for"),
    ),
)
VOICE = Question(
    id="DA07",
    section_id="s",
    text="VOICE",
    type="checklist",
    options=(Option("v", "Vulnerability"), Option("o", "Observation"), Option("i", "Intelligence")),
)
HOURS = Question(id="CD16", section_id="s", text="Hours", type="number", graded=False)


def test_choice_question_is_a_frequency_table_over_the_cases_that_answered() -> None:
    figures = frequency_figures(
        ACCOMMODATION, {"secure": 3, "alternative": 1, "not_asked": 1, "na": 2}
    )
    assert figures.kind is FigureKind.FREQUENCIES
    assert (figures.answered, figures.not_applicable) == (5, 2)
    assert [(v.value, v.cases, v.of) for v in figures.values] == [
        ("alternative", 1, 5),
        ("secure", 3, 5),
        ("not_asked", 1, 5),
    ]
    assert "Secure accommodation in 3 of 5 cases" in figures.text


def test_checklist_counts_each_option_ticked_and_cases_with_none() -> None:
    counts = {json.dumps(["v", "o"]): 2, json.dumps(["o"]): 1, "[]": 2}
    figures = frequency_figures(VOICE, counts)
    by_value = {v.value: v.cases for v in figures.values}
    assert by_value == {"v": 2, "o": 3, "i": 0, "[]": 2}
    assert figures.answered == 5
    assert "None of these in 2 of 5 cases" in figures.text


def test_numbers_give_median_and_range() -> None:
    figures = number_figures(HOURS, {"3": 1, "9": 2, "24": 1})
    assert (figures.median_value, figures.low_value, figures.high_value) == (9, 3, 24)
    assert figures.text == "median 9, range 3 to 24, over 4 cases"
    even = number_figures(HOURS, {"3": 1, "4": 1})
    assert even.median == "3.5"


def test_ungraded_yes_no_reads_yes_in_x_of_y_with_no_met_words() -> None:
    figures = yes_no_figures(3, 0, 2, 1)
    assert figures.text == "yes in 3 of 5 cases"
    assert "met" not in figures.text
    assert [v.value for v in figures.values] == ["yes", "no"]


def test_timeliness_check_gives_elapsed_distribution_and_share_within_target() -> None:
    times = [timedelta(days=188), timedelta(days=3), timedelta(days=10)]
    figures = elapsed_figures(
        times, met=2, partly_met=0, applicable=3, not_applicable=0, target=timedelta(days=14)
    )
    assert figures.median == "10 days"
    assert (figures.low, figures.high) == ("3 days", "188 days")
    assert figures.text == (
        "median 10 days, range 3 days to 188 days, over 3 cases; "
        "within target in 2 of 3 cases (target 14 days)"
    )


def test_text_questions_are_counted_as_answered() -> None:
    assert answered_figures(4, 1).text == "answered in 4 cases (1 not applicable)"
    assert answered_figures(0, 0).text == "no cases answered"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (ACCOMMODATION, FigureKind.FREQUENCIES),
        (VOICE, FigureKind.FREQUENCIES),
        (HOURS, FigureKind.NUMBER),
        (Question(id="A", section_id="s", text="t", graded=False), FigureKind.YES_NO),
        (Question(id="A", section_id="s", text="t"), FigureKind.GRADED),
        (Question(id="A", section_id="s", text="t", type="text"), FigureKind.ANSWERED),
    ],
)
def test_each_kind_of_question_has_its_kind_of_figure(question: Question, kind: FigureKind) -> None:
    assert figure_kind(question) is kind


@given(st.dictionaries(st.integers(-1000, 1000), st.integers(1, 20), min_size=1))
def test_median_lies_within_the_range_and_counts_every_case(counts: dict[int, int]) -> None:
    figures = number_figures(HOURS, {str(k): v for k, v in counts.items()})
    assert figures.low_value is not None and figures.high_value is not None
    assert figures.median_value is not None
    assert figures.low_value <= figures.median_value <= figures.high_value
    assert figures.answered == sum(counts.values())
