"""Saving a round's answers and notes as the auditor types, without lost updates.

A save reads what it needs (the round's answers and stored outcomes come with the round),
grades in memory, and writes in one short burst with Core statements: the case row under its
optimistic lock, the answer, the outcome rows that moved, and the audit events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from auditapp.domain.grading import CaseGrade
from auditapp.domain.question_sets import AnswerError, Question, answer_words, normalise_answer
from auditapp.extensions import db
from auditapp.models import Answer, Case, utcnow
from auditapp.services.audit.errors import AnswerConflict, PersonalDataRefused, UnknownQuestion
from auditapp.services.audit.limits import NOTE_MAX_LENGTH
from auditapp.services.audit.loading import (
    FormState,
    form_state,
    grade_round,
    question_set_of,
    stored_rows,
)
from auditapp.services.audit.queries import RoundRows, StoredAnswer, answer_author
from auditapp.services.audit.round import AuditRound
from auditapp.services.audit_log import event_values, insert_events
from auditapp.services.grading import store_outcomes, stored_outcomes
from auditapp.services.personal_data import PersonalDataInText, check_free_text


class _Unset:
    """Marks a field the save does not change."""


UNSET: Any = _Unset()


@dataclass(frozen=True)
class PostedAnswer:
    """One question as a form posted it: the raw answer and note, and what the user last saw."""

    value: str | Sequence[str] | Mapping[str, str] | None  # a mapping: a date input's fields
    seen_value: str | None
    note: str | None
    seen_note: str | None


@dataclass
class FormSaveResult:
    """What a whole-form save did: how many answers changed, and which could not be saved."""

    changed: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, AnswerConflict] = field(default_factory=dict)
    note_errors: dict[str, str] = field(default_factory=dict)  # notes refused (personal data)

    @property
    def ok(self) -> bool:
        """True when every posted answer was saved."""
        return not self.errors and not self.conflicts and not self.note_errors


def _clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise AnswerError(f"Note must be {NOTE_MAX_LENGTH:,} characters or fewer")
    return text or None


def _refuse_personal_data(text: str | None, what: str, field_name: str) -> None:
    """PersonalDataRefused before anything is saved or logged (the one rule, see
    services/personal_data.py)."""
    try:
        check_free_text(text, what)
    except PersonalDataInText as refused:
        raise PersonalDataRefused(refused.message, field_name) from None


def touch_case(case: Case) -> None:
    """Mark the case changed, so its version goes up when the session flushes.

    Every change to a case updates its row, so concurrent changes collide on the row (the
    UPDATE ... WHERE version = n of the optimistic lock) instead of interleaving.
    """
    case.updated_at = utcnow()


@dataclass
class _PendingWrites:
    """What a save will write: changed answers and their audit events.

    Everything is read and worked out first and written in one short burst at the end, with
    Core statements (no ORM unit of work), so a writer holds the database's lock briefly.
    """

    answers: dict[str, StoredAnswer] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


def _conflict(
    audit: AuditRound,
    question: Question,
    row: StoredAnswer | None,
    name: str,
    yours: str | None,
    theirs: str | None,
) -> AnswerConflict:
    def words(value: str | None) -> str:
        return answer_words(question, value) if name == "value" else (value or "")

    by, at = answer_author(row.id) if row and row.id is not None else (None, None)
    return AnswerConflict(
        question_id=question.id,
        field=name,
        yours=yours,
        theirs=theirs,
        yours_label=words(yours),
        theirs_label=words(theirs),
        theirs_by=by,
        theirs_at=at,
        version=audit.case.version,
    )


def _apply_answer(
    audit: AuditRound,
    question: Question,
    row: StoredAnswer | None,
    pending: _PendingWrites,
    *,
    value: Any,
    note: Any,
    base_version: int | None,
    base_value: str | None,
    base_note: str | None,
) -> bool:
    """Check one answer against what the user last saw and queue its change; True if changed.

    A save is refused only when the case changed since the user's version AND this very answer
    (or note) is no longer what the user saw: saves to other questions never conflict.
    """
    case, user = audit.case, audit.user
    stored_value = row.value if row else None
    stored_note = row.note if row else None
    new_value = stored_value if value is UNSET else normalise_answer(question, value)
    if value is not UNSET and question.type == "text" and new_value != stored_value:
        _refuse_personal_data(new_value, "answer", "value")
    new_note = stored_note if note is UNSET else _clean_note(note)
    if new_note != stored_note:  # a note saved before the check is not refused again unchanged
        _refuse_personal_data(new_note, "note", "note")
    stale = base_version is None or base_version != case.version
    for name, new, stored, base in (
        ("value", new_value, stored_value, base_value or None),
        ("note", new_note, stored_note, base_note or None),
    ):
        if stale and new != stored and stored != base:
            raise _conflict(audit, question, row, name, new, stored)
    if new_value == stored_value and new_note == stored_note:
        return False
    for action, new, stored in (
        ("change_answer", new_value, stored_value),
        ("change_note", new_note, stored_note),
    ):
        if new != stored:
            pending.events.append(
                event_values(
                    action,
                    audit.answer_entity,
                    user=user,
                    entity_id=question.id,
                    inspection_id=case.inspection_id,
                    case_id=case.id,
                    field=question.id,
                    old=stored,
                    new=new,
                    # A note is free text by its action; a text question's answer is too.
                    free_text=True if question.type == "text" else None,
                )
            )
    pending.answers[question.id] = StoredAnswer(
        row.id if row else None, new_value, new_note, user.id, utcnow()
    )
    return True


# Core writes on the tables (a mapped class's table is a Table): no ORM unit of work.
_ANSWERS = cast(Table, Answer.__table__)
_CASES = cast(Table, Case.__table__)


def _write_answers(audit: AuditRound, answers: Mapping[str, StoredAnswer]) -> None:
    added = [
        {
            "case_id": audit.case.id,
            "audit_round": audit.number,
            "question_code": code,
            "value": a.value,
            "note": a.note,
            "answered_by_id": a.answered_by_id,
            "answered_at": a.answered_at,
        }
        for code, a in answers.items()
        if a.id is None
    ]
    changed = [
        {
            "answer_id": a.id,
            "new_value": a.value,
            "new_note": a.note,
            "by": a.answered_by_id,
            "at": a.answered_at,
        }
        for a in answers.values()
        if a.id is not None
    ]
    if added:  # a second writer adding the same answer meets the unique constraint: retried
        db.session.execute(insert(_ANSWERS), added)
    if changed:
        db.session.execute(
            update(_ANSWERS)
            .where(_ANSWERS.c.id == bindparam("answer_id"))
            .values(
                value=bindparam("new_value"),
                note=bindparam("new_note"),
                answered_by_id=bindparam("by"),
                answered_at=bindparam("at"),
            ),
            changed,
        )


def _write_case(case: Case, values: dict[str, Any]) -> None:
    """Update the case row under its optimistic lock and keep the loaded object in step.

    StaleDataError when another writer committed a newer version first (the caller retries).
    """
    values = {**values, "version": case.version + 1, "updated_at": utcnow()}
    written = db.session.execute(
        update(_CASES).where(_CASES.c.id == case.id, _CASES.c.version == case.version),
        values,
    )
    if cast(CursorResult[Any], written).rowcount != 1:  # an UPDATE runs on a cursor
        raise StaleDataError(f"case {case.id} changed since version {case.version}")
    for name, value in values.items():
        set_committed_value(case, name, value)


def _save_changes(audit: AuditRound, rows: RoundRows, pending: _PendingWrites) -> CaseGrade:
    """Grade the round with the changed answers, then write answers, outcomes, case and log.

    ``rows.answers`` are updated in place to the answers as saved. The case's version goes up
    by one so that concurrent saves collide on the case row instead of interleaving.
    """
    case = audit.case
    rows.answers.update(pending.answers)
    values = {code: row.value for code, row in rows.answers.items()}
    # Question outcomes do not depend on the current-risk flag, so one grading serves both.
    result = grade_round(audit, question_set_of(case), values)
    new = str(result.grade) if result.grade else None
    old = audit.grade_row.computed_grade
    if old != new:
        pending.events.append(
            event_values(
                "regrade",
                audit.subject_entity,
                user=audit.user,
                entity_id=audit.subject_id,
                inspection_id=case.inspection_id,
                case_id=case.id,
                field="computed_grade",
                old=old,
                new=new,
            )
        )
    case_values = audit.store_grade(result)
    outcomes = {qid: str(outcome.outcome) for qid, outcome in result.outcomes.items()}
    stored = rows.outcomes
    if stored is None:
        with db.session.no_autoflush:
            stored = stored_outcomes(case.id, audit.number)
    # The writes: from here to the caller's commit the database's write lock is held.
    _write_case(case, case_values)
    _write_answers(audit, pending.answers)
    store_outcomes(case.id, audit.number, outcomes, stored)
    rows.outcomes = outcomes
    insert_events(pending.events)
    db.session.flush()  # a second audit's grade, if it moved
    return result


def save_answer(
    audit: AuditRound,
    question_id: str,
    *,
    value: Any = UNSET,
    note: Any = UNSET,
    base_version: int | None,
    base_value: str | None = None,
    base_note: str | None = None,
) -> FormState:
    """Save one answer and/or its note, regrade, and return the form as it now stands.

    Raises UnknownQuestion, AnswerError (not a valid answer), AnswerConflict (the answer
    changed since the user saw it), CaseLocked (submitted) or PermissionError (not theirs).
    """
    audit.check_editable()
    qs = question_set_of(audit.case)
    try:
        question = qs.question(question_id)
    except KeyError:
        raise UnknownQuestion(f"{question_id} is not a question of this case") from None
    if question.type == "derived" and value is not UNSET:
        raise AnswerError("This answer is worked out from other answers")
    rows = stored_rows(audit)
    pending = _PendingWrites()
    changed = _apply_answer(
        audit,
        question,
        rows.answers.get(question_id),
        pending,
        value=value,
        note=note,
        base_version=base_version,
        base_value=base_value,
        base_note=base_note,
    )
    grade = _save_changes(audit, rows, pending) if changed else None
    return form_state(audit, answers=rows.answers, grade=grade)


def save_note(
    audit: AuditRound,
    question_id: str,
    note: str | None,
    *,
    base_version: int | None,
    base_note: str | None = None,
) -> FormState:
    """Save only the note on one answer (same conflict rules as ``save_answer``)."""
    return save_answer(
        audit, question_id, note=note, base_version=base_version, base_note=base_note
    )


def save_form(
    audit: AuditRound,
    posted: Mapping[str, PostedAnswer],
    *,
    base_version: int | None,
) -> FormSaveResult:
    """Save every posted answer the user changed (the form without JavaScript).

    Valid, unconflicted answers are saved even when others are not, so nothing typed is lost;
    the others come back as errors and conflicts for the form to show.
    """
    audit.check_editable()
    qs = question_set_of(audit.case)
    rows = stored_rows(audit)
    pending = _PendingWrites()
    result = FormSaveResult()
    for question in qs.questions:
        if question.id not in posted or question.type == "derived":
            continue
        item = posted[question.id]
        try:
            changed = _apply_answer(
                audit,
                question,
                rows.answers.get(question.id),
                pending,
                value=item.value,
                note=item.note,
                base_version=base_version,
                base_value=item.seen_value,
                base_note=item.seen_note,
            )
        except AnswerConflict as conflict:
            result.conflicts[question.id] = conflict
            continue
        except PersonalDataRefused as refused:
            if refused.field == "note":
                result.note_errors[question.id] = refused.message
            else:
                result.errors[question.id] = refused.message
            continue
        except AnswerError as error:
            result.errors[question.id] = error.message
            continue
        result.changed += int(changed)
    if result.changed:
        _save_changes(audit, rows, pending)
    return result
