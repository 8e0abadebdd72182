"""What changed between two versions of a question set: questions added, removed and changed.

A draft is reviewed against the version it would follow before it is published. Questions are
matched by id (stable across versions, as the file format asks). For each question in both,
every field that differs is listed with its old and new value in words. A question counts as
moved only when its order relative to the other kept questions changed: the kept questions that
form the longest run still in their old order stay put, so inserting or removing one question
does not mark every later one as moved.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from auditapp.domain.question_sets.durations import format_duration
from auditapp.domain.question_sets.model import DerivedCheck, Question, QuestionSet


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its key as the file writes it, its name in words, both values."""

    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class QuestionEntry:
    """A question added or removed, with the title of the section it is (or was) in."""

    question: Question
    section_title: str


@dataclass(frozen=True)
class QuestionChange:
    """A question in both versions whose fields differ; ``text`` is its new wording."""

    id: str
    section_title: str
    text: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class QuestionSetDiff:
    """The difference from one version (None for a new case type) to the next."""

    added: tuple[QuestionEntry, ...]
    removed: tuple[QuestionEntry, ...]
    changed: tuple[QuestionChange, ...]
    settings: tuple[FieldChange, ...]

    @property
    def is_empty(self) -> bool:
        """Return True when the two versions ask the same questions in the same way."""
        return not (self.added or self.removed or self.changed or self.settings)


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _number(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def _options(question: Question) -> str:
    parts = []
    for option in question.options:
        outcome = f" → {option.outcome.replace('_', ' ')}" if option.outcome else ""
        parts.append(f"{option.value} ({option.label}){outcome}")
    return "; ".join(parts)


def _show_if(question: Question) -> str:
    condition = question.show_if
    if condition is None:
        return ""
    return f"{condition.question} is {' or '.join(condition.equals)}"


def _check(check: DerivedCheck | None) -> str:
    if check is None:
        return ""
    words = f"from {check.start} to {check.end} within {format_duration(check.within)}"
    if check.partly_within is not None:
        words += f"; partly met within {format_duration(check.partly_within)}"
    if check.within_by is not None:
        thresholds = ", ".join(
            f"{value} {format_duration(limit)}" for value, limit in check.within_by.thresholds
        )
        words += f"; by {check.within_by.question}: {thresholds}"
    return words


# (key in the file, words, value in words): the order the review page lists them in.
_QUESTION_FIELDS: tuple[tuple[str, str, Callable[[Question], str]], ...] = (
    ("text", "Question", lambda q: q.text),
    ("guidance", "Guidance", lambda q: q.guidance),
    ("type", "Answer type", lambda q: q.type.replace("_", " ")),
    ("options", "Options", _options),
    ("allow_partly", "Partly allowed", lambda q: _yes_no(q.allow_partly)),
    ("allow_na", "Not applicable allowed", lambda q: _yes_no(q.allow_na)),
    ("graded", "Graded", lambda q: _yes_no(q.graded)),
    ("critical", "Critical", lambda q: _yes_no(q.critical)),
    ("weight", "Weight", lambda q: _number(q.weight)),
    ("required", "Required", lambda q: _yes_no(q.required)),
    ("show_if", "Shown when", _show_if),
    ("recommendations", "Recommendations", lambda q: ", ".join(q.recommendations)),
    ("met_when", "Met when ticked", lambda q: _number(q.checklist_met)),
    ("partly_when", "Partly met when ticked", lambda q: _number(q.checklist_partly)),
    ("check", "Timeliness check", lambda q: _check(q.check)),
    ("whole_number", "Whole number", lambda q: _yes_no(q.whole_number)),
)

_SET_FIELDS: tuple[tuple[str, str, Callable[[QuestionSet], str]], ...] = (
    ("title", "Title", lambda qs: qs.title),
    ("case_type_name", "Case type name", lambda qs: qs.case_type_name),
    ("kind", "Kind", lambda qs: qs.kind.replace("_", " ")),
    ("description", "Description", lambda qs: qs.description),
    ("source", "Source", lambda qs: qs.source),
    ("grading.good_threshold", "Good from", lambda qs: _number(qs.grading.good_threshold)),
    (
        "grading.requires_improvement_threshold",
        "Requires improvement from",
        lambda qs: _number(qs.grading.requires_improvement_threshold),
    ),
    ("grading.partly_weight", "Weight of partly met", lambda qs: _number(qs.grading.partly_weight)),
)


def _section_titles(qs: QuestionSet) -> dict[str, str]:
    return {section.id: section.title for section in qs.sections}


def _kept_in_order(old_positions: Sequence[int]) -> set[int]:
    """Indexes into ``old_positions`` of one longest increasing run (patience sorting)."""
    tails: list[int] = []  # tails[k]: the smallest old position ending a run of length k + 1
    tail_index: list[int] = []  # where in old_positions each tail sits
    previous: list[int] = [-1] * len(old_positions)
    for index, position in enumerate(old_positions):
        length = bisect_left(tails, position)
        if length == len(tails):
            tails.append(position)
            tail_index.append(index)
        else:
            tails[length] = position
            tail_index[length] = index
        previous[index] = tail_index[length - 1] if length else -1
    kept: set[int] = set()
    index = tail_index[-1] if tail_index else -1
    while index != -1:
        kept.add(index)
        index = previous[index]
    return kept


def _moved(old: QuestionSet, new: QuestionSet) -> set[str]:
    """Ids of the questions in both whose place among the other kept questions changed."""
    old_position = {q.id: n for n, q in enumerate(old.questions)}
    kept_ids = [q.id for q in new.questions if q.id in old_position]
    in_order = _kept_in_order([old_position[question_id] for question_id in kept_ids])
    return {question_id for n, question_id in enumerate(kept_ids) if n not in in_order}


def _field_changes(
    fields: Sequence[tuple[str, str, Callable[[Question], str]]], old: Question, new: Question
) -> list[FieldChange]:
    changes = []
    for key, label, words in fields:
        before, after = words(old), words(new)
        if before != after:
            changes.append(FieldChange(key, label, before, after))
    return changes


def diff_question_sets(old: QuestionSet | None, new: QuestionSet) -> QuestionSetDiff:
    """Return what changed from ``old`` to ``new``; with no old version every question is new."""
    new_titles = _section_titles(new)
    if old is None:
        everything = tuple(QuestionEntry(q, new_titles[q.section_id]) for q in new.questions)
        return QuestionSetDiff(added=everything, removed=(), changed=(), settings=())
    old_titles = _section_titles(old)
    old_by_id = {q.id: q for q in old.questions}
    new_ids = {q.id for q in new.questions}
    old_position = {q.id: n for n, q in enumerate(old.questions, start=1)}
    new_position = {q.id: n for n, q in enumerate(new.questions, start=1)}
    moved = _moved(old, new)

    added: list[QuestionEntry] = []
    changed: list[QuestionChange] = []
    for question in new.questions:
        before = old_by_id.get(question.id)
        if before is None:
            added.append(QuestionEntry(question, new_titles[question.section_id]))
            continue
        changes: list[FieldChange] = []
        old_section, new_section = old_titles[before.section_id], new_titles[question.section_id]
        if before.section_id != question.section_id:
            changes.append(FieldChange("section", "Section", old_section, new_section))
        if question.id in moved:
            changes.append(
                FieldChange(
                    "position",
                    "Position in the set",
                    str(old_position[question.id]),
                    str(new_position[question.id]),
                )
            )
        changes.extend(_field_changes(_QUESTION_FIELDS, before, question))
        if changes:
            changed.append(QuestionChange(question.id, new_section, question.text, tuple(changes)))
    removed = tuple(
        QuestionEntry(q, old_titles[q.section_id]) for q in old.questions if q.id not in new_ids
    )

    settings = [
        FieldChange(key, label, words(old), words(new))
        for key, label, words in _SET_FIELDS
        if words(old) != words(new)
    ]
    for section_id, title in new_titles.items():
        old_title = old_titles.get(section_id)
        if old_title is not None and old_title != title:
            key, label = f"sections.{section_id}.title", f"Title of section {section_id}"
            settings.append(FieldChange(key, label, old_title, title))
    return QuestionSetDiff(tuple(added), removed, tuple(changed), tuple(settings))
