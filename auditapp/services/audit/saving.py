"""Saving answers and notes as the auditor types, without lost updates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from auditapp.domain.grading import CaseGrade
from auditapp.domain.question_sets import AnswerError, Question, normalise_answer
from auditapp.extensions import db
from auditapp.models import Answer, Case, User, utcnow
from auditapp.services.audit.errors import AnswerConflict, CaseLocked, UnknownQuestion
from auditapp.services.audit.loading import (
    NOTE_MAX_LENGTH,
    ROUND_ENTITIES,
    FormState,
    StoredAnswer,
    _answers,
    _grade,
    _question_set,
    answer_label,
    can_edit,
    form_state,
    second_audit_of,
)
from auditapp.services.audit_log import event_values, insert_events, record_case_event
from auditapp.services.grading import regrade_case, store_outcomes, stored_outcomes


class _Unset:
    """Marks a field the save does not change."""


UNSET: Any = _Unset()


@dataclass(frozen=True)
class PostedAnswer:
    """One question as a form posted it: the raw answer and note, and what the user last saw."""

    value: str | Sequence[str] | None
    seen_value: str | None
    note: str | None
    seen_note: str | None


@dataclass
class FormSaveResult:
    """What a whole-form save did: how many answers changed, and which could not be saved."""

    changed: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, AnswerConflict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every posted answer was saved."""
        return not self.errors and not self.conflicts


def _check_editable(case: Case, user: User, audit_round: int) -> None:
    if can_edit(case, user, audit_round):
        return
    if audit_round == 1 and case.auditor_id == user.id:
        raise CaseLocked(
            "This case has been submitted: it is read-only until a lead returns it to you"
        )
    if audit_round == 2:
        second = second_audit_of(case)
        if second is not None and second.auditor_id == user.id:
            raise CaseLocked("You have submitted this second audit: it is read-only")
    raise PermissionError("only the assigned auditor can change this case")


def _clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise AnswerError(f"Note must be {NOTE_MAX_LENGTH:,} characters or fewer")
    return text or None


def _touch(case: Case) -> None:
    # Every save updates the case row, so its version goes up and concurrent saves collide on
    # the row (the UPDATE ... WHERE version = n of the optimistic lock) instead of interleaving.
    case.updated_at = utcnow()


def _entity(audit_round: int, kind: str) -> str:
    case_entity, answer_entity = ROUND_ENTITIES[audit_round]
    return answer_entity if kind == "answer" else case_entity


def _user_name(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return user.name if user else None


@dataclass
class _PendingWrites:
    """What a save will write: changed answers and their audit events.

    Everything is read and worked out first and written in one short burst at the end, with
    Core statements (no ORM unit of work), so a writer holds the database's lock briefly.
    """

    answers: dict[str, StoredAnswer] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


def _apply_answer(
    case: Case,
    user: User,
    question: Question,
    row: StoredAnswer | None,
    pending: _PendingWrites,
    *,
    value: Any,
    note: Any,
    base_version: int | None,
    base_value: str | None,
    base_note: str | None,
    audit_round: int,
) -> bool:
    """Check one answer against what the user last saw and queue its change; True if changed.

    A save is refused only when the case changed since the user's version AND this very answer
    (or note) is no longer what the user saw: saves to other questions never conflict.
    """
    stored_value = row.value if row else None
    stored_note = row.note if row else None
    new_value = stored_value if value is UNSET else normalise_answer(question, value)
    new_note = stored_note if note is UNSET else _clean_note(note)
    stale = base_version is None or base_version != case.version
    for name, new, stored, base in (
        ("value", new_value, stored_value, base_value or None),
        ("note", new_note, stored_note, base_note or None),
    ):
        if stale and new != stored and stored != base:
            labeller = (
                (lambda v: answer_label(question, v)) if name == "value" else (lambda v: v or "")
            )
            raise AnswerConflict(
                question_id=question.id,
                field=name,
                yours=new,
                theirs=stored,
                yours_label=labeller(new),
                theirs_label=labeller(stored),
                theirs_by=_user_name(row.answered_by_id) if row else None,
                theirs_at=row.answered_at if row else None,
                version=case.version,
            )
    if new_value == stored_value and new_note == stored_note:
        return False
    entity = _entity(audit_round, "answer")
    for action, new, stored in (
        ("change_answer", new_value, stored_value),
        ("change_note", new_note, stored_note),
    ):
        if new != stored:
            pending.events.append(
                event_values(
                    action,
                    entity,
                    user=user,
                    entity_id=question.id,
                    inspection_id=case.inspection_id,
                    case_id=case.id,
                    field=question.id,
                    old=stored,
                    new=new,
                )
            )
    pending.answers[question.id] = StoredAnswer(
        row.id if row else None, new_value, new_note, user.id, utcnow()
    )
    return True


_ANSWERS = Answer.__table__
_CASES = Case.__table__


def _write_answers(case: Case, audit_round: int, answers: Mapping[str, StoredAnswer]) -> None:
    added = [
        {
            "case_id": case.id,
            "audit_round": audit_round,
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
    if written.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleDataError(f"case {case.id} changed since version {case.version}")
    for name, value in values.items():
        set_committed_value(case, name, value)


def _save_changes(
    case: Case,
    user: User,
    audit_round: int,
    rows: dict[str, StoredAnswer],
    pending: _PendingWrites,
) -> CaseGrade:
    """Grade the round with the changed answers, then write answers, outcomes, case and log.

    ``rows`` are updated in place to the answers as saved. The case's version goes up by one
    so that concurrent saves collide on the case row instead of interleaving.
    """
    rows.update(pending.answers)
    values = {code: row.value for code, row in rows.items()}
    # A blind second audit is graded on its own answers only (see _grade); question outcomes
    # do not depend on the current-risk flag, so one grading serves both.
    result = _grade(case, _question_set(case), values, audit_round)
    new = str(result.grade) if result.grade else None
    case_values: dict[str, Any] = {}
    # The first audit's grade is kept on the case, a second audit's on its own row.
    second = second_audit_of(case) if audit_round == 2 else None
    if audit_round == 1:
        graded: tuple[str, int, str | None] | None = ("case", case.id, case.computed_grade)
        case_values = {"computed_grade": new, "computed_explanation": result.to_dict()}
    else:
        graded = ("second_audit", second.id, second.computed_grade) if second else None
    if graded is not None and graded[2] != new:
        entity, entity_id, old = graded
        pending.events.append(
            event_values(
                "regrade",
                entity,
                user=user,
                entity_id=entity_id,
                inspection_id=case.inspection_id,
                case_id=case.id,
                field="computed_grade",
                old=old,
                new=new,
            )
        )
        if second is not None:
            second.computed_grade = new
    outcomes = {qid: str(outcome.outcome) for qid, outcome in result.outcomes.items()}
    with db.session.no_autoflush:
        stored = stored_outcomes(case.id, audit_round)
    # The writes: from here to the caller's commit the database's write lock is held.
    _write_case(case, case_values)
    _write_answers(case, audit_round, pending.answers)
    store_outcomes(case.id, audit_round, outcomes, stored)
    insert_events(pending.events)
    db.session.flush()  # the second audit's grade, if it moved
    return result


def _regrade_first_audit(case: Case, user: User) -> None:
    """Regrade the first audit from its stored answers after a change to the case itself."""
    old = case.computed_grade
    regrade_case(case, 1)
    if case.computed_grade != old:
        record_case_event(case, user, "regrade", "computed_grade", old, case.computed_grade)
    db.session.flush()


def save_answer(
    case: Case,
    user: User,
    question_id: str,
    *,
    value: Any = UNSET,
    note: Any = UNSET,
    base_version: int | None,
    base_value: str | None = None,
    base_note: str | None = None,
    audit_round: int = 1,
) -> FormState:
    """Save one answer and/or its note, regrade, and return the form as it now stands.

    Raises KeyError (no such question), AnswerError (not a valid answer), AnswerConflict (the
    answer changed since the user saw it), CaseLocked (submitted) or PermissionError.
    """
    _check_editable(case, user, audit_round)
    qs = _question_set(case)
    try:
        question = qs.question(question_id)
    except KeyError:
        raise UnknownQuestion(f"{question_id} is not a question of this case") from None
    if question.type == "derived" and value is not UNSET:
        raise AnswerError("This answer is worked out from other answers")
    rows = _answers(case, audit_round)
    pending = _PendingWrites()
    changed = _apply_answer(
        case,
        user,
        question,
        rows.get(question_id),
        pending,
        value=value,
        note=note,
        base_version=base_version,
        base_value=base_value,
        base_note=base_note,
        audit_round=audit_round,
    )
    grade = _save_changes(case, user, audit_round, rows, pending) if changed else None
    return form_state(case, user, audit_round, rows=rows, grade=grade)


def save_note(
    case: Case,
    user: User,
    question_id: str,
    note: str | None,
    *,
    base_version: int | None,
    base_note: str | None = None,
    audit_round: int = 1,
) -> FormState:
    """Save only the note on one answer (same conflict rules as ``save_answer``)."""
    return save_answer(
        case,
        user,
        question_id,
        note=note,
        base_version=base_version,
        base_note=base_note,
        audit_round=audit_round,
    )


def save_form(
    case: Case,
    user: User,
    posted: Mapping[str, PostedAnswer],
    *,
    base_version: int | None,
    audit_round: int = 1,
) -> FormSaveResult:
    """Save every posted answer the user changed (the form without JavaScript).

    Valid, unconflicted answers are saved even when others are not, so nothing typed is lost;
    the others come back as errors and conflicts for the form to show.
    """
    _check_editable(case, user, audit_round)
    qs = _question_set(case)
    rows = _answers(case, audit_round)
    pending = _PendingWrites()
    result = FormSaveResult()
    for question in qs.questions:
        if question.id not in posted or question.type == "derived":
            continue
        item = posted[question.id]
        try:
            changed = _apply_answer(
                case,
                user,
                question,
                rows.get(question.id),
                pending,
                value=item.value,
                note=item.note,
                base_version=base_version,
                base_value=item.seen_value,
                base_note=item.seen_note,
                audit_round=audit_round,
            )
        except AnswerConflict as conflict:
            result.conflicts[question.id] = conflict
            continue
        except AnswerError as error:
            result.errors[question.id] = error.message
            continue
        result.changed += int(changed)
    if result.changed:
        _save_changes(case, user, audit_round, rows, pending)
    return result
