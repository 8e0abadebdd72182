"""The layout of a question-set workbook: its sheets and columns, and places in it.

``spreadsheet`` writes and reads the rows; this module says what each column holds (its key in
the data a YAML file parses to), how text is kept from running as a formula, and how a
problem's path in that data (``sections[1].questions[3].show_if``) names the cell it came from
(``questions sheet, row 7, column 'show_if'``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from auditapp.domain.spreadsheet_safety import QUOTE, is_dangerous

QUESTIONS = "questions"
OPTIONS = "options"
SETTINGS = "settings"
INSTRUCTIONS = "instructions"
SHEET_ORDER = (QUESTIONS, OPTIONS, SETTINGS, INSTRUCTIONS)
SECTION_TYPE = "section"

Cell = str | int | float | None
Sheets = dict[str, list[list[Cell]]]
Kind = Literal["text", "number", "boolean", "list", "condition", "thresholds"]


@dataclass(frozen=True)
class Column:
    """A column (a row, on the settings sheet): what it holds and where that sits in the data."""

    name: str
    kind: Kind
    key: tuple[str, ...]
    help: str


QUESTION_COLUMNS = (
    Column(
        "type",
        "text",
        ("type",),
        "section, or the answer type: yes_no, choice, checklist, "
        "number, date, datetime, text or derived",
    ),
    Column(
        "id", "text", ("id",), "the section's or question's id, e.g. DA01 (letters, digits, _ or -)"
    ),
    Column("text", "text", ("text",), "the section's title, or the question as auditors read it"),
    Column("guidance", "text", ("guidance",), "help shown under the question"),
    Column(
        "show_if",
        "condition",
        ("show_if",),
        "show the question only when an earlier "
        "answer is one of some values: DA01 = yes, or OC07 = low, medium",
    ),
    Column(
        "critical_if",
        "condition",
        ("critical_if",),
        "critical only when an earlier answer is one of these: MC02 = high",
    ),
    Column(
        "required",
        "boolean",
        ("required",),
        "no when the question may be left unanswered (blank: yes)",
    ),
    Column("allow_na", "boolean", ("allow_na",), "yes to offer 'not applicable' (blank: no)"),
    Column(
        "allow_partly",
        "boolean",
        ("allow_partly",),
        "yes_no questions: no to leave out 'partly' (blank: yes)",
    ),
    Column("graded", "boolean", ("graded",), "yes when the answer counts towards the grade"),
    Column(
        "critical",
        "boolean",
        ("critical",),
        "yes when a no (not met) answer makes the case inadequate (blank: no)",
    ),
    Column("weight", "number", ("weight",), "the question's weight in the grade (blank: 1)"),
    Column(
        "met_when",
        "number",
        ("met_when",),
        "checklist questions: met when this many options are ticked",
    ),
    Column(
        "partly_when",
        "number",
        ("partly_when",),
        "checklist questions: partly met when this many are ticked",
    ),
    Column(
        "whole_number",
        "boolean",
        ("whole_number",),
        "number questions: no to allow decimals (blank: yes)",
    ),
    Column(
        "recommendations",
        "list",
        ("recommendations",),
        "the recommendations the question evidences, e.g. R2, R5",
    ),
    Column(
        "check_start",
        "text",
        ("check", "start"),
        "derived questions: the date question the time is measured from",
    ),
    Column(
        "check_end",
        "text",
        ("check", "end"),
        "derived questions: the date question the time is measured to",
    ),
    Column(
        "check_within",
        "text",
        ("check", "within"),
        "derived questions: met within this long, e.g. 90 minutes, 72 hours, 14 days",
    ),
    Column(
        "check_partly_within",
        "text",
        ("check", "partly_within"),
        "derived questions: partly met within this long",
    ),
    Column(
        "check_within_by",
        "text",
        ("check", "within_by", "question"),
        "derived questions: the question whose answer sets the time allowed",
    ),
    Column(
        "check_thresholds",
        "thresholds",
        ("check", "within_by", "thresholds"),
        "the time allowed for each answer to check_within_by: low = 28 days; medium = 14 days",
    ),
    Column(
        "check_unverified",
        "list",
        ("check", "unverified"),
        "thresholds whose source is unverified: within, or answers to check_within_by: low, high",
    ),
    Column(
        "check_until_audit",
        "condition",
        ("check", "until_audit"),
        "when the action is not done yet, measure to the audit date: OC17 = no",
    ),
    Column(
        "check_audit_date",
        "text",
        ("check", "audit_date"),
        "with check_until_audit: the date question holding the date of the audit",
    ),
)
# A section row holds only these; a question row may fill any column.
SECTION_COLUMNS = ("type", "id", "text")

OPTION_COLUMNS = (
    Column("question", "text", (), "the id of the choice or checklist question"),
    Column("value", "text", ("value",), "the value stored for the answer (a-z, 0-9, _ or -)"),
    Column("label", "text", ("label",), "the option as auditors read it"),
    Column(
        "outcome",
        "text",
        ("outcome",),
        "choice questions: met, partly_met, not_met or not_applicable",
    ),
)
_OPTION_COLUMN = {column.name: column for column in OPTION_COLUMNS}

SETTING_COLUMNS = ("setting", "value")
# Each setting: its kind and where it sits in the data (grading thresholds are nested).
SETTINGS_ROWS: tuple[Column, ...] = (
    Column("case_type", "text", ("case_type",), "the case type's id, e.g. domestic-abuse"),
    Column("case_type_name", "text", ("case_type_name",), "the case type as people read it"),
    Column("version", "number", ("version",), "a whole number; an upload needs a new version"),
    Column("title", "text", ("title",), "the question set's title"),
    Column("kind", "text", ("kind",), "case (graded) or dip_sample (figures only)"),
    Column("description", "text", ("description",), "what the set audits"),
    Column("source", "text", ("source",), "where the questions come from"),
    Column(
        "good_threshold",
        "number",
        ("grading", "good_threshold"),
        "the share of the weighted score a good case reaches, e.g. 0.8",
    ),
    Column(
        "requires_improvement_threshold",
        "number",
        ("grading", "requires_improvement_threshold"),
        "below this share a case is inadequate, e.g. 0.5",
    ),
    Column(
        "partly_weight",
        "number",
        ("grading", "partly_weight"),
        "what a partly answer counts for, e.g. 0.5",
    ),
)


# --- places in the workbook ---------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where in the workbook something is: a sheet, and a row and column when known."""

    sheet: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [f"{self.sheet} sheet"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


@dataclass
class Places:
    """The row each part of the data was read from, so a problem's path can name its cell."""

    settings: dict[str, int] = field(default_factory=dict)
    sections: list[int] = field(default_factory=list)
    questions: dict[tuple[int, int], int] = field(default_factory=dict)
    options: dict[tuple[int, int, int], int] = field(default_factory=dict)

    def place_of(self, path: str) -> Place:
        """The cell a problem at this data path (``sections[0].questions[2].type``) came from."""
        parts = path_parts(path)
        if not parts or (parts[0] == "grading" and len(parts) == 1):
            return Place(SETTINGS)
        if parts[0] != "sections":
            key = str(parts[1] if parts[0] == "grading" and len(parts) > 1 else parts[0])
            row = self.settings.get(key)
            return Place(SETTINGS, row, SETTING_COLUMNS[1] if row is not None else None)
        if len(parts) < 2 or not isinstance(parts[1], int) or parts[1] >= len(self.sections):
            return Place(QUESTIONS)
        s_index = parts[1]
        section_row = self.sections[s_index]
        if len(parts) == 3 and parts[2] in ("id", "title"):
            return Place(QUESTIONS, section_row, "id" if parts[2] == "id" else "text")
        if len(parts) < 4 or not isinstance(parts[3], int):
            return Place(QUESTIONS, section_row)
        question = (s_index, parts[3])
        if question not in self.questions:
            return Place(QUESTIONS, section_row)
        return self._question_place(question, parts[4:])

    def _question_place(self, question: tuple[int, int], rest: Sequence[str | int]) -> Place:
        row = self.questions[question]
        if not rest:
            return Place(QUESTIONS, row)
        if rest[0] == "options":
            return self._option_place(question, row, rest[1:])
        keys = tuple(part for part in rest if isinstance(part, str))
        # The column holding this key (show_if.equals[1] -> show_if), else the first column
        # inside it (check -> check_start).
        holding = [c for c in QUESTION_COLUMNS if keys[: len(c.key)] == c.key]
        inside = [c for c in QUESTION_COLUMNS if c.key[: len(keys)] == keys]
        chosen = max(holding, key=lambda c: len(c.key)) if holding else next(iter(inside), None)
        return Place(QUESTIONS, row, chosen.name if chosen else None)

    def _option_place(
        self, question: tuple[int, int], question_row: int, rest: Sequence[str | int]
    ) -> Place:
        rows = sorted(
            (index, row) for (s, q, index), row in self.options.items() if (s, q) == question
        )
        if rest and isinstance(rest[0], int):
            row = dict(rows).get(rest[0])
            column = str(rest[1]) if len(rest) > 1 and str(rest[1]) in _OPTION_COLUMN else None
            if row is not None:
                return Place(OPTIONS, row, column)
        if rows:  # the options as a whole: their first row, which names the question
            return Place(OPTIONS, rows[0][1], OPTION_COLUMNS[0].name)
        return Place(QUESTIONS, question_row, "type")


_PATH_PART = re.compile(r"\[([0-9]+)\]|\.?([^.\[\]]+)")


def path_parts(path: str) -> list[str | int]:
    """Split a problem's path (``format_path`` output) into keys and list indexes."""
    return [
        int(index) if index else name for index, name in _PATH_PART.findall(path) if index or name
    ]


# --- cells ------------------------------------------------------------------------------------


def to_cell(text: str) -> str:
    """Text as written to a cell: a quote before anything a spreadsheet would run as a formula.

    Text that already starts with quotes before a formula-like character gets one more, so
    ``from_cell`` (which takes exactly one away) gives back what was written.
    """
    return QUOTE + text if is_dangerous(text.lstrip(QUOTE)) else text


def from_cell(text: str) -> str:
    """Text as typed, from a cell ``to_cell`` wrote (one neutralising quote taken away)."""
    return text[1:] if text.startswith(QUOTE) and is_dangerous(text.lstrip(QUOTE)) else text
