"""A question-set draft's data: a blank set, its questions counted, and the builder's edits.

A draft holds the plain data a question-set file parses to (``question_set_to_dict``). These
functions never change the data they are given: each returns a changed copy, which the caller
validates with ``question_set_from_data`` (the one validation of every format) before keeping.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditapp.domain.question_sets.errors import QuestionSetProblem
from auditapp.domain.question_sets.model import QuestionType, SetKind


def blank_question_set_data(
    *, case_type: str, case_type_name: str, title: str, kind: SetKind, version: int
) -> dict[str, Any]:
    """Return the data of a set with its settings and no sections yet."""
    return {
        "case_type": case_type,
        "case_type_name": case_type_name,
        "version": version,
        "title": title,
        "kind": kind,
        "sections": [],
    }


def _sections(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    sections = data.get("sections")
    if not isinstance(sections, list):
        return []
    return [section for section in sections if isinstance(section, Mapping)]


def question_count(data: Mapping[str, Any]) -> int:
    """Return how many questions the data holds (0 for a blank set or one without sections)."""
    count = 0
    for section in _sections(data):
        questions = section.get("questions")
        if isinstance(questions, list):
            count += len(questions)
    return count


def question_path(data: Mapping[str, Any], question_id: str) -> str | None:
    """Return where a question sits, as problems name it (``sections[1].questions[3]``)."""
    for s_index, section in enumerate(_sections(data)):
        questions = section.get("questions")
        for q_index, question in enumerate(questions if isinstance(questions, list) else []):
            if isinstance(question, Mapping) and question.get("id") == question_id:
                return f"sections[{s_index}].questions[{q_index}]"
    return None


def section_path(data: Mapping[str, Any], section_id: str) -> str | None:
    """Return where a section sits, as problems name it (``sections[1]``)."""
    for s_index, section in enumerate(_sections(data)):
        if section.get("id") == section_id:
            return f"sections[{s_index}]"
    return None


def problems_by_field(
    problems: Iterable[QuestionSetProblem], path: str, fields: Iterable[str]
) -> dict[str, list[str]]:
    """Sort problems by the field of the thing at ``path`` they concern; the rest under "".

    ``sections[0].questions[2].weight: must be more than 0`` goes under ``weight``, so a form
    can show it next to that field.
    """
    names = tuple(fields)
    found: dict[str, list[str]] = {}
    for problem in problems:
        key = ""
        for name in names:
            place = f"{path}.{name}"
            if problem.path == place or problem.path.startswith((f"{place}.", f"{place}[")):
                key = name
                break
        found.setdefault(key, []).append(problem.message if key else str(problem))
    return found


@dataclass(frozen=True)
class QuestionEdit:
    """What the builder's question form sets; other fields of the question are kept."""

    text: str
    guidance: str
    type: QuestionType
    graded: bool
    critical: bool
    weight: float
    required: bool


def _find_question(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    for section in data.get("sections", []):
        for question in section.get("questions", []):
            if question.get("id") == question_id:
                found: dict[str, Any] = question  # the same dict: edited in place
                return found
    raise LookupError(f"no question {question_id}")


def with_question_edit(
    data: Mapping[str, Any], question_id: str, edit: QuestionEdit
) -> dict[str, Any]:
    """Return a copy of the data with one question's fields set as the builder's form gives.

    Keys at their default are left out, as ``question_set_to_dict`` writes a file.
    Raises LookupError when the data has no such question.
    """
    changed = copy.deepcopy(dict(data))
    question = _find_question(changed, question_id)
    question["text"] = edit.text
    _set_or_drop(question, "guidance", edit.guidance, default="")
    question["type"] = edit.type
    question["graded"] = edit.graded
    _set_or_drop(question, "critical", edit.critical, default=False)
    weight: float | int = int(edit.weight) if float(edit.weight).is_integer() else edit.weight
    _set_or_drop(question, "weight", weight, default=1)
    _set_or_drop(question, "required", edit.required, default=True)
    return changed


def _set_or_drop(question: dict[str, Any], key: str, value: object, *, default: object) -> None:
    if value == default:
        question.pop(key, None)
    else:
        question[key] = value


def with_section_title(data: Mapping[str, Any], section_id: str, title: str) -> dict[str, Any]:
    """Return a copy of the data with one section renamed; LookupError if there is none."""
    changed = copy.deepcopy(dict(data))
    for section in changed.get("sections", []):
        if section.get("id") == section_id:
            section["title"] = title
            return changed
    raise LookupError(f"no section {section_id}")


@dataclass(frozen=True)
class NewQuestion:
    """A question the builder adds at the end of a section (a new one when not found)."""

    section_id: str
    section_title: str
    id: str
    text: str
    type: QuestionType


def with_new_question(data: Mapping[str, Any], new: NewQuestion) -> dict[str, Any]:
    """Return a copy of the data with the question added at the end of its section.

    A section id the data does not have starts a new section, last, titled ``section_title``.
    """
    changed = copy.deepcopy(dict(data))
    question = {"id": new.id, "text": new.text, "type": new.type}
    sections = changed.setdefault("sections", [])
    for section in sections:
        if section.get("id") == new.section_id:
            section.setdefault("questions", []).append(question)
            return changed
    sections.append({"id": new.section_id, "title": new.section_title, "questions": [question]})
    return changed


def without_question(data: Mapping[str, Any], question_id: str) -> dict[str, Any]:
    """Return a copy of the data without the question (and without its section if now empty).

    Raises LookupError when the data has no such question.
    """
    changed = copy.deepcopy(dict(data))
    for section in changed.get("sections", []):
        questions = section.get("questions", [])
        kept = [question for question in questions if question.get("id") != question_id]
        if len(kept) != len(questions):
            section["questions"] = kept
            changed["sections"] = [s for s in changed["sections"] if s.get("questions")]
            return changed
    raise LookupError(f"no question {question_id}")
