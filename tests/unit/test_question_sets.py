"""Question-set files: loading, located errors, round trip, answers and visibility."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
import yaml

from auditapp.domain.grades import Outcome
from auditapp.domain.question_sets import (
    AnswerError,
    GradingRule,
    QuestionSetError,
    dump_question_set,
    format_duration,
    load_library,
    load_question_set,
    load_recommendations,
    normalise_answer,
    parse_duration,
    visible_questions,
)

VOICE = [
    {"value": "vulnerability", "label": "Vulnerability"},
    {"value": "observation", "label": "Observation"},
    {"value": "intelligence", "label": "Intelligence"},
    {"value": "curiosity", "label": "Curiosity and communication"},
    {"value": "environment", "label": "Environment"},
]


def base_set() -> dict[str, Any]:
    """A small valid set using every answer type; tests break one thing in a copy of it."""
    return {
        "case_type": "test-type",
        "case_type_name": "Test type",
        "version": 1,
        "title": "Test set",
        "sections": [
            {
                "id": "first",
                "title": "First",
                "questions": [
                    {"id": "Q1", "text": "Children present?", "type": "yes_no"},
                    {
                        "id": "Q2",
                        "text": "Risk level",
                        "type": "choice",
                        "options": [
                            {"value": "low", "label": "Low"},
                            {"value": "medium", "label": "Medium"},
                            {"value": "high", "label": "High"},
                        ],
                    },
                    {
                        "id": "Q3",
                        "text": "VOICE",
                        "type": "checklist",
                        "options": VOICE,
                        "met_when": 4,
                        "partly_when": 2,
                        "show_if": {"question": "Q1", "equals": ["yes"]},
                    },
                    {"id": "Q4", "text": "Episodes", "type": "number"},
                ],
            },
            {
                "id": "second",
                "title": "Second",
                "questions": [
                    {"id": "Q5", "text": "Reported", "type": "datetime"},
                    {"id": "Q6", "text": "Found", "type": "datetime", "allow_na": True},
                    {
                        "id": "Q7",
                        "text": "Found within 90 minutes?",
                        "type": "derived",
                        "check": {"start": "Q5", "end": "Q6", "within": "90 minutes"},
                    },
                    {"id": "Q8", "text": "Day", "type": "date"},
                    {"id": "Q9", "text": "Notes", "type": "text", "required": False},
                ],
            },
        ],
    }


def load(data: dict[str, Any]) -> Any:
    return load_question_set(yaml.safe_dump(data, sort_keys=False), filename="test.yaml")


def problems_of(data: dict[str, Any] | str) -> list[tuple[str, str]]:
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(QuestionSetError) as caught:
        load_question_set(text, filename="broken.yaml")
    return [(problem.path, problem.message) for problem in caught.value.errors]


def test_valid_set_loads_with_defaults_applied() -> None:
    qs = load(base_set())
    assert [q.id for q in qs.questions] == [f"Q{i}" for i in range(1, 10)]
    assert qs.kind == "case"
    assert qs.grading == GradingRule()
    assert qs.question("Q3").checklist_met == 4
    assert qs.question("Q3").section_id == "first"
    assert qs.question("Q7").check is not None
    assert qs.question("Q7").check.within == timedelta(minutes=90)
    # Types without a judgement default to ungraded; judgement types default to graded.
    graded = {q.id: q.graded for q in qs.questions}
    assert graded == {
        "Q1": True,
        "Q2": False,
        "Q3": True,
        "Q4": False,
        "Q5": False,
        "Q6": False,
        "Q7": True,
        "Q8": False,
        "Q9": False,
    }


def test_unquoted_yes_stays_a_string() -> None:
    text = yaml.safe_dump(base_set(), sort_keys=False).replace("- 'yes'", "- yes")
    assert "- yes" in text
    qs = load_question_set(text)
    assert qs.question("Q3").show_if is not None
    assert qs.question("Q3").show_if.equals == ("yes",)


def _set_path(data: dict[str, Any], section: int, question: int, key: str, value: Any) -> None:
    data["sections"][section]["questions"][question][key] = value


def _unknown_show_if(data: dict[str, Any]) -> None:
    _set_path(data, 0, 2, "show_if", {"question": "DA17", "equals": ["yes"]})


def _later_show_if(data: dict[str, Any]) -> None:
    _set_path(data, 0, 0, "show_if", {"question": "Q2", "equals": ["low"]})


def _bad_show_if_value(data: dict[str, Any]) -> None:
    _set_path(data, 0, 2, "show_if", {"question": "Q1", "equals": ["maybe"]})


def _show_if_on_number(data: dict[str, Any]) -> None:
    _set_path(data, 1, 0, "show_if", {"question": "Q4", "equals": ["3"]})


def _duplicate_id(data: dict[str, Any]) -> None:
    _set_path(data, 1, 4, "id", "Q2")


def _bad_type(data: dict[str, Any]) -> None:
    _set_path(data, 0, 0, "type", "boolean")


def _bad_threshold(data: dict[str, Any]) -> None:
    data["grading"] = {"good_threshold": 0.5, "requires_improvement_threshold": 0.6}


def _threshold_above_one(data: dict[str, Any]) -> None:
    data["grading"] = {"good_threshold": 1.2}


def _derived_on_number(data: dict[str, Any]) -> None:
    _set_path(data, 1, 2, "check", {"start": "Q4", "end": "Q6", "within": "1 day"})


def _derived_unknown(data: dict[str, Any]) -> None:
    _set_path(data, 1, 2, "check", {"start": "Q5", "end": "Q60", "within": "1 day"})


def _bad_duration(data: dict[str, Any]) -> None:
    _set_path(data, 1, 2, "check", {"start": "Q5", "end": "Q6", "within": "soon"})


def _met_when_too_big(data: dict[str, Any]) -> None:
    _set_path(data, 0, 2, "met_when", 6)


def _partly_not_below_met(data: dict[str, Any]) -> None:
    _set_path(data, 0, 2, "partly_when", 4)


def _duplicate_option(data: dict[str, Any]) -> None:
    _set_path(
        data, 0, 1, "options", [{"value": "low", "label": "A"}, {"value": "low", "label": "B"}]
    )


def _zero_weight(data: dict[str, Any]) -> None:
    _set_path(data, 0, 0, "weight", 0)


def _bad_recommendation(data: dict[str, Any]) -> None:
    _set_path(data, 0, 0, "recommendations", ["R1", "Rec 2"])


def _graded_date(data: dict[str, Any]) -> None:
    _set_path(data, 1, 3, "graded", True)


def _critical_ungraded(data: dict[str, Any]) -> None:
    _set_path(data, 0, 3, "critical", True)


def _options_on_yes_no(data: dict[str, Any]) -> None:
    _set_path(data, 0, 0, "options", [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}])


def _derived_without_check(data: dict[str, Any]) -> None:
    del data["sections"][1]["questions"][2]["check"]


def _unknown_field(data: dict[str, Any]) -> None:
    _set_path(data, 0, 0, "colour", "red")


def _bad_question_id(data: dict[str, Any]) -> None:
    _set_path(data, 0, 0, "id", "Q 1!")


def _bad_option_value(data: dict[str, Any]) -> None:
    _set_path(data, 0, 1, "options", [{"value": "Q 1!", "label": "A"}])


def _missing_text(data: dict[str, Any]) -> None:
    del data["sections"][0]["questions"][3]["text"]


@pytest.mark.parametrize(
    ("breaker", "path", "message_part"),
    [
        (_unknown_show_if, "sections[0].questions[2].show_if", "unknown question DA17"),
        (_later_show_if, "sections[0].questions[0].show_if", "Q2 comes later"),
        (_bad_show_if_value, "sections[0].questions[2].show_if.equals[0]", "maybe is not an"),
        (_show_if_on_number, "sections[1].questions[0].show_if", "Q4 is a number question"),
        (_duplicate_id, "sections[1].questions[4].id", "duplicate question id Q2"),
        (_bad_type, "sections[0].questions[0].type", "'boolean' is not one of"),
        (_bad_threshold, "grading.requires_improvement_threshold", "must be below"),
        (_threshold_above_one, "grading.good_threshold", "at most 1"),
        (_derived_on_number, "sections[1].questions[2].check.start", "Q4 is a number question"),
        (_derived_unknown, "sections[1].questions[2].check.end", "unknown question Q60"),
        (_bad_duration, "sections[1].questions[2].check.within", "'soon'"),
        (_met_when_too_big, "sections[0].questions[2].met_when", "only 5 options"),
        (_partly_not_below_met, "sections[0].questions[2].partly_when", "less than met_when"),
        (_duplicate_option, "sections[0].questions[1].options[1].value", "duplicate option"),
        (_zero_weight, "sections[0].questions[0].weight", "0"),
        (_bad_recommendation, "sections[0].questions[0].recommendations[1]", "'Rec 2'"),
        (_graded_date, "sections[1].questions[3].graded", "set graded: false"),
        (_critical_ungraded, "sections[0].questions[3].critical", "must be graded"),
        (_options_on_yes_no, "sections[0].questions[0].options", "only allowed on choice"),
        (_derived_without_check, "sections[1].questions[2].check", "needs a check"),
        (_unknown_field, "sections[0].questions[0]", "'colour' was unexpected"),
        (_missing_text, "sections[0].questions[3]", "'text' is a required property"),
        (_bad_question_id, "sections[0].questions[0].id", "'Q 1!' is not a valid id (letters"),
        # The same text against another pattern gets jsonschema's wording, not the id's.
        (_bad_option_value, "sections[0].questions[1].options[0].value", "does not match"),
    ],
)
def test_invalid_file_reports_path_and_problem(breaker: Any, path: str, message_part: str) -> None:
    data = copy.deepcopy(base_set())
    breaker(data)
    problems = problems_of(data)
    assert any(p == path and message_part in m for p, m in problems), problems


def test_yaml_syntax_error_names_line_and_column() -> None:
    text = "case_type: test\ntitle: [unclosed\nversion: 1\n"
    [(path, message)] = problems_of(text)
    assert path.startswith("line ")
    assert "column" in path
    assert message.startswith("not valid YAML")


def test_duplicate_yaml_key_is_an_error() -> None:
    text = yaml.safe_dump(base_set(), sort_keys=False) + "version: 2\n"
    [(path, message)] = problems_of(text)
    assert "duplicate key 'version'" in message
    assert path.startswith("line ")


def test_error_string_lists_every_problem_prefixed_by_filename() -> None:
    data = base_set()
    _duplicate_id(data)
    _unknown_show_if(data)
    with pytest.raises(QuestionSetError) as caught:
        load_question_set(yaml.safe_dump(data), filename="mine.yaml")
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.errors) == 2
    assert all(line.startswith("mine.yaml: sections[") for line in lines)
    assert "mine.yaml: sections[0].questions[2].show_if: unknown question DA17" in lines


def test_top_level_that_is_not_a_mapping_is_an_error() -> None:
    [(path, message)] = problems_of("- just\n- a list\n")
    assert path == ""
    assert "object" in message


def test_round_trip_preserves_every_field() -> None:
    data = base_set()
    data["kind"] = "dip_sample"
    data["description"] = "Describes"
    data["source"] = "Somewhere"
    data["grading"] = {"good_threshold": 0.75, "requires_improvement_threshold": 0.4}
    first = data["sections"][0]["questions"]
    first[0].update(
        {"critical": True, "weight": 2.5, "allow_partly": False, "recommendations": ["R2"]}
    )
    first[1]["options"][2]["outcome"] = "not_met"
    first[1]["options"][0]["outcome"] = "met"
    first[3]["whole_number"] = False
    data["sections"][1]["questions"][2]["check"].update(
        {
            "partly_within": "3 hours",
            "within_by": {"question": "Q2", "thresholds": {"high": "1 hour", "low": "2 days"}},
        }
    )
    data["sections"][1]["questions"][2]["check"]["partly_within"] = "3 days"
    qs = load(data)
    text = dump_question_set(qs)
    assert load_question_set(text) == qs
    assert qs.kind == "dip_sample"
    assert qs.question("Q2").graded is True  # an option with an outcome makes it graded


@pytest.mark.parametrize(
    ("text", "minutes", "canonical"),
    [
        ("90 minutes", 90, "90 minutes"),
        ("120 minutes", 120, "2 hours"),
        ("72 hours", 72 * 60, "3 days"),
        ("1 day", 24 * 60, "1 day"),
        ("2 weeks", 14 * 24 * 60, "14 days"),
        ("1 minute", 1, "1 minute"),
    ],
)
def test_durations_parse_and_format(text: str, minutes: int, canonical: str) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)
    assert format_duration(parse_duration(text)) == canonical


@pytest.mark.parametrize("text", ["soon", "1.5 hours", "-3 days", "3 fortnights", ""])
def test_bad_durations_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


# --- normalise_answer ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def qs() -> Any:
    data = base_set()
    data["sections"][0]["questions"][0]["allow_na"] = True
    data["sections"][1]["questions"].append(
        {
            "id": "Q10",
            "text": "Hours",
            "type": "number",
            "whole_number": False,
            "allow_na": True,
        }
    )
    data["sections"][1]["questions"].append(
        {"id": "Q11", "text": "Strict", "type": "yes_no", "allow_partly": False}
    )
    return load(data)


@pytest.mark.parametrize(
    ("question_id", "raw", "stored"),
    [
        ("Q1", "yes", "yes"),
        ("Q1", " No ", "no"),
        ("Q1", "partly", "partly"),
        ("Q1", "na", "na"),
        ("Q1", "", None),
        ("Q1", None, None),
        ("Q11", "no", "no"),
        ("Q2", "medium", "medium"),
        ("Q3", ["environment", "vulnerability"], '["vulnerability","environment"]'),
        ("Q3", "observation", '["observation"]'),
        ("Q3", ["none"], "[]"),
        ("Q3", [], None),
        ("Q3", None, None),
        ("Q4", "42", "42"),
        ("Q4", "007", "7"),
        ("Q4", "1,000", "1000"),
        ("Q4", "0", "0"),
        ("Q10", "2.50", "2.5"),
        ("Q10", "3", "3"),
        ("Q10", "na", "na"),
        ("Q5", "2022-09-05T14:30", "2022-09-05T14:30"),
        ("Q5", "2022-09-05 09:05", "2022-09-05T09:05"),
        ("Q5", "2022-09-05T14:30:00", "2022-09-05T14:30"),
        ("Q5", "5/9/2022 14:30", "2022-09-05T14:30"),
        ("Q8", "2022-09-05", "2022-09-05"),
        ("Q8", "05/09/2022", "2022-09-05"),
        ("Q8", "2024-02-29", "2024-02-29"),
        ("Q9", "  Child seen at school.  ", "Child seen at school."),
        ("Q9", "   ", None),
    ],
)
def test_normalise_answer_accepts(qs: Any, question_id: str, raw: Any, stored: str | None) -> None:
    assert normalise_answer(qs.question(question_id), raw) == stored


@pytest.mark.parametrize(
    ("question_id", "raw", "message"),
    [
        ("Q1", "maybe", "Choose one of the options"),
        ("Q11", "partly", "Choose one of the options"),
        ("Q11", "na", "Choose one of the options"),
        ("Q2", "extreme", "Choose one of the options"),
        ("Q2", "na", "Choose one of the options"),
        ("Q2", ["low", "high"], "Enter a single answer"),
        ("Q3", ["vulnerability", "telepathy"], "Choose from the options listed"),
        ("Q3", ["none", "observation"], "not both"),
        ("Q4", "4.5", "Enter a whole number"),
        ("Q4", "four", "Enter a whole number"),
        ("Q4", "1e3", "Enter a whole number"),
        ("Q4", "1,5", "Enter a whole number"),
        ("Q4", "-2", "0 or more"),
        ("Q10", "2,5", "Enter a number"),
        ("Q8", "2022-02-30", "Enter a real date, for example 2022-09-05"),
        ("Q8", "31/04/2022", "Enter a real date, for example 2022-09-05"),
        ("Q8", "yesterday", "Enter a real date, for example 2022-09-05"),
        ("Q5", "2022-09-05", "Enter a real date and time"),
        ("Q5", "2022-09-05T25:00", "Enter a real date and time"),
        ("Q5", "2022-09-05T14:30+01:00", "Enter a real date and time"),
        ("Q7", "yes", "worked out from other answers"),
        ("Q9", "x" * 10_001, "10,000 characters or fewer"),
    ],
)
def test_normalise_answer_rejects(qs: Any, question_id: str, raw: Any, message: str) -> None:
    with pytest.raises(AnswerError) as caught:
        normalise_answer(qs.question(question_id), raw)
    assert message in caught.value.message


# --- visibility ---------------------------------------------------------------------------------


def _chain_set() -> Any:
    data = base_set()
    data["sections"][0]["questions"].append(
        {
            "id": "Q12",
            "text": "Only when VOICE observation ticked",
            "type": "yes_no",
            "show_if": {"question": "Q3", "equals": ["observation", "environment"]},
        }
    )
    return load(data)


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({"Q1": "no", "Q3": '["observation"]'}, {"Q3": False, "Q12": False}),
        ({"Q1": "yes", "Q3": '["observation"]'}, {"Q3": True, "Q12": True}),
        ({"Q1": "yes", "Q3": '["environment","intelligence"]'}, {"Q3": True, "Q12": True}),
        ({"Q1": "yes", "Q3": '["intelligence"]'}, {"Q3": True, "Q12": False}),
        ({"Q1": "yes", "Q3": "[]"}, {"Q3": True, "Q12": False}),
        ({}, {"Q3": False, "Q12": False}),
    ],
)
def test_visibility_is_transitive(answers: dict[str, str], shown: dict[str, bool]) -> None:
    qs = _chain_set()
    visible = {q.id for q in visible_questions(qs, answers)}
    assert {qid: qid in visible for qid in shown} == shown
    assert {"Q1", "Q2", "Q4"} <= visible


def test_recommendations_file_loads_in_report_order() -> None:
    recs = load_recommendations()
    assert recs.force == "Cambridgeshire Constabulary"
    assert recs.codes == (*(f"R{i}" for i in range(1, 10)), "AFI1", "AFI2")
    assert recs.get("R6").timescale == "immediately"
    assert len(recs.get("R6").sub_points) == 3
    assert recs.get("AFI1").kind == "area_for_improvement"


def test_recommendations_file_with_duplicate_code_is_rejected(tmp_path: Any) -> None:
    item = {
        "code": "R1",
        "kind": "recommendation",
        "chapter": "X",
        "timescale": "immediately",
        "text": "T",
    }
    data = {
        "force": "F",
        "inspection": "I",
        "inspected": "2021",
        "source": "S",
        "recommendations": [item, dict(item)],
    }
    path = tmp_path / "recs.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(QuestionSetError, match=r"recommendations\[1\]\.code: duplicate code R1"):
        load_recommendations(path)


def test_library_refuses_two_files_with_same_case_type_and_version(tmp_path: Any) -> None:
    text = yaml.safe_dump(base_set())
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(QuestionSetError, match=r"also defined in a\.yaml"):
        load_library(tmp_path)


def test_grading_rule_dict_round_trip_and_validation() -> None:
    rule = GradingRule(0.9, 0.6, 0.25)
    assert GradingRule.from_dict(rule.to_dict()) == rule
    assert GradingRule.from_dict({}) == GradingRule()
    with pytest.raises(ValueError, match="below good_threshold"):
        GradingRule(0.5, 0.5)


def test_outcome_labels_are_words() -> None:
    assert Outcome.PARTLY_MET.label == "Partly met"
