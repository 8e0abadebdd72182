"""Question sets as spreadsheet rows: every set survives the round trip, every key has a cell,
and a mistake is reported at its sheet, row and column (by the one validation in domain/)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditapp.domain.question_sets import (
    SCHEMA_FILE,
    QuestionSetError,
    dump_question_set,
    load_library,
    load_question_set,
    question_set_from_data,
    question_set_to_dict,
)
from auditapp.domain.question_sets.spreadsheet import (
    OPTION_COLUMNS,
    OPTIONS,
    QUESTION_COLUMNS,
    QUESTIONS,
    SETTINGS,
    SETTINGS_ROWS,
    Sheets,
    data_to_sheets,
    from_cell,
    load_question_set_sheets,
    path_parts,
    question_set_to_sheets,
    sheets_to_data,
    to_cell,
)
from auditapp.domain.spreadsheet_safety import is_dangerous

LIBRARY = {qs.case_type: qs for qs in load_library() if qs.version == 1}
# Every version of every library set, the newer ones with the newer keys.
EVERY_VERSION = {f"{qs.case_type} v{qs.version}": qs for qs in load_library()}
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EVERY_VERSION))
def test_every_library_set_survives_sheets_and_yaml_unchanged(name: str) -> None:
    qs = EVERY_VERSION[name]
    sheets = question_set_to_sheets(qs)
    data, _ = sheets_to_data(sheets)
    assert data == question_set_to_dict(qs)
    assert load_question_set_sheets(sheets) == qs
    assert load_question_set(dump_question_set(qs)) == qs


def _keys(definition: dict[str, Any], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every leaf key an object of the schema allows, as a path (nested objects opened)."""
    keys = set()
    for name, spec in definition["properties"].items():
        if spec.get("type") == "object" and "properties" in spec:
            keys |= _keys(spec, (*prefix, name))
        else:
            keys.add((*prefix, name))
    return keys


def _covered(keys: set[tuple[str, ...]], columns: set[tuple[str, ...]]) -> bool:
    """Each key sits in exactly one column (show_if's question and equals share one cell)."""
    return all(sum(key[: len(c)] == c for c in columns) == 1 for key in keys) and all(
        any(key[: len(c)] == c for key in keys) for c in columns
    )


def test_every_key_the_schema_allows_has_a_column_or_setting() -> None:
    question_keys = _keys(SCHEMA["$defs"]["question"]) - {("options",)}
    assert _covered(question_keys, {column.key for column in QUESTION_COLUMNS})
    assert _covered(_keys(SCHEMA["$defs"]["option"]), {c.key for c in OPTION_COLUMNS if c.key})
    assert _covered(_keys(SCHEMA) - {("sections",)}, {setting.key for setting in SETTINGS_ROWS})
    assert _keys(SCHEMA["$defs"]["section"]) == {("id",), ("title",), ("questions",)}


# --- generated sets ---------------------------------------------------------------------------

# Text as a person types it: words, and the characters a spreadsheet would run as a formula.
_TEXT = (
    st.text(alphabet=st.sampled_from(list("abc XYZ019=+-@'\",;:()")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


@given(st.text())
def test_cell_text_reads_back_as_written_and_never_runs_as_a_formula(text: str) -> None:
    assert from_cell(to_cell(text)) == text
    assert not is_dangerous(to_cell(text))


@settings(max_examples=40, deadline=None)
@given(
    case_type=st.sampled_from(sorted(LIBRARY)),
    texts=st.lists(_TEXT, min_size=3, max_size=3),
    weight=st.one_of(
        st.integers(1, 20), st.floats(0.01, 10, allow_nan=False).map(lambda w: round(w, 2))
    ),
    flags=st.lists(st.booleans(), min_size=2, max_size=2),
)
def test_a_changed_set_survives_sheets_unchanged(
    case_type: str, texts: list[str], weight: float, flags: list[bool]
) -> None:
    data = question_set_to_dict(LIBRARY[case_type])
    question = data["sections"][-1]["questions"][-1]
    question["text"], data["title"] = texts[0], texts[1]
    question["guidance"] = texts[2]
    question["weight"] = weight
    question["required"] = flags[0]
    if question["type"] != "derived":
        question["allow_na"] = flags[1]
    expected = question_set_from_data(data)
    assert load_question_set_sheets(data_to_sheets(data)) == expected


# --- mistakes -----------------------------------------------------------------------------------


def _sheets(case_type: str) -> Sheets:
    return copy.deepcopy(question_set_to_sheets(LIBRARY[case_type]))


def _row_of(sheets: Sheets, sheet: str, first: str, value: str = "") -> int:
    """The spreadsheet row number (headings are row 1) whose first cells are as given."""
    for number, row in enumerate(sheets[sheet], start=1):
        if row[0] == first and (not value or row[1] == value):
            return number
    raise AssertionError(f"no row {first} {value} on {sheet}")


def _set(sheets: Sheets, sheet: str, row: int, column: str, value: Any) -> None:
    sheets[sheet][row - 1][sheets[sheet][0].index(column)] = value


def _question_row(sheets: Sheets, question_id: str) -> int:
    return next(n for n, r in enumerate(sheets[QUESTIONS], start=1) if r[1] == question_id)


def _problems(sheets: Sheets) -> list[str]:
    with pytest.raises(QuestionSetError) as caught:
        load_question_set_sheets(sheets, filename="set.xlsx")
    assert "set.xlsx" in str(caught.value)
    return [str(problem) for problem in caught.value.errors]


def _one(problems: list[str], place: str, words: str) -> None:
    assert all(len(p) < 400 for p in problems), "a message repeats a long value"
    matching = [p for p in problems if p.startswith(place + ":")]
    assert matching, f"nothing at {place}: {problems}"
    assert any(words in p for p in matching), matching


@pytest.mark.parametrize(
    ("question_id", "column", "value", "words"),
    [
        ("DA02", "type", "yes/no", "is not one of: yes_no"),
        ("DA05", "show_if", "DA99 = yes", "unknown question DA99"),
        ("DA05", "show_if", "DA17 = yes", "DA17 comes later"),
        ("DA05", "show_if", "DA01 = maybe", "maybe is not an answer to DA01"),
        ("DA02", "text", None, "should be non-empty"),
        ("DA02", "id", None, "is not a valid id"),
        ("DA02", "weight", "heavy", "must be of type number"),
        ("DA02", "weight", 0, "less than or equal to the minimum"),
        ("DA02", "critical", "perhaps", "must be of type boolean"),
        ("DA01", "critical", "yes", "a critical question must be graded"),
        ("DA02", "recommendations", "R2, Q7", "not a recommendation code"),
        ("DA07", "met_when", 9, "met_when is 9 but there are only 5 options"),
        ("DA07", "partly_when", "two", "must be of type integer"),
    ],
)
def test_a_mistake_on_the_questions_sheet_names_its_row_and_column(
    question_id: str, column: str, value: Any, words: str
) -> None:
    sheets = _sheets("domestic-abuse")
    row = _question_row(sheets, question_id)
    _set(sheets, QUESTIONS, row, column, value)
    _one(_problems(sheets), f"questions sheet, row {row}, column '{column}'", words)


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("check_within", "90 minuets", "does not match"),
        ("check_end", "MC99", "unknown question MC99"),
        ("check_partly_within", "1 minute", "partly_within must be longer"),
        ("check_start", None, "is not a valid id"),
    ],
)
def test_a_mistake_in_a_timeliness_check_names_its_column(
    column: str, value: Any, words: str
) -> None:
    sheets = _sheets("missing-child")
    row = _question_row(sheets, "MC07")
    _set(sheets, QUESTIONS, row, column, value)
    _one(_problems(sheets), f"questions sheet, row {row}, column '{column}'", words)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("low = 28 days; medium = 2 fortnights", "does not match"),
        ("low = 28 days; urgent = 1 day", "urgent is not an answer to OC07"),
        ("low 28 days", "write each threshold as value = time"),
        ("low = 1 day; low = 2 days", "'low' has two thresholds"),
    ],
)
def test_a_bad_threshold_names_the_thresholds_column(value: str, words: str) -> None:
    sheets = _sheets("online-csae")
    row = _question_row(sheets, "OC10")
    _set(sheets, QUESTIONS, row, "check_thresholds", value)
    _one(_problems(sheets), f"questions sheet, row {row}, column 'check_thresholds'", words)


def test_a_check_on_a_question_that_is_not_derived_is_reported_at_its_first_column() -> None:
    sheets = _sheets("missing-child")
    row = _question_row(sheets, "MC08")
    for column, value in (
        ("check_start", "MC01"),
        ("check_end", "MC06"),
        ("check_within", "1 day"),
    ):
        _set(sheets, QUESTIONS, row, column, value)
    problems = _problems(sheets)
    _one(problems, f"questions sheet, row {row}, column 'check_start'", "only derived questions")


def test_a_condition_without_an_equals_sign_is_refused_at_its_cell() -> None:
    sheets = _sheets("domestic-abuse")
    row = _question_row(sheets, "DA05")
    _set(sheets, QUESTIONS, row, "show_if", "DA01 yes")
    _one(_problems(sheets), f"questions sheet, row {row}, column 'show_if'", "QUESTION = value")


@pytest.mark.parametrize(
    ("option", "column", "value", "words"),
    [
        ("foster_carer", "outcome", "good", "'good' is not one of: met, partly_met"),
        ("foster_carer", "label", None, "should be non-empty"),
        ("foster_carer", "value", "Foster Carer", "does not match"),
        ("relative", "value", "foster_carer", "duplicate option value foster_carer"),
        ("foster_carer", "question", "PP99", "no question 'PP99' on the questions sheet"),
        ("foster_carer", "question", None, "name the question this option belongs to"),
    ],
)
def test_a_mistake_on_the_options_sheet_names_its_row_and_column(
    option: str, column: str, value: Any, words: str
) -> None:
    sheets = _sheets("police-protection")
    row = next(n for n, r in enumerate(sheets[OPTIONS], start=1) if r[1] == option)
    _set(sheets, OPTIONS, row, column, value)
    _one(_problems(sheets), f"options sheet, row {row}, column '{column}'", words)


def test_options_on_a_yes_no_question_are_reported_at_the_options_sheet() -> None:
    sheets = _sheets("domestic-abuse")
    sheets[OPTIONS].append(["DA02", "maybe", "Maybe", None])
    row = len(sheets[OPTIONS])
    _one(_problems(sheets), f"options sheet, row {row}, column 'question'", "only allowed")


def test_a_choice_question_without_options_is_reported_at_its_type() -> None:
    sheets = _sheets("domestic-abuse")
    sheets[OPTIONS] = [sheets[OPTIONS][0]]
    row = _question_row(sheets, "DA03")
    _one(_problems(sheets), f"questions sheet, row {row}, column 'type'", "at least 2 options")


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("version", "one", "must be of type integer"),
        ("version", None, "must be of type integer"),
        ("case_type", "Domestic Abuse", "does not match"),
        ("kind", "survey", "is not one of: case, dip_sample"),
        ("good_threshold", 1.5, "at most 1"),
        ("partly_weight", "half", "must be of type number"),
    ],
)
def test_a_mistake_on_the_settings_sheet_names_its_row(
    setting: str, value: Any, words: str
) -> None:
    sheets = _sheets("domestic-abuse")
    row = _row_of(sheets, SETTINGS, setting)
    _set(sheets, SETTINGS, row, "value", value)
    _one(_problems(sheets), f"settings sheet, row {row}, column 'value'", words)


def test_a_missing_setting_row_is_named_on_the_settings_sheet() -> None:
    sheets = _sheets("domestic-abuse")
    del sheets[SETTINGS][_row_of(sheets, SETTINGS, "version") - 1]
    _one(_problems(sheets), "settings sheet", "'version' is a required property")


def test_a_duplicate_section_id_names_the_section_row() -> None:
    sheets = _sheets("domestic-abuse")
    rows = [n for n, r in enumerate(sheets[QUESTIONS], start=1) if r[0] == "section"]
    _set(sheets, QUESTIONS, rows[1], "id", sheets[QUESTIONS][rows[0] - 1][1])
    _one(_problems(sheets), f"questions sheet, row {rows[1]}, column 'id'", "duplicate section id")


@pytest.mark.parametrize(
    ("change", "place", "words"),
    [
        (lambda s: s.pop(SETTINGS), "settings sheet", "no sheet called 'settings'"),
        (lambda s: s.pop(QUESTIONS), "questions sheet", "no sheet called 'questions'"),
        (
            lambda s: s[QUESTIONS][0].__setitem__(3, "notes"),
            "questions sheet, row 1, column 'D'",
            "unknown column 'notes'",
        ),
        (
            lambda s: s[QUESTIONS][5].append("a note"),
            "questions sheet, row 1, column 'Z'",
            "this column has values but no heading",
        ),
        (
            lambda s: s[QUESTIONS][2].__setitem__(2, "Were children present?\u202e"),
            "questions sheet, row 3, column 'text'",
            "control or bidirectional character (U+202E)",
        ),
        (
            lambda s: s[OPTIONS][1].__setitem__(0, "X" * 10_000),
            "options sheet, row 2, column 'question'",
            "no question 'XXXXXXXX",
        ),
        (
            lambda s: s[QUESTIONS][0].__setitem__(3, "text"),
            "questions sheet, row 1, column 'text'",
            "appears twice",
        ),
        (
            lambda s: s[QUESTIONS].insert(1, ["yes_no", "X1", "A question", *[None] * 18]),
            "questions sheet, row 2, column 'type'",
            "must start a section",
        ),
        (
            lambda s: s[QUESTIONS][1].__setitem__(3, "Some guidance"),
            "questions sheet, row 2, column 'guidance'",
            "a section row has only",
        ),
        (
            lambda s: s[SETTINGS].append(["colour", "blue"]),
            "settings sheet, row 12, column 'setting'",
            "unknown setting 'colour'",
        ),
    ],
)
def test_a_workbook_laid_out_wrongly_is_refused_naming_the_place(
    change: Any, place: str, words: str
) -> None:
    sheets = _sheets("domestic-abuse")
    change(sheets)
    _one(_problems(sheets), place, words)


def test_blank_rows_and_spreadsheet_types_are_read_as_typed() -> None:
    sheets = _sheets("domestic-abuse")
    sheets[QUESTIONS].insert(3, [None] * len(QUESTION_COLUMNS))  # a blank row is skipped
    row = _question_row(sheets, "DA02")
    _set(sheets, QUESTIONS, row, "critical", True)  # a spreadsheet boolean
    _set(sheets, QUESTIONS, row, "weight", "2.5")  # a number typed as text
    qs = load_question_set_sheets(sheets)
    assert qs.question("DA02").critical is True
    assert qs.question("DA02").weight == 2.5


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("", []),
        ("grading.good_threshold", ["grading", "good_threshold"]),
        (
            "sections[2].questions[10].show_if.equals[0]",
            ["sections", 2, "questions", 10, "show_if", "equals", 0],
        ),
        (
            "sections[0].questions[1].check.within_by.thresholds.low",
            ["sections", 0, "questions", 1, "check", "within_by", "thresholds", "low"],
        ),
    ],
)
def test_a_problem_path_splits_into_its_keys_and_indexes(path: str, parts: list[Any]) -> None:
    assert path_parts(path) == parts
