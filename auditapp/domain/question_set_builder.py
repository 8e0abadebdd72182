"""The browser builder's edits of a question-set draft's data, and its problems by form field.

Like ``question_sets.drafts``, every function returns a changed copy of the plain data a file
parses to and never changes what it is given; the caller validates the copy with
``question_set_from_data`` (the one validation of every format) before keeping it. A question is
edited as one row of the questions sheet (``question_sets.spreadsheet``): the builder's form has
a field per column, so a key added to the format (and to its spreadsheet columns) needs no new
code here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditapp.domain.question_sets.errors import QuestionSetProblem

# The spreadsheet reader's own row reading, reused so that the builder and an upload read a
# question alike; its private names are imported here rather than adding to that package.
from auditapp.domain.question_sets.spreadsheet import _question_cells, _Reader
from auditapp.domain.question_sets.spreadsheet_layout import Cell, Place, Places, path_parts

UP, DOWN = -1, 1


# --- one question as one questions-sheet row ---------------------------------------------------


def question_cells(question: Mapping[str, Any]) -> dict[str, Cell]:
    """One question's data as the cells of its questions-sheet row (column name -> cell)."""
    return _question_cells(question)


class _RowReader(_Reader):
    """Reads one questions-sheet row; each cell that cannot be read is noted by column."""

    def __init__(self) -> None:
        super().__init__({})
        self.cell_problems: list[tuple[str, str]] = []

    def add(self, place: Place, message: str) -> None:
        self.cell_problems.append((place.column or "", message))


def question_from_cells(
    cells: Mapping[str, object],
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A question's data from one row's cells, read as an upload reads them, and the
    (column, message) of each cell that cannot be read (a condition without "=")."""
    reader = _RowReader()
    return reader._question(0, cells), reader.cell_problems


def column_of(question_key_path: str) -> str | None:
    """The questions-sheet column holding a key of a question (``show_if.equals[1]`` ->
    ``show_if``, ``check`` -> ``check_start``); None for its options."""
    if question_key_path.startswith("options"):
        return None
    places = Places(sections=[0], questions={(0, 0): 0})
    return places.place_of(f"sections[0].questions[0].{question_key_path}").column


# --- edits --------------------------------------------------------------------------------------


def _sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = data.setdefault("sections", [])
    return sections


def _locate(data: dict[str, Any], question_id: str) -> tuple[dict[str, Any], int]:
    for section in _sections(data):
        for index, question in enumerate(section.get("questions", [])):
            if question.get("id") == question_id:
                return section, index
    raise LookupError(f"no question {question_id}")


def with_question(
    data: Mapping[str, Any],
    question: Mapping[str, Any],
    *,
    replacing: str | None = None,
    section_id: str = "",
    section_title: str = "",
) -> dict[str, Any]:
    """Return a copy with ``question`` in place of question ``replacing``, or else added at the
    end of section ``section_id`` (a section the data lacks starts last, titled
    ``section_title``). The question keeps its options when ``question`` brings none.

    Raises LookupError when ``replacing`` is not in the data.
    """
    changed = copy.deepcopy(dict(data))
    new = copy.deepcopy(dict(question))
    if replacing is not None:
        section, index = _locate(changed, replacing)
        section["questions"][index] = new
        return changed
    for section in _sections(changed):
        if section.get("id") == section_id:
            section.setdefault("questions", []).append(new)
            return changed
    _sections(changed).append({"id": section_id, "title": section_title, "questions": [new]})
    return changed


def _moved(items: list[Any], index: int, step: int) -> None:
    target = index + step
    if step not in (UP, DOWN) or not 0 <= target < len(items):
        raise LookupError("nothing to move past")
    items[index], items[target] = items[target], items[index]


def with_section_moved(data: Mapping[str, Any], section_id: str, step: int) -> dict[str, Any]:
    """Return a copy with the section one place up (``UP``) or down (``DOWN``).

    LookupError when there is no such section or it is already first (last).
    """
    changed = copy.deepcopy(dict(data))
    sections = _sections(changed)
    index = next((i for i, s in enumerate(sections) if s.get("id") == section_id), None)
    if index is None:
        raise LookupError(f"no section {section_id}")
    _moved(sections, index, step)
    return changed


def with_question_moved(data: Mapping[str, Any], question_id: str, step: int) -> dict[str, Any]:
    """Return a copy with the question one place up or down within its section."""
    changed = copy.deepcopy(dict(data))
    section, index = _locate(changed, question_id)
    _moved(section["questions"], index, step)
    return changed


def with_option_moved(
    data: Mapping[str, Any], question_id: str, value: str, step: int
) -> dict[str, Any]:
    """Return a copy with the question's option ``value`` one place up or down."""
    changed = copy.deepcopy(dict(data))
    section, index = _locate(changed, question_id)
    options = section["questions"][index].get("options", [])
    position = next((i for i, o in enumerate(options) if o.get("value") == value), None)
    if position is None:
        raise LookupError(f"no option {value}")
    _moved(options, position, step)
    return changed


def without_section(data: Mapping[str, Any], section_id: str) -> dict[str, Any]:
    """Return a copy without the section and its questions; LookupError if there is none."""
    changed = copy.deepcopy(dict(data))
    kept = [s for s in _sections(changed) if s.get("id") != section_id]
    if len(kept) == len(_sections(changed)):
        raise LookupError(f"no section {section_id}")
    changed["sections"] = kept
    return changed


def question_problems_by_field(
    problems: Iterable[QuestionSetProblem], question_path: str, option_rows: Sequence[int] = ()
) -> dict[str, list[str]]:
    """Sort problems by the builder's form field they concern; the rest under "".

    A problem of the question at ``question_path`` (``sections[1].questions[3]``) goes under
    its questions-sheet column (``show_if.equals[0]`` -> ``show_if``); one of its options under
    ``options-R-value`` (R the form row ``option_rows`` gives for that option's index), or
    ``options`` for the options as a whole. Problems elsewhere in the set keep their path.
    """
    found: dict[str, list[str]] = {}
    prefix = f"{question_path}."
    for problem in problems:
        key = ""
        if problem.path.startswith(prefix):
            rest = problem.path[len(prefix) :]
            key = _option_field(rest, option_rows) or column_of(rest) or ""
        found.setdefault(key, []).append(problem.message if key else str(problem))
    return found


def _option_field(rest: str, option_rows: Sequence[int]) -> str | None:
    parts = path_parts(rest)
    if not parts or parts[0] != "options":
        return None
    if len(parts) >= 3 and isinstance(parts[1], int) and parts[1] < len(option_rows):
        return f"options-{option_rows[parts[1]]}-{parts[2]}"
    return "options"
