"""A question set as spreadsheet rows, in the spirit of XLSForm, and those rows read back.

Four sheets: ``questions`` (one row per section, ``type: section``, followed by a row per
question), ``options`` (one row per option of a choice or checklist question), ``settings``
(one row per setting: case type, version, title, grading thresholds...) and ``instructions``
(read by people, ignored on upload). A blank cell means the key is left out, as in YAML.

The reader only turns the rows into the data a YAML file parses to: every check of that data
is ``question_set_from_data``'s, the one validation of every format. Each problem it finds
names a path in the data (``sections[1].questions[3].show_if``); the reader remembers which
sheet, row and column each part of the data came from, and the problem is reported there
(``questions sheet, row 7, column 'show_if'``). Only what the data cannot even hold is the
reader's own to report: a missing sheet, an unknown column, a condition not written as
``QUESTION = value``.

Text is written through ``to_cell`` (a quote before anything a spreadsheet would run as a
formula, see ``spreadsheet_safety``) and read through ``from_cell``, so it comes back as typed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from functools import cache
from typing import Any

from auditapp.domain.question_sets.errors import QuestionSetError, QuestionSetProblem
from auditapp.domain.question_sets.loading import question_set_from_data, question_set_to_dict
from auditapp.domain.question_sets.model import QuestionSet
from auditapp.domain.question_sets.schema import SCHEMA_FILE, quoted
from auditapp.domain.question_sets.spreadsheet_layout import (
    INSTRUCTIONS,
    OPTION_COLUMNS,
    OPTIONS,
    QUESTION_COLUMNS,
    QUESTIONS,
    SECTION_COLUMNS,
    SECTION_TYPE,
    SETTING_COLUMNS,
    SETTINGS,
    SETTINGS_ROWS,
    SHEET_ORDER,
    Cell,
    Column,
    Place,
    Places,
    Sheets,
    from_cell,
    path_parts,
    to_cell,
)
from auditapp.domain.text_safety import forbidden_character, forbidden_message

_QUESTION_COLUMN = {column.name: column for column in QUESTION_COLUMNS}
_SETTING = {column.name: column for column in SETTINGS_ROWS}
_YES = ("yes", "true")
_NO = ("no", "false")
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")

__all__ = [
    "INSTRUCTIONS",
    "OPTIONS",
    "OPTION_COLUMNS",
    "QUESTIONS",
    "QUESTION_COLUMNS",
    "SETTINGS",
    "SETTINGS_ROWS",
    "SHEET_ORDER",
    "Cell",
    "Place",
    "Places",
    "Sheets",
    "data_to_sheets",
    "from_cell",
    "instruction_rows",
    "load_question_set_sheets",
    "path_parts",
    "question_set_to_sheets",
    "sheets_to_data",
    "to_cell",
]


# --- cells ------------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell as stripped text; blank is ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return from_cell(str(value)).strip()


def _number(value: object) -> object:
    """A number cell, or numeric text, as a number; anything else as typed, for the schema."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    text = _text(value)
    if _NUMBER.match(text):
        return int(text) if text.lstrip("+-").isdigit() else float(text)
    return text


def _boolean(value: object) -> object:
    """yes/no (or true/false, or a spreadsheet boolean) as a boolean; else as typed."""
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    return value if isinstance(value, int | float) else text


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


# --- writing ----------------------------------------------------------------------------------


def question_set_to_sheets(qs: QuestionSet) -> Sheets:
    """The set as the rows of each sheet (headings first), ready for a spreadsheet writer."""
    return data_to_sheets(question_set_to_dict(qs))


def data_to_sheets(data: Mapping[str, Any]) -> Sheets:
    """Question-set data (as a YAML file holds it) as the rows of each sheet, headings first."""
    questions: list[list[Cell]] = [[c.name for c in QUESTION_COLUMNS]]
    options: list[list[Cell]] = [[c.name for c in OPTION_COLUMNS]]
    for section in data["sections"]:
        row: dict[str, Cell] = {"type": SECTION_TYPE, "id": section["id"], "text": section["title"]}
        questions.append(_row(row, QUESTION_COLUMNS))
        for question in section["questions"]:
            questions.append(_row(_question_cells(question), QUESTION_COLUMNS))
            for option in question.get("options", []):
                cells = {"question": question["id"], **option}
                options.append(_row(cells, OPTION_COLUMNS))
    settings: list[list[Cell]] = [list(SETTING_COLUMNS)]
    for setting in SETTINGS_ROWS:
        value = _get(data, setting.key)
        cell = _cell(value) if value is not None else None
        settings.append([setting.name, to_cell(cell) if isinstance(cell, str) else cell])
    return {
        QUESTIONS: questions,
        OPTIONS: options,
        SETTINGS: settings,
        INSTRUCTIONS: instruction_rows(),
    }


def _question_cells(question: Mapping[str, Any]) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for column in QUESTION_COLUMNS:
        value = _get(question, column.key)
        if value is None:
            continue
        if column.kind == "condition":
            equals = value["equals"]
            equals = [equals] if isinstance(equals, str) else equals
            cells[column.name] = f"{value['question']} = {', '.join(equals)}"
        elif column.kind == "list":
            cells[column.name] = ", ".join(value)
        elif column.kind == "thresholds":
            cells[column.name] = "; ".join(f"{key} = {text}" for key, text in value.items())
        else:
            cells[column.name] = _cell(value)
    return cells


def _get(data: Mapping[str, Any], key: tuple[str, ...]) -> Any:
    value: Any = data
    for part in key:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _cell(value: Any) -> Cell:
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int | float):
        return value
    return str(value)


def _row(cells: Mapping[str, Cell], columns: Sequence[Column]) -> list[Cell]:
    return [to_cell(v) if isinstance(v := cells.get(c.name), str) else v for c in columns]


def instruction_rows() -> list[list[Cell]]:
    """The instructions sheet: how to fill in the other three, a line per row."""
    lines: list[list[Cell]] = [
        ["How to fill in this question set"],
        [""],
        [
            "questions: a row with type 'section', an id and a text (the title) starts a section;"
            " the question rows below it belong to it, in order."
        ],
        [
            "options: a row per option of a choice or checklist question, in order, naming the "
            "question's id."
        ],
        ["settings: one value per setting. Upload the workbook with a version not used before."],
        ["A blank cell leaves the value out (the default). yes/no columns take yes or no."],
        ["Problems are reported by sheet, row and column; nothing is stored until there are none."],
        [""],
        ["Column", "Meaning"],
    ]
    lines += [[f"{QUESTIONS}: {c.name}", c.help] for c in QUESTION_COLUMNS]
    lines += [[f"{OPTIONS}: {c.name}", c.help] for c in OPTION_COLUMNS]
    lines += [[f"{SETTINGS}: {c.name}", c.help] for c in SETTINGS_ROWS]
    return [[to_cell(cell) if isinstance(cell, str) else cell for cell in row] for row in lines]


# --- reading ----------------------------------------------------------------------------------


@cache
def _required() -> dict[str, tuple[str, ...]]:
    """Each object's required keys, from the schema: a blank required cell reads as ""."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    check = schema["$defs"]["question"]["properties"]["check"]
    return {
        "settings": tuple(key for key in schema["required"] if key != "sections"),
        "question": tuple(schema["$defs"]["question"]["required"]),
        "section": tuple(schema["$defs"]["section"]["required"]),
        "option": tuple(schema["$defs"]["option"]["required"]),
        "check": tuple(check["required"]),
        "within_by": tuple(check["properties"]["within_by"]["required"]),
    }


class _Reader:
    """Reads the sheets into question-set data, noting where each part came from."""

    def __init__(self, sheets: Mapping[str, Sequence[Sequence[object]]]):
        self.sheets = {str(name).strip().lower(): rows for name, rows in sheets.items()}
        self.places = Places()
        self.problems: list[QuestionSetProblem] = []
        # Question id -> (section index, question index), the first question with that id.
        self.question_at: dict[str, tuple[int, int]] = {}

    def add(self, place: Place, message: str) -> None:
        self.problems.append(QuestionSetProblem(str(place), message))

    def read(self) -> dict[str, Any]:
        for name in (QUESTIONS, SETTINGS):
            if name not in self.sheets:
                self.add(Place(name), f"the workbook has no sheet called '{name}'")
        data = self._settings() if SETTINGS in self.sheets else {}
        data["sections"] = self._sections() if QUESTIONS in self.sheets else []
        if OPTIONS in self.sheets:
            self._options(data["sections"])
        return data

    def _table(
        self, sheet: str, allowed: Sequence[str], required: Sequence[str]
    ) -> list[tuple[int, dict[str, object]]]:
        """The sheet's rows as {heading: cell} with their row numbers, blank rows left out."""
        rows = list(self.sheets[sheet])
        width = max((len(row) for row in rows), default=0)
        headings = [_text(cell).lower() for cell in rows[0]] if rows else []
        headings += [""] * (width - len(headings))
        columns: dict[int, str] = {}
        for position, heading in enumerate(headings):
            letter = _column_letter(position)
            if not heading:
                if any(position < len(r) and _text(r[position]) for r in rows[1:]):
                    self.add(Place(sheet, 1, letter), "this column has values but no heading")
            elif heading not in allowed:
                self.add(
                    Place(sheet, 1, letter),
                    f"unknown column {quoted(heading)} (the columns are: {', '.join(allowed)})",
                )
            elif heading in columns.values():
                self.add(Place(sheet, 1, heading), "this column appears twice")
            else:
                columns[position] = heading
        for name in required:
            if name not in columns.values():
                self.add(Place(sheet, 1), f"the sheet needs a column headed '{name}'")
        table = []
        for number, row in enumerate(rows[1:], start=2):
            cells = {
                heading: row[position]
                for position, heading in columns.items()
                if position < len(row)
            }
            for heading, cell in cells.items():
                code = forbidden_character(cell, free_text=True) if isinstance(cell, str) else None
                if code:
                    self.add(Place(sheet, number, heading), forbidden_message(code))
            if any(_text(cell) for cell in cells.values()):
                table.append((number, cells))
        return table

    def _settings(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for number, cells in self._table(SETTINGS, SETTING_COLUMNS, SETTING_COLUMNS):
            name = _text(cells.get("setting")).lower()
            setting = _SETTING.get(name)
            if setting is None:
                self.add(
                    Place(SETTINGS, number, "setting"),
                    f"unknown setting {quoted(name)} (the settings are: {', '.join(_SETTING)})",
                )
                continue
            if name in self.places.settings:
                first = self.places.settings[name]
                self.add(Place(SETTINGS, number, "setting"), f"{name} is also set on row {first}")
                continue
            self.places.settings[name] = number
            value = cells.get("value")
            if not _text(value) and name not in _required()["settings"]:
                continue  # a blank optional setting takes its default
            target = data.setdefault("grading", {}) if setting.key[0] == "grading" else data
            target[setting.key[-1]] = _number(value) if setting.kind == "number" else _text(value)
        return data

    def _sections(self) -> list[dict[str, Any]]:
        sections: list[dict[str, Any]] = []
        required = _required()
        allowed = [c.name for c in QUESTION_COLUMNS]
        for number, cells in self._table(QUESTIONS, allowed, SECTION_COLUMNS):
            if _text(cells.get("type")).lower() == SECTION_TYPE:
                extra = [k for k, v in cells.items() if k not in SECTION_COLUMNS and _text(v)]
                if extra:
                    self.add(
                        Place(QUESTIONS, number, extra[0]),
                        "a section row has only a type, an id and a text (its title)",
                    )
                section = {"id": _text(cells.get("id")), "title": _text(cells.get("text"))}
                self.places.sections.append(number)
                sections.append({**_filled(section, required["section"]), "questions": []})
                continue
            if not sections:
                self.add(
                    Place(QUESTIONS, number, "type"),
                    "the first row must start a section: type section, an id and a title",
                )
                continue
            question = self._question(number, cells)
            index = (len(sections) - 1, len(sections[-1]["questions"]))
            sections[-1]["questions"].append(question)
            self.places.questions[index] = number
            if isinstance(question.get("id"), str):
                self.question_at.setdefault(question["id"], index)
        return sections

    def _question(self, number: int, cells: Mapping[str, object]) -> dict[str, Any]:
        required = _required()
        question: dict[str, Any] = {}
        for name, value in cells.items():
            column = _QUESTION_COLUMN[name]
            if not _text(value):
                continue
            converted = self._convert(column, value, Place(QUESTIONS, number, name))
            if converted is None:
                continue
            target = question
            for part in column.key[:-1]:
                target = target.setdefault(part, {})
            target[column.key[-1]] = converted
        if "check" in question:
            check = _filled(question["check"], required["check"])
            if "within_by" in check:
                within_by = {"thresholds": {}, **check["within_by"]}
                check["within_by"] = _filled(within_by, required["within_by"])
            question["check"] = check
        return _filled(question, required["question"])

    def _convert(self, column: Column, value: object, place: Place) -> Any:
        """A cell's value as the data holds it; None (and a problem) when it cannot be read."""
        if column.kind == "number":
            return _number(value)
        if column.kind == "boolean":
            return _boolean(value)
        text = _text(value)
        if column.kind == "list":
            return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]
        if column.kind == "condition":
            question, equals, values = text.partition("=")
            if not equals:
                self.add(place, "write the condition as QUESTION = value, e.g. DA01 = yes")
                return None
            return {
                "question": question.strip(),
                "equals": [v.strip() for v in values.split(",") if v.strip()],
            }
        if column.kind == "thresholds":
            thresholds: dict[str, str] = {}
            for part in (p.strip() for p in re.split(r"[;\n]", text)):
                key, equals, duration = part.partition("=")
                if not part:
                    continue
                if not equals:
                    self.add(place, "write each threshold as value = time, e.g. low = 28 days")
                    return None
                if key.strip() in thresholds:
                    self.add(place, f"{quoted(key.strip())} has two thresholds")
                    return None
                thresholds[key.strip()] = duration.strip()
            return thresholds
        return text

    def _options(self, sections: list[dict[str, Any]]) -> None:
        allowed = [c.name for c in OPTION_COLUMNS]
        required = _required()
        for number, cells in self._table(OPTIONS, allowed, ("question", "value", "label")):
            question_id = _text(cells.get("question"))
            where = self.question_at.get(question_id)
            if where is None:
                self.add(
                    Place(OPTIONS, number, "question"),
                    f"no question {quoted(question_id)} on the questions sheet"
                    if question_id
                    else "name the question this option belongs to",
                )
                continue
            option = {
                name: _text(cells.get(name))
                for name in ("value", "label", "outcome")
                if _text(cells.get(name))
            }
            question = sections[where[0]]["questions"][where[1]]
            options = question.setdefault("options", [])
            self.places.options[(where[0], where[1], len(options))] = number
            options.append(_filled(option, required["option"]))


def _filled(data: dict[str, Any], required: Sequence[str]) -> dict[str, Any]:
    """The data with each required key it lacks as "": the schema then names that key's cell."""
    return {**{key: "" for key in required if key not in data}, **data}


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def sheets_to_data(
    sheets: Mapping[str, Sequence[Sequence[object]]], *, filename: str = "<workbook>"
) -> tuple[dict[str, Any], Places]:
    """Read the sheets into question-set data, and where each part came from.

    QuestionSetError, naming sheet, row and column, when the rows cannot even be read as data
    (a missing sheet, an unknown column, a condition without "="). Nothing here checks values.
    """
    reader = _Reader(sheets)
    data = reader.read()
    if reader.problems:
        raise QuestionSetError(reader.problems, filename=filename)
    return data, reader.places


def load_question_set_sheets(
    sheets: Mapping[str, Sequence[Sequence[object]]], *, filename: str = "<workbook>"
) -> QuestionSet:
    """Read and validate a question set from its sheets; every problem names its cell."""
    data, places = sheets_to_data(sheets, filename=filename)
    try:
        return question_set_from_data(data, filename=filename)
    except QuestionSetError as error:
        located = [
            QuestionSetProblem(str(places.place_of(problem.path)), problem.message)
            for problem in error.errors
        ]
        raise QuestionSetError(located, filename=filename) from error
