"""Question-set drafts: started blank, copied from a version or uploaded; edited; published.

A draft lives in ``question_set_draft``, never in ``question_set``, so no case, no inspection's
choice of version and no cached parse (``question_set_data_of``, keyed on a version's id) can
reach it. Its data is always either blank (settings, no questions yet) or a set that passes
``question_set_from_data``, the one validation of every format: an edit that would break the
set is refused and changes nothing. Publishing stores the draft as the case type's next
version (the highest stored version + 1) and freezes the draft: a published or discarded
draft, like a version, is never changed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from auditapp.domain.question_set_builder import (
    with_option_moved,
    with_question,
    with_question_moved,
    with_section_moved,
    without_section,
)
from auditapp.domain.question_sets import QuestionSet as QuestionSetData
from auditapp.domain.question_sets import (
    QuestionSetError,
    QuestionSetProblem,
    SetKind,
    dump_question_set,
    load_question_set,
    question_set_from_data,
    question_set_to_dict,
)
from auditapp.domain.question_sets.diff import QuestionSetDiff, diff_question_sets
from auditapp.domain.question_sets.drafts import (
    NewQuestion,
    QuestionEdit,
    blank_question_set_data,
    question_count,
    with_new_question,
    with_question_edit,
    with_section_title,
    without_question,
)
from auditapp.domain.statuses import QuestionSetDraftStatus
from auditapp.extensions import db
from auditapp.models import CaseType, Inspection, QuestionSet, QuestionSetDraft, User, utcnow
from auditapp.services.audit_log import record_event
from auditapp.services.question_set_workbooks import read_question_set_workbook
from auditapp.services.question_sets import question_set_data, store_question_set

EMPTY_MESSAGE = (
    "This draft has no questions, so it cannot be published: add a question or upload a file "
    "with the questions first"
)


RACE_MESSAGE = (
    "Version {version} of this case type was published by someone else at the same moment, "
    "so this draft was not published. Review the changes again, then publish it as the next "
    "version."
)


class DraftError(ValueError):
    """A draft cannot be changed or published this way; the message is written for the admin."""


def _entity(draft: QuestionSetDraft) -> str:
    return f"{draft.case_type_slug} draft {draft.id}"


def open_drafts() -> list[QuestionSetDraft]:
    """Every draft still being prepared, the most recently changed first."""
    return list(
        db.session.scalars(
            select(QuestionSetDraft)
            .where(QuestionSetDraft.status == QuestionSetDraftStatus.DRAFT)
            .order_by(QuestionSetDraft.updated_at.desc(), QuestionSetDraft.id.desc())
        )
    )


def inspection_drafts(inspection: Inspection) -> list[QuestionSetDraft]:
    """The inspection's drafts still being prepared, the most recently changed first."""
    return list(
        db.session.scalars(
            select(QuestionSetDraft)
            .where(
                QuestionSetDraft.status == QuestionSetDraftStatus.DRAFT,
                QuestionSetDraft.inspection_id == inspection.id,
            )
            .order_by(QuestionSetDraft.updated_at.desc(), QuestionSetDraft.id.desc())
        )
    )


def latest_version(case_type_slug: str) -> QuestionSet | None:
    """The case type's highest stored version, or None for a case type with none yet."""
    return db.session.scalar(
        select(QuestionSet)
        .join(CaseType)
        .where(CaseType.slug == case_type_slug)
        .order_by(QuestionSet.version.desc())
        .limit(1)
    )


def next_version(case_type_slug: str) -> int:
    """The version number publishing a draft of this case type would give now."""
    highest = db.session.scalar(
        select(func.max(QuestionSet.version)).join(CaseType).where(CaseType.slug == case_type_slug)
    )
    return (highest or 0) + 1


def read_question_set_upload(content: bytes, filename: str) -> QuestionSetData:
    """Read and validate an uploaded YAML or XLSX file; QuestionSetError names each problem."""
    if filename.lower().endswith(".xlsx"):
        return read_question_set_workbook(content, filename)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = QuestionSetProblem("", "the file is not UTF-8 text")
        raise QuestionSetError([problem], filename=filename) from error
    return load_question_set(text, filename=filename)


def _new_draft(
    data: dict[str, Any], by: User, based_on: QuestionSet | None, inspection: Inspection | None
) -> QuestionSetDraft:
    draft = QuestionSetDraft(
        status=QuestionSetDraftStatus.DRAFT,
        definition=data,
        based_on=based_on,
        inspection_id=inspection.id if inspection is not None else None,
        created_by_id=by.id,
        updated_by_id=by.id,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def create_blank_draft(
    *,
    case_type: str,
    case_type_name: str,
    title: str,
    kind: SetKind,
    by: User,
    inspection: Inspection | None = None,
) -> QuestionSetDraft:
    """Start a draft with settings and no questions (an inspection's: its leads may change it).

    For a case type that exists already its stored name and kind are kept, as publishing
    keeps them. Raises QuestionSetError when the settings themselves are not valid.
    """
    existing = db.session.scalar(select(CaseType).where(CaseType.slug == case_type))
    if existing is not None:
        case_type_name, kind = (
            existing.name,
            "dip_sample" if existing.kind == "dip_sample" else "case",
        )
    data = blank_question_set_data(
        case_type=case_type,
        case_type_name=case_type_name,
        title=title,
        kind=kind,
        version=next_version(case_type),
    )
    _check_settings(data)
    draft = _new_draft(data, by, based_on=None, inspection=inspection)
    record_event("create", "question_set_draft", user=by, entity_id=draft.id, new=_entity(draft))
    return draft


def _check_settings(data: Mapping[str, Any]) -> None:
    """Validate a blank set's settings: a placeholder question stands in for the sections."""
    placeholder = {"id": "Q1", "text": "Placeholder", "type": "yes_no"}
    with_one = {**data, "sections": [{"id": "s1", "title": "Section", "questions": [placeholder]}]}
    question_set_from_data(with_one, filename="the draft's settings")


def copy_version_to_draft(
    row: QuestionSet, *, by: User, inspection: Inspection | None = None
) -> QuestionSetDraft:
    """Start a draft from a stored version (which is left exactly as it was)."""
    data = question_set_to_dict(question_set_data(row))
    data["version"] = next_version(row.case_type.slug)
    draft = _new_draft(data, by, based_on=row, inspection=inspection)
    record_event(
        "create",
        "question_set_draft",
        user=by,
        entity_id=draft.id,
        old=f"{row.case_type.slug} v{row.version}",
        new=_entity(draft),
    )
    return draft


def upload_draft(content: bytes, *, filename: str, by: User) -> QuestionSetDraft:
    """Start a draft from a YAML or XLSX file; nothing is stored unless the whole set is valid.

    The file's version number is not used: publishing gives the next one.
    """
    qs = read_question_set_upload(content, filename)
    data = question_set_to_dict(qs)
    data["version"] = next_version(qs.case_type)
    draft = _new_draft(data, by, based_on=None, inspection=None)
    record_event(
        "create", "question_set_draft", user=by, entity_id=draft.id, field="file", new=filename
    )
    return draft


def closed_message(draft: QuestionSetDraft) -> str:
    """Why a published or discarded draft cannot be changed, in words for the admin."""
    if draft.status == QuestionSetDraftStatus.PUBLISHED:
        version = draft.published.version if draft.published is not None else "?"
        return (
            f"This draft was published as version {version}, and a published version never "
            "changes. Copy that version to a new draft to change it."
        )
    return "This draft was discarded: it cannot be changed or published."


def _require_open(draft: QuestionSetDraft, *, lock: bool = False) -> None:
    if lock:
        # Publishing and discarding change the status: two requests at once must not both
        # see an open draft (PostgreSQL waits here for the other; SQLite writes one at a time).
        db.session.refresh(draft, with_for_update=True)
    if not draft.is_open:
        raise DraftError(closed_message(draft))


def _validated(data: Mapping[str, Any], draft: QuestionSetDraft) -> dict[str, Any]:
    """The data as a file would write it, or QuestionSetError; a blank set is kept as it is."""
    if question_count(data) == 0:
        return dict(data)
    return question_set_to_dict(question_set_from_data(data, filename=f"draft {draft.id}"))


def _save(draft: QuestionSetDraft, data: dict[str, Any], by: User, field: str, new: str) -> None:
    draft.definition = data  # a new dict: the JSON column sees the change
    draft.updated_at = utcnow()
    draft.updated_by_id = by.id
    db.session.flush()
    record_event(
        "edit", "question_set_draft", user=by, entity_id=draft.id, field=field, new=new
    )  # fmt: skip


def replace_draft(draft: QuestionSetDraft, content: bytes, *, filename: str, by: User) -> None:
    """Replace a draft's questions and settings with an uploaded file's (same case type)."""
    _require_open(draft)
    qs = read_question_set_upload(content, filename)
    if qs.case_type != draft.case_type_slug:
        raise DraftError(
            f"{filename} is for case type {qs.case_type}, but this draft is for "
            f"{draft.case_type_slug}. Upload it as a new draft instead."
        )
    data = question_set_to_dict(qs)
    data["version"] = draft.definition.get("version", 1)
    _save(draft, data, by, "file", filename)


def edit_draft_question(
    draft: QuestionSetDraft, question_id: str, edit: QuestionEdit, *, by: User
) -> None:
    """Set a question's text, guidance, type, graded, critical, weight and required.

    Raises DraftError (not a draft any more), LookupError (no such question) or
    QuestionSetError (the set would not be valid); nothing changes then.
    """
    _require_open(draft)
    data = _validated(with_question_edit(draft.definition, question_id, edit), draft)
    _save(draft, data, by, f"question {question_id}", _changed_keys(draft, data, question_id))


def _changed_keys(draft: QuestionSetDraft, data: Mapping[str, Any], question_id: str) -> str:
    def fields(source: Mapping[str, Any]) -> dict[str, Any]:
        for section in source.get("sections", []):
            for question in section.get("questions", []):
                if question.get("id") == question_id:
                    return dict(question)
        return {}

    before, after = fields(draft.definition), fields(data)
    keys = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    return ", ".join(keys) or "nothing"


def rename_draft_section(draft: QuestionSetDraft, section_id: str, title: str, *, by: User) -> None:
    """Give a section a new title; DraftError, LookupError or QuestionSetError as above."""
    _require_open(draft)
    data = _validated(with_section_title(draft.definition, section_id, title), draft)
    _save(draft, data, by, f"section {section_id}", "title")


def add_draft_question(draft: QuestionSetDraft, new: NewQuestion, *, by: User) -> None:
    """Add a question at the end of its section (or of a new section, last)."""
    _require_open(draft)
    data = _validated(with_new_question(draft.definition, new), draft)
    _save(draft, data, by, f"question {new.id}", "added")


def remove_draft_question(draft: QuestionSetDraft, question_id: str, *, by: User) -> None:
    """Remove a question (a section left with none goes too); refused if others refer to it."""
    _require_open(draft)
    data = _validated(without_question(draft.definition, question_id), draft)
    _save(draft, data, by, f"question {question_id}", "removed")


def save_draft_question(
    draft: QuestionSetDraft,
    question: Mapping[str, Any],
    *,
    replacing: str | None,
    section_id: str = "",
    section_title: str = "",
    by: User,
) -> None:
    """Store a question as the builder's form gives it: in place of ``replacing``, or added at
    the end of a section (a new one, last, when the draft has no such section).

    Raises DraftError (not a draft any more), LookupError (no such question) or
    QuestionSetError (the set would not be valid); nothing changes then.
    """
    _require_open(draft)
    changed = with_question(
        draft.definition, question, replacing=replacing, section_id=section_id,
        section_title=section_title,
    )  # fmt: skip
    data = _validated(changed, draft)
    qid = str(question.get("id"))
    if replacing is None:
        _save(draft, data, by, f"question {qid}", "added")
    else:
        _save(draft, data, by, f"question {qid}", _changed_keys(draft, data, qid))


def move_draft_section(draft: QuestionSetDraft, section_id: str, step: int, *, by: User) -> None:
    """Move a section one place up (-1) or down (+1); LookupError at either end."""
    _require_open(draft)
    data = _validated(with_section_moved(draft.definition, section_id, step), draft)
    _save(draft, data, by, f"section {section_id}", "moved up" if step < 0 else "moved down")


def move_draft_question(draft: QuestionSetDraft, question_id: str, step: int, *, by: User) -> None:
    """Move a question one place up or down in its section.

    QuestionSetError when that would put a condition before the question it depends on.
    """
    _require_open(draft)
    data = _validated(with_question_moved(draft.definition, question_id, step), draft)
    _save(draft, data, by, f"question {question_id}", "moved up" if step < 0 else "moved down")


def move_draft_option(
    draft: QuestionSetDraft, question_id: str, value: str, step: int, *, by: User
) -> None:
    """Move one of a question's options one place up or down."""
    _require_open(draft)
    data = _validated(with_option_moved(draft.definition, question_id, value, step), draft)
    _save(draft, data, by, f"question {question_id}", f"option {value} moved")


def remove_draft_section(draft: QuestionSetDraft, section_id: str, *, by: User) -> None:
    """Remove a section and its questions; refused while a question left refers to them."""
    _require_open(draft)
    data = _validated(without_section(draft.definition, section_id), draft)
    _save(draft, data, by, f"section {section_id}", "removed")


def discard_draft(draft: QuestionSetDraft, *, by: User) -> None:
    """Set a draft aside for good; it stays in the database, unchanged, as a record."""
    _require_open(draft, lock=True)
    draft.status = QuestionSetDraftStatus.DISCARDED
    draft.updated_at = utcnow()
    draft.updated_by_id = by.id
    db.session.flush()
    record_event("discard", "question_set_draft", user=by, entity_id=draft.id, new=_entity(draft))


def draft_question_set(draft: QuestionSetDraft) -> QuestionSetData | None:
    """The draft as a set (its version the one publishing would give), None while empty.

    Parsed on every call, never cached: a draft changes. QuestionSetError if it is not valid.
    """
    if question_count(draft.definition) == 0:
        return None
    data = {**draft.definition, "version": next_version(draft.case_type_slug)}
    return question_set_from_data(data, filename=f"draft {draft.id}")


@dataclass(frozen=True)
class DraftReview:
    """What publishing the draft now would do: its version, and what changes from the last one."""

    version: int
    previous: QuestionSet | None
    question_set: QuestionSetData | None
    diff: QuestionSetDiff | None
    problems: tuple[str, ...]

    @property
    def can_publish(self) -> bool:
        """Return True for a valid draft with questions."""
        return self.question_set is not None and not self.problems


def review_draft(draft: QuestionSetDraft) -> DraftReview:
    """Compare the draft with the case type's latest version, as the review page shows it."""
    version = next_version(draft.case_type_slug)
    previous = latest_version(draft.case_type_slug)
    try:
        qs = draft_question_set(draft)
    except QuestionSetError as error:
        return DraftReview(version, previous, None, None, tuple(str(p) for p in error.errors))
    if qs is None:
        return DraftReview(version, previous, None, None, (EMPTY_MESSAGE,))
    old = question_set_data(previous) if previous is not None else None
    return DraftReview(version, previous, qs, diff_question_sets(old, qs), ())


def publish_draft(draft: QuestionSetDraft, *, by: User) -> QuestionSet:
    """Store the draft as the case type's next version and freeze the draft.

    Raises DraftError when the draft is published or discarded already, has no questions, or
    lost a race for its version number (the session must then be rolled back), and
    QuestionSetError when it is not valid; nothing changes then. Cases already audited
    keep the version they were audited against.
    """
    _require_open(draft, lock=True)
    qs = draft_question_set(draft)
    if qs is None:
        raise DraftError(EMPTY_MESSAGE)
    previous = latest_version(draft.case_type_slug)
    try:
        row = store_question_set(qs, dump_question_set(qs), by=by)
    except IntegrityError as error:
        # Another draft of the case type published at the same moment took this version
        # number (or created the same new case type): the unique constraint refused this one.
        # The caller rolls back, as after any DraftError, and the admin is told why.
        raise DraftError(RACE_MESSAGE.format(version=qs.version)) from error
    draft.status = QuestionSetDraftStatus.PUBLISHED
    draft.published = row
    draft.definition = question_set_to_dict(qs)  # as published: with its version number
    draft.updated_at = utcnow()
    draft.updated_by_id = by.id
    db.session.flush()
    record_event(
        "publish",
        "question_set_draft",
        user=by,
        entity_id=draft.id,
        field=qs.case_type,
        old=f"v{previous.version}" if previous is not None else None,
        new=f"v{row.version}",
    )
    return row
