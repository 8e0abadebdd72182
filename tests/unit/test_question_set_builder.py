"""The builder's edits of a draft's data, and each problem sorted to its form field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from auditapp.domain.question_set_builder import (
    DOWN,
    UP,
    question_cells,
    question_from_cells,
    question_problems_by_field,
    with_option_moved,
    with_question,
    with_question_moved,
    with_section_moved,
    without_section,
)
from auditapp.domain.question_sets import (
    QuestionSetError,
    QuestionSetProblem,
    question_set_from_data,
)
from auditapp.domain.question_sets.spreadsheet_layout import QUESTION_COLUMNS

DATA: dict[str, Any] = {
    "case_type": "x", "case_type_name": "X", "version": 1, "title": "X", "kind": "case",
    "sections": [
        {"id": "a", "title": "A", "questions": [
            {"id": "Q1", "text": "One?", "type": "yes_no"},
            {"id": "Q2", "text": "Two?", "type": "choice", "options": [
                {"value": "low", "label": "Low", "outcome": "met"},
                {"value": "high", "label": "High", "outcome": "not_met"}]},
        ]},
        {"id": "b", "title": "B", "questions": [
            {"id": "Q3", "text": "Three?", "type": "yes_no",
             "show_if": {"question": "Q1", "equals": ["yes"]}},
        ]},
    ],
}  # fmt: skip


def _ids(data: dict[str, Any]) -> list[str]:
    return [q["id"] for s in data["sections"] for q in s["questions"]]


def test_edits_return_a_copy_and_leave_the_data_alone() -> None:
    before = copy.deepcopy(DATA)
    with_question_moved(DATA, "Q2", UP)
    with_section_moved(DATA, "b", UP)
    with_option_moved(DATA, "Q2", "high", UP)
    without_section(DATA, "b")
    with_question(DATA, {"id": "Q9", "text": "Nine?", "type": "yes_no"}, section_id="a")
    assert before == DATA


def test_moves_swap_with_the_neighbour_and_stop_at_either_end() -> None:
    assert _ids(with_question_moved(DATA, "Q2", UP)) == ["Q2", "Q1", "Q3"]
    assert [s["id"] for s in with_section_moved(DATA, "b", UP)["sections"]] == ["b", "a"]
    moved = with_option_moved(DATA, "Q2", "high", UP)
    assert [o["value"] for o in moved["sections"][0]["questions"][1]["options"]] == ["high", "low"]
    for edit in (
        lambda: with_question_moved(DATA, "Q1", UP),
        lambda: with_question_moved(DATA, "Q3", DOWN),
        lambda: with_section_moved(DATA, "a", UP),
        lambda: with_option_moved(DATA, "Q2", "high", DOWN),
        lambda: with_question_moved(DATA, "Q404", UP),
    ):
        with pytest.raises(LookupError):
            edit()


def test_a_question_replaces_in_place_or_is_added_to_its_section_or_a_new_one() -> None:
    replaced = with_question(DATA, {"id": "Q1", "text": "New?", "type": "yes_no"}, replacing="Q1")
    assert replaced["sections"][0]["questions"][0]["text"] == "New?"
    added = with_question(DATA, {"id": "Q9", "text": "?", "type": "yes_no"}, section_id="a")
    assert _ids(added) == ["Q1", "Q2", "Q9", "Q3"]
    new = with_question(
        DATA, {"id": "Q9", "text": "?", "type": "yes_no"}, section_id="c", section_title="C"
    )
    assert new["sections"][-1] == {
        "id": "c",
        "title": "C",
        "questions": [new["sections"][-1]["questions"][0]],
    }


def test_a_section_moved_above_the_one_it_depends_on_fails_the_one_validation() -> None:
    with pytest.raises(QuestionSetError) as raised:
        question_set_from_data(with_section_moved(DATA, "b", UP))
    placed = question_problems_by_field(raised.value.errors, "sections[0].questions[0]")
    assert "Q1 comes later" in " ".join(placed["show_if"])


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("sections[1].questions[0].show_if", "show_if"),
        ("sections[1].questions[0].show_if.equals[1]", "show_if"),
        ("sections[1].questions[0].check", "check_start"),
        ("sections[1].questions[0].check.partly_within", "check_partly_within"),
        ("sections[1].questions[0].check.within_by.thresholds.low", "check_thresholds"),
        ("sections[1].questions[0].critical", "critical"),
        ("sections[1].questions[0].options[1].value", "options-4-value"),
        ("sections[1].questions[0].options", "options"),
        ("sections[0].questions[0].text", ""),
    ],
)
def test_each_problem_goes_to_its_field(path: str, field: str) -> None:
    placed = question_problems_by_field(
        [QuestionSetProblem(path, "wrong")], "sections[1].questions[0]", option_rows=[0, 4]
    )
    assert list(placed) == [field]
    assert placed[field] == (["wrong"] if field else [f"{path}: wrong"])


def test_every_column_reads_back_from_its_cell() -> None:
    question = {
        "id": "Q5", "text": "Seen in time?", "type": "derived", "guidance": "Look",
        "show_if": {"question": "Q1", "equals": ["yes", "partly"]}, "weight": 2,
        "required": False, "critical": True, "recommendations": ["R1", "AFI2"],
        "check": {"start": "Q6", "end": "Q7", "within": "2 days", "partly_within": "5 days",
                  "within_by": {"question": "Q2", "thresholds": {"low": "3 days"}}},
    }  # fmt: skip
    cells = question_cells(question)
    assert set(cells) <= {c.name for c in QUESTION_COLUMNS}
    read, problems = question_from_cells(cells)
    assert problems == [] and read == question
