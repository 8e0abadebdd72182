"""The difference between two versions of a question set, as the review before publishing shows."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from auditapp.domain.question_sets import load_library, question_set_from_data, question_set_to_dict
from auditapp.domain.question_sets.diff import FieldChange, diff_question_sets
from auditapp.domain.question_sets.drafts import (
    NewQuestion,
    QuestionEdit,
    problems_by_field,
    question_count,
    with_new_question,
    with_question_edit,
    with_section_title,
    without_question,
)
from auditapp.domain.question_sets.errors import QuestionSetProblem

BASE: dict[str, Any] = {
    "case_type": "small",
    "case_type_name": "Small case",
    "version": 1,
    "title": "Small set",
    "kind": "case",
    "sections": [
        {
            "id": "first",
            "title": "First",
            "questions": [
                {"id": "Q1", "text": "Was the child seen?", "type": "yes_no"},
                {"id": "Q2", "text": "Was the child spoken to?", "type": "yes_no"},
                {"id": "Q3", "text": "When was the call?", "type": "datetime"},
            ],
        },
        {
            "id": "second",
            "title": "Second",
            "questions": [
                {"id": "Q4", "text": "Was a referral made?", "type": "yes_no", "critical": True},
                {"id": "Q5", "text": "Notes", "type": "text"},
            ],
        },
    ],
}


def _set(data: dict[str, Any]) -> Any:
    return question_set_from_data(data)


def _changed(**edits: Any) -> dict[str, Any]:
    """BASE with question fields changed: edits maps a question id to the fields to set."""
    data = copy.deepcopy(BASE)
    for section in data["sections"]:
        for question in section["questions"]:
            question.update(edits.get(question["id"], {}))
    return data


def _order(data: dict[str, Any], section: int, ids: list[str]) -> dict[str, Any]:
    by_id = {q["id"]: q for q in data["sections"][section]["questions"]}
    data["sections"][section]["questions"] = [by_id[i] for i in ids]
    return data


def test_the_same_set_has_no_differences() -> None:
    diff = diff_question_sets(_set(BASE), _set(copy.deepcopy(BASE)))
    assert diff.is_empty
    assert (diff.added, diff.removed, diff.changed, diff.settings) == ((), (), (), ())


def test_without_an_old_version_every_question_is_added() -> None:
    diff = diff_question_sets(None, _set(BASE))
    assert [entry.question.id for entry in diff.added] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert diff.added[3].section_title == "Second"
    assert not diff.is_empty


def test_an_added_question_is_listed_with_its_section() -> None:
    data = copy.deepcopy(BASE)
    data["sections"][1]["questions"].insert(0, {"id": "Q9", "text": "New?", "type": "yes_no"})
    diff = diff_question_sets(_set(BASE), _set(data))
    assert [(e.question.id, e.section_title, e.question.text) for e in diff.added] == [
        ("Q9", "Second", "New?")
    ]
    # Inserting one question does not mark the later ones as moved.
    assert diff.removed == () and diff.changed == ()


def test_a_removed_question_is_listed_with_its_old_section() -> None:
    data = copy.deepcopy(BASE)
    del data["sections"][0]["questions"][1]
    diff = diff_question_sets(_set(BASE), _set(data))
    assert [(e.question.id, e.section_title) for e in diff.removed] == [("Q2", "First")]
    assert diff.added == () and diff.changed == ()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"text": "Seen alone?"}, ("text", "Was the child seen?", "Seen alone?")),
        ({"guidance": "In person"}, ("guidance", "", "In person")),
        ({"critical": True}, ("critical", "No", "Yes")),
        ({"weight": 2.5}, ("weight", "1", "2.5")),
        ({"required": False}, ("required", "Yes", "No")),
        ({"allow_na": True}, ("allow_na", "No", "Yes")),
        ({"allow_partly": False}, ("allow_partly", "Yes", "No")),
        ({"graded": False}, ("graded", "Yes", "No")),
        ({"type": "text", "graded": False}, ("type", "yes no", "text")),
    ],
)  # fmt: skip
def test_a_changed_field_gives_its_old_and_new_value(
    fields: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    diff = diff_question_sets(_set(BASE), _set(_changed(Q1=fields)))
    assert [c.id for c in diff.changed] == ["Q1"]
    found = {(c.field, c.old, c.new) for c in diff.changed[0].changes}
    assert expected in found
    assert diff.added == () and diff.removed == ()


def test_a_condition_and_recommendations_are_worded() -> None:
    condition = {"question": "Q1", "equals": ["yes", "partly"]}
    new = _changed(Q2={"show_if": condition, "recommendations": ["R2", "R5"]})
    change = diff_question_sets(_set(BASE), _set(new)).changed[0]
    assert change.id == "Q2"
    assert FieldChange("show_if", "Shown when", "", "Q1 is yes or partly") in change.changes
    assert FieldChange("recommendations", "Recommendations", "", "R2, R5") in change.changes


def test_options_and_timeliness_checks_are_worded() -> None:
    library = {qs.case_type: qs for qs in load_library()}
    old = next(
        qs for qs in library.values() if any(q.check and q.check.within_by for q in qs.questions)
    )
    data = question_set_to_dict(old)
    derived = next(
        q for s in data["sections"] for q in s["questions"] if q.get("check", {}).get("within_by")
    )
    derived["check"]["within"] = "99 days"
    choice = next(q for s in data["sections"] for q in s["questions"] if q["type"] == "choice")
    choice["options"][0]["label"] = "Relabelled"
    diff = diff_question_sets(old, _set(data))
    by_id = {c.id: c for c in diff.changed}
    check = next(c for c in by_id[derived["id"]].changes if c.field == "check")
    assert "within 99 days" in check.new and "within 99 days" not in check.old
    assert f"by {derived['check']['within_by']['question']}:" in check.new
    options = next(c for c in by_id[choice["id"]].changes if c.field == "options")
    assert "Relabelled" in options.new and "Relabelled" not in options.old


def test_a_moved_question_is_the_only_one_marked_as_moved() -> None:
    new = _order(copy.deepcopy(BASE), 0, ["Q2", "Q3", "Q1"])
    diff = diff_question_sets(_set(BASE), _set(new))
    assert [c.id for c in diff.changed] == ["Q1"]
    assert diff.changed[0].changes == (FieldChange("position", "Position in the set", "1", "3"),)


def test_swapping_two_questions_marks_one_of_them() -> None:
    new = _order(copy.deepcopy(BASE), 0, ["Q2", "Q1", "Q3"])
    diff = diff_question_sets(_set(BASE), _set(new))
    assert len(diff.changed) == 1
    (change,) = diff.changed[0].changes
    assert change.field == "position" and {change.old, change.new} == {"1", "2"}


def test_a_question_moved_to_another_section_names_both_sections() -> None:
    data = copy.deepcopy(BASE)
    moved = data["sections"][1]["questions"].pop(0)  # Q4, the first of the second section
    data["sections"][0]["questions"].append(moved)
    diff = diff_question_sets(_set(BASE), _set(data))
    (change,) = diff.changed
    assert change.id == "Q4"
    assert FieldChange("section", "Section", "Second", "First") in change.changes
    # Still in the same place among the others: not marked as moved as well.
    assert all(c.field != "position" for c in change.changes)


def test_settings_and_section_titles_are_compared() -> None:
    data = copy.deepcopy(BASE)
    data["title"] = "Small set, revised"
    data["grading"] = {"good_threshold": 0.9}
    data["sections"][1]["title"] = "Referrals"
    diff = diff_question_sets(_set(BASE), _set(data))
    assert FieldChange("title", "Title", "Small set", "Small set, revised") in diff.settings
    assert FieldChange("grading.good_threshold", "Good from", "0.8", "0.9") in diff.settings
    assert (
        FieldChange("sections.second.title", "Title of section second", "Second", "Referrals")
        in diff.settings
    )
    assert diff.changed == ()  # renaming a section does not change its questions


def test_added_removed_changed_and_reordered_together() -> None:
    data = copy.deepcopy(BASE)
    first = data["sections"][0]["questions"]
    first[:] = [first[2], first[0]]  # Q3 first, Q2 removed
    first[1]["text"] = "Was the child seen and heard?"
    data["sections"][1]["questions"].append({"id": "Q6", "text": "Outcome?", "type": "yes_no"})
    diff = diff_question_sets(_set(BASE), _set(data))
    assert [e.question.id for e in diff.added] == ["Q6"]
    assert [e.question.id for e in diff.removed] == ["Q2"]
    changed = {c.id: {ch.field for ch in c.changes} for c in diff.changed}
    assert len(changed) == 2 and "Q1" in changed
    assert "text" in changed["Q1"]
    moved = [question_id for question_id, fields in changed.items() if "position" in fields]
    assert len(moved) == 1


@pytest.mark.parametrize("qs", load_library(), ids=lambda qs: qs.case_type)
def test_every_library_set_is_unchanged_from_itself(qs: Any) -> None:
    assert diff_question_sets(qs, _set(question_set_to_dict(qs))).is_empty


# The builder's edits on a draft's data ---------------------------------------------------------


def test_a_question_edit_sets_the_fields_and_leaves_defaults_out() -> None:
    edit = QuestionEdit(
        text="Seen?", guidance="", type="yes_no", graded=True, critical=True, weight=2.0,
        required=False,
    )  # fmt: skip
    data = with_question_edit(BASE, "Q1", edit)
    q1 = data["sections"][0]["questions"][0]
    assert q1 == {
        "id": "Q1", "text": "Seen?", "type": "yes_no", "graded": True, "critical": True,
        "weight": 2, "required": False,
    }  # fmt: skip
    assert BASE["sections"][0]["questions"][0]["text"] == "Was the child seen?"  # not changed
    back = with_question_edit(data, "Q1", QuestionEdit("Seen?", "", "yes_no", True, False, 1, True))
    assert "critical" not in back["sections"][0]["questions"][0]
    assert "weight" not in back["sections"][0]["questions"][0]


def test_edits_of_a_missing_question_or_section_are_refused() -> None:
    edit = QuestionEdit("x", "", "yes_no", True, False, 1, True)
    with pytest.raises(LookupError):
        with_question_edit(BASE, "Q99", edit)
    with pytest.raises(LookupError):
        with_section_title(BASE, "nowhere", "x")
    with pytest.raises(LookupError):
        without_question(BASE, "Q99")


def test_adding_and_removing_questions() -> None:
    data = with_new_question(BASE, NewQuestion("second", "", "Q6", "Outcome?", "yes_no"))
    assert [q["id"] for q in data["sections"][1]["questions"]] == ["Q4", "Q5", "Q6"]
    data = with_new_question(data, NewQuestion("third", "Third", "Q7", "More?", "text"))
    q7 = {"id": "Q7", "text": "More?", "type": "text"}
    assert data["sections"][2] == {"id": "third", "title": "Third", "questions": [q7]}
    assert question_count(data) == 7
    data = without_question(data, "Q7")
    assert [s["id"] for s in data["sections"]] == ["first", "second"]  # the empty section goes
    assert question_count(BASE) == 5
    assert question_count({"sections": []}) == 0


def test_problems_are_sorted_by_the_field_they_concern() -> None:
    problems = [
        QuestionSetProblem("sections[0].questions[1].weight", "must be more than 0"),
        QuestionSetProblem("sections[0].questions[1].show_if.question", "unknown question Q9"),
        QuestionSetProblem("sections[0].questions[10].text", "elsewhere"),
    ]
    found = problems_by_field(problems, "sections[0].questions[1]", ["weight", "text"])
    assert found["weight"] == ["must be more than 0"]
    assert found[""] == [
        "sections[0].questions[1].show_if.question: unknown question Q9",
        "sections[0].questions[10].text: elsewhere",
    ]
