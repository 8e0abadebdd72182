"""Question sets in the database: import (all or nothing), export, and the parsed set of a row."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from auditapp.domain.question_sets import (
    QuestionSet as QuestionSetData,
)
from auditapp.domain.question_sets import (
    dump_question_set,
    load_library,
    load_question_set,
)
from auditapp.extensions import db
from auditapp.models import CaseType, Question, QuestionSet, User
from auditapp.services.audit_log import record_event


class QuestionSetImportError(ValueError):
    """A valid file that cannot be imported (e.g. that version already exists)."""


@lru_cache(maxsize=64)
def question_set_data_of(question_set_id: int) -> QuestionSetData:
    """The domain object for a stored question set by its id, parsed once per process.

    A stored version never changes, so the parsed set cannot go stale: a case needs only its
    ``question_set_id`` and the save path reads no question-set row at all. Importing a set
    empties the cache (see ``import_question_set``), so an id reused by a fresh database (the
    tests empty it between tests) is parsed again. Raises LookupError for an unknown id.
    """
    row = db.session.get(QuestionSet, question_set_id)
    if row is None:
        raise LookupError(f"no question set {question_set_id}")
    return load_question_set(row.source_text, filename=f"question set {question_set_id}")


def question_set_data(row: QuestionSet) -> QuestionSetData:
    """The domain object for a stored question set (parsed once per process)."""
    return question_set_data_of(row.id)


def find_question_set(case_type_slug: str, version: int) -> QuestionSet | None:
    """The stored set for a case type and version, or None."""
    return db.session.scalar(
        select(QuestionSet)
        .join(CaseType)
        .where(CaseType.slug == case_type_slug, QuestionSet.version == version)
    )


def import_question_set(text: str, *, filename: str, by: User | None = None) -> QuestionSet:
    """Validate and store a question-set file; raises QuestionSetError or QuestionSetImportError.

    Nothing is added to the session unless the whole file is valid and new.
    """
    data = load_question_set(text, filename=filename)
    if find_question_set(data.case_type, data.version) is not None:
        raise QuestionSetImportError(
            f"{filename}: {data.case_type_name} version {data.version} already exists; "
            "give the new file a higher version"
        )
    row = store_question_set(data, text, by=by)
    record_event(
        "import",
        "question_set",
        user=by,
        entity_id=row.id,
        new=f"{data.case_type} v{data.version}",
    )
    return row


def store_question_set(data: QuestionSetData, text: str, *, by: User | None) -> QuestionSet:
    """Add a validated set as a new version, with one row per question; no audit event.

    The caller has checked that the version is free (the unique constraint is the backstop)
    and records why the version was added (an import, a draft published).
    """
    case_type = db.session.scalar(select(CaseType).where(CaseType.slug == data.case_type))
    if case_type is None:
        case_type = CaseType(slug=data.case_type, name=data.case_type_name, kind=data.kind)
        db.session.add(case_type)
    row = QuestionSet(
        case_type=case_type,
        version=data.version,
        title=data.title,
        definition={"case_type": data.case_type, "version": data.version, "kind": data.kind},
        source_text=text,
        imported_by_id=by.id if by else None,
    )
    position = 0
    for section in data.sections:
        for question in section.questions:
            position += 1
            row.questions.append(
                Question(
                    code=question.id,
                    position=position,
                    section_title=section.title,
                    text=question.text,
                    answer_type=question.type,
                    graded=question.graded,
                    critical=question.critical,
                    weight=question.weight,
                    recommendation_codes=list(question.recommendations),
                )
            )
    db.session.add(row)
    db.session.flush()
    question_set_data_of.cache_clear()  # a new id: never serve a set parsed under it before
    return row


def export_question_set(row: QuestionSet) -> str:
    """The set as a YAML file (importing it elsewhere gives the same set)."""
    return dump_question_set(question_set_data(row))


def import_library(by: User | None = None) -> list[QuestionSet]:
    """Import each default library set whose case type and version are not stored yet."""
    imported = []
    for data in load_library():
        if find_question_set(data.case_type, data.version) is None:
            text = dump_question_set(data)
            imported.append(import_question_set(text, filename=f"{data.case_type}.yaml", by=by))
    return imported


def latest_question_sets() -> list[QuestionSet]:
    """The newest version of each case type's question set."""
    rows = db.session.scalars(
        select(QuestionSet).join(CaseType).order_by(CaseType.name, QuestionSet.version.desc())
    ).all()
    latest: dict[int, QuestionSet] = {}
    for row in rows:
        latest.setdefault(row.case_type_id, row)
    return list(latest.values())
