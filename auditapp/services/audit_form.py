"""The case audit form: answers, notes, saving without lost updates, submission, case studies,
urgent concerns (a child at current risk) and the case's history.

Every function takes an ``audit_round``: 1 is the first audit (answers, grade and status on the
case), 2 is a blind second audit by another auditor (answers in round 2, grade and status on the
case's ``SecondAudit``). Round 2 never reads round-1 answers, notes, grades or history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from auditapp.domain.grades import Grade
from auditapp.domain.grading import CaseGrade, QuestionOutcome, grade_case
from auditapp.domain.question_sets import (
    NOT_APPLICABLE,
    AnswerError,
    Question,
    QuestionSet,
    Section,
    checklist_ticks,
    normalise_answer,
    visible_ids,
)
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    AuditEvent,
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    InspectionRole,
    Membership,
    SecondAudit,
    SecondAuditStatus,
    User,
    utcnow,
)
from auditapp.services.audit_log import (
    event_values,
    insert_events,
    record_case_event,
    record_event,
)
from auditapp.services.grading import regrade_case, store_outcomes, stored_outcomes
from auditapp.services.question_sets import question_set_data

__all__ = [
    "AnswerConflict",
    "AnswerError",
    "AuditFormError",
    "CaseLocked",
    "ConcernError",
    "FormState",
    "GradeProposalError",
    "PostedAnswer",
    "SubmitBlocked",
    "UnknownQuestion",
]

# Audit-event entities of each round: the round-1 history never shows round-2 events and the
# blind second auditor never sees round-1 events.
ROUND_ENTITIES = {1: ("case", "answer"), 2: ("second_audit", "second_audit_answer")}
NOTE_MAX_LENGTH = 5_000
NARRATIVE_MAX_LENGTH = 5_000


# --- errors -------------------------------------------------------------------------------------


class AuditFormError(Exception):
    """A user-facing reason why an audit action cannot be done."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class CaseLocked(AuditFormError):
    """The case (or second audit) is submitted: read-only until a lead returns it."""


class GradeProposalError(AuditFormError):
    """A proposed grade without a reason, or a grade the case cannot have."""


class ConcernError(AuditFormError):
    """An urgent-concern action that does not fit the concern's state."""


class UnknownQuestion(AuditFormError):
    """The question is not in the case's question set."""


@dataclass(eq=False)
class AnswerConflict(AuditFormError):
    """Someone changed this answer after the user last saw it: both values, so the user chooses."""

    question_id: str
    field: str  # "value" or "note"
    yours: str | None
    theirs: str | None
    theirs_label: str
    yours_label: str
    theirs_by: str | None
    theirs_at: datetime | None
    version: int

    def __post_init__(self) -> None:
        super().__init__(
            f"Someone else changed the {'answer' if self.field == 'value' else 'note'} "
            f"to {self.question_id} while you were editing"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of a 409 response."""
        return {
            "error": "conflict",
            "message": self.message,
            "question_id": self.question_id,
            "field": self.field,
            "version": self.version,
            "yours": {"value": self.yours, "label": self.yours_label},
            "theirs": {
                "value": self.theirs,
                "label": self.theirs_label,
                "by": self.theirs_by,
                "at": self.theirs_at.isoformat() if self.theirs_at else None,
            },
        }


@dataclass(eq=False)
class SubmitBlocked(AuditFormError):
    """Required questions are unanswered (or a derived check cannot be worked out)."""

    problems: list[tuple[str, str]]

    def __post_init__(self) -> None:
        super().__init__(f"{len(self.problems)} questions need an answer before you submit")


# --- reading the form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far a case is answered: visible questions an auditor answers, and those answered."""

    answered: int
    total: int

    @property
    def text(self) -> str:
        """e.g. "12 of 18 questions answered"."""
        return f"{self.answered} of {self.total} question{'' if self.total == 1 else 's'} answered"


@dataclass
class FormState:
    """Everything the case form shows for one round: answers, visibility, checks and grade."""

    case: Case
    audit_round: int
    qs: QuestionSet
    values: dict[str, str | None]
    notes: dict[str, str | None]
    grade: CaseGrade
    visible: set[str]
    version: int
    progress: Progress
    editable: bool = False
    second_audit: SecondAudit | None = None

    @property
    def sections(self) -> tuple[Section, ...]:
        """The set's sections, in order."""
        return self.qs.sections

    def outcome(self, question_id: str) -> QuestionOutcome:
        """The question's outcome under the current answers."""
        return self.grade.outcomes[question_id]

    def label(self, question_id: str) -> str:
        """The stored answer in words."""
        return answer_label(self.qs.question(question_id), self.values.get(question_id))

    @property
    def grade_value(self) -> str | None:
        """The computed grade as a stored string, or None."""
        return str(self.grade.grade) if self.grade.grade else None

    def to_json(self) -> dict[str, Any]:
        """What the save endpoint returns: version, visibility, derived checks, grade, progress."""
        qs = self.qs
        return {
            "version": self.version,
            "visible": {q.id: q.id in self.visible for q in qs.questions},
            "checks": {
                q.id: {
                    "outcome": str(self.outcome(q.id).outcome),
                    "label": self.outcome(q.id).outcome.label,
                    "detail": self.outcome(q.id).detail,
                }
                for q in qs.questions
                if q.type == "derived"
            },
            "grade": grade_json(self.grade, qs),
            "progress": {
                "answered": self.progress.answered,
                "total": self.progress.total,
                "text": self.progress.text,
            },
        }


def grade_json(grade: CaseGrade, qs: QuestionSet) -> dict[str, Any]:
    """The provisional grade, its explanation and the deciding questions, as JSON."""
    value = grade.grade
    return {
        "grade": str(value) if value else None,
        "label": value.label if value else "Not graded yet",
        "tag_class": value.tag_class if value else "govuk-tag--grey",
        "provisional": grade.provisional,
        "explanation": list(grade.explanation),
        "deciding": [{"id": qid, "text": qs.question(qid).text} for qid in grade.deciding],
    }


_YES_NO_LABELS = {"yes": "Yes", "partly": "Partly", "no": "No", NOT_APPLICABLE: "Not applicable"}


def answer_label(question: Question, value: str | None) -> str:
    """A stored answer in the words the auditor chose it by."""
    if value is None or value == "":
        return "Not answered"
    if value == NOT_APPLICABLE:
        return "Not applicable"
    if question.type == "yes_no":
        return _YES_NO_LABELS.get(value, value)
    if question.type == "choice":
        option = question.option(value)
        return option.label if option else value
    if question.type == "checklist":
        ticked = checklist_ticks(value)
        labels = [o.label for o in question.options if o.value in ticked]
        return ", ".join(labels) if labels else "None of these"
    if question.type == "datetime":
        return value.replace("T", " ")
    return value


def _question_set(case: Case) -> QuestionSet:
    if case.question_set is None:
        raise AuditFormError("This case has no question set yet: ask the inspection's lead")
    return question_set_data(case.question_set)


@dataclass(frozen=True)
class StoredAnswer:
    """One stored answer of a round: read as plain values, since a save builds no ORM objects."""

    id: int | None
    value: str | None
    note: str | None
    answered_by_id: int | None = None
    answered_at: datetime | None = None


def _answers(case: Case, audit_round: int) -> dict[str, StoredAnswer]:
    rows = db.session.execute(
        select(
            Answer.question_code,
            Answer.id,
            Answer.value,
            Answer.note,
            Answer.answered_by_id,
            Answer.answered_at,
        ).where(Answer.case_id == case.id, Answer.audit_round == audit_round)
    )
    return {code: StoredAnswer(*rest) for code, *rest in rows}


def progress_of(qs: QuestionSet, values: Mapping[str, str | None]) -> Progress:
    """Visible questions an auditor answers (not derived ones), and how many are answered."""
    shown = visible_ids(qs, values)
    asked = [q for q in qs.questions if q.id in shown and q.type != "derived"]
    return Progress(sum(1 for q in asked if values.get(q.id)), len(asked))


def second_audit_of(case: Case) -> SecondAudit | None:
    """The case's blind second audit, if one was requested."""
    return db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == case.id))


def can_edit(case: Case, user: User, audit_round: int = 1) -> bool:
    """Only the assigned auditor of the round edits, and only before submitting."""
    if audit_round == 1:
        return case.auditor_id == user.id and case.status == CaseStatus.DRAFT
    second = second_audit_of(case)
    return (
        second is not None
        and second.auditor_id == user.id
        and second.status == SecondAuditStatus.IN_PROGRESS
    )


def _grade(case: Case, qs: QuestionSet, values: Mapping[str, str | None], audit_round: int):
    # A blind second audit is graded on its own answers only: the first auditor's
    # current-risk flag would reveal round-1 findings to the second auditor.
    return grade_case(qs, values, current_risk=case.current_risk if audit_round == 1 else False)


def form_state(
    case: Case,
    user: User | None = None,
    audit_round: int = 1,
    *,
    rows: Mapping[str, StoredAnswer] | None = None,
    grade: CaseGrade | None = None,
) -> FormState:
    """The case form of one round as it stands.

    A save passes the answer ``rows`` it already holds and the ``grade`` it just worked out,
    so the form state costs no further queries or grading.
    """
    qs = _question_set(case)
    if rows is None:
        rows = _answers(case, audit_round)
    values = {code: row.value for code, row in rows.items()}
    notes = {code: row.note for code, row in rows.items()}
    return FormState(
        case=case,
        audit_round=audit_round,
        qs=qs,
        values=values,
        notes=notes,
        grade=grade or _grade(case, qs, values, audit_round),
        visible=visible_ids(qs, values),
        version=case.version,
        progress=progress_of(qs, values),
        editable=can_edit(case, user, audit_round) if user is not None else False,
        second_audit=second_audit_of(case) if audit_round == 2 else None,
    )


# --- saving -------------------------------------------------------------------------------------


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


# --- submitting ---------------------------------------------------------------------------------


def submission_problems(state: FormState) -> list[tuple[str, str]]:
    """(question id, message) for each visible required question that blocks submission."""
    problems = []
    for qid in state.grade.unanswered:
        question = state.qs.question(qid)
        if question.type == "derived":
            detail = state.outcome(qid).detail
            problems.append((qid, f"{qid}: {question.text}: cannot be worked out yet, {detail}"))
        else:
            problems.append((qid, f"{qid}: answer “{question.text}”"))
    return problems


def submit_case(
    case: Case,
    user: User,
    *,
    proposed_grade: str | None = None,
    reason: str | None = None,
    audit_round: int = 1,
) -> FormState:
    """Submit a round: every required visible question answered; a different grade needs a reason.

    Raises SubmitBlocked, GradeProposalError, CaseLocked or PermissionError.
    """
    _check_editable(case, user, audit_round)
    state = form_state(case, user, audit_round)
    problems = submission_problems(state)
    if problems:
        raise SubmitBlocked(problems)
    computed = state.grade_value
    proposal = proposed_grade or None
    if proposal is not None:
        Grade(proposal)  # ValueError for something that is not a grade
    if proposal == computed:
        proposal = None
    reason = (reason or "").strip() or None
    if computed is None and proposal is None:
        raise GradeProposalError(
            "No graded question applies to this case: choose the grade you propose"
        )
    if proposal is not None and reason is None:
        raise GradeProposalError("Give your reason for proposing a different grade")
    if proposal is not None and len(reason or "") > NARRATIVE_MAX_LENGTH:
        raise GradeProposalError(f"Reason must be {NARRATIVE_MAX_LENGTH:,} characters or fewer")
    if audit_round == 1 and case.current_risk and proposal not in (None, Grade.INADEQUATE):
        raise GradeProposalError(
            "A case with a child at current risk is inadequate: a lead must remove the flag "
            "before a different grade can be proposed"
        )
    now = utcnow()
    if audit_round == 1:
        if proposal != case.proposed_grade or (proposal and reason != case.proposed_reason):
            record_case_event(
                case, user, "propose_grade", "proposed_grade", case.proposed_grade, proposal
            )
        case.proposed_grade = proposal
        case.proposed_reason = reason if proposal else None
        record_case_event(case, user, "submit", "status", case.status, CaseStatus.SUBMITTED)
        case.status = CaseStatus.SUBMITTED
        case.submitted_at = now
    else:
        second = state.second_audit
        assert second is not None  # _check_editable made sure
        record_event(
            "submit",
            "second_audit",
            user=user,
            entity_id=second.id,
            inspection_id=case.inspection_id,
            case_id=case.id,
            field="status",
            old=second.status,
            new=SecondAuditStatus.SUBMITTED,
        )
        second.computed_grade = computed
        second.proposed_grade = proposal
        second.proposed_reason = reason if proposal else None
        second.status = SecondAuditStatus.SUBMITTED
        second.submitted_at = now
    _touch(case)
    db.session.flush()
    return form_state(case, user, audit_round)


# --- case studies -------------------------------------------------------------------------------


def set_case_study(case: Case, user: User, *, flagged: bool, narrative: str | None) -> None:
    """Flag (with a short narrative) or unflag the case as a case study for the report."""
    narrative = (narrative or "").strip() or None
    if flagged and narrative is None:
        raise AuditFormError("Write a short narrative of the case study")
    if narrative and len(narrative) > NARRATIVE_MAX_LENGTH:
        raise AuditFormError(f"Narrative must be {NARRATIVE_MAX_LENGTH:,} characters or fewer")
    new_narrative = narrative if flagged else None
    if case.is_case_study != flagged:
        record_case_event(case, user, "case_study", "is_case_study", case.is_case_study, flagged)
    if case.case_study_narrative != new_narrative:
        record_case_event(
            case,
            user,
            "case_study",
            "case_study_narrative",
            case.case_study_narrative,
            new_narrative,
        )
    case.is_case_study = flagged
    case.case_study_narrative = new_narrative
    _touch(case)
    db.session.flush()


# --- urgent concerns ----------------------------------------------------------------------------


def _force_inadequate(case: Case, user: User) -> None:
    """A child at current risk makes the case inadequate in every figure, whoever graded it."""
    if case.proposed_grade not in (None, Grade.INADEQUATE):
        record_case_event(
            case, user, "withdraw_proposal", "proposed_grade", case.proposed_grade, None
        )
        case.proposed_grade = None
        case.proposed_reason = None
    if case.final_grade not in (None, Grade.INADEQUATE):
        record_case_event(
            case, user, "current_risk_grade", "final_grade", case.final_grade, Grade.INADEQUATE
        )
        case.final_grade = Grade.INADEQUATE


def flag_current_risk(case: Case, user: User, note: str) -> None:
    """Flag a child found at current risk: the case becomes inadequate and leads are alerted."""
    note = (note or "").strip()
    if not note:
        raise ConcernError("Describe what you saw that shows a child is at current risk")
    if len(note) > NOTE_MAX_LENGTH:
        raise ConcernError(f"Description must be {NOTE_MAX_LENGTH:,} characters or fewer")
    if case.current_risk:
        raise ConcernError("This case is already flagged: a child at current risk")
    now = utcnow()
    record_case_event(case, user, "flag_current_risk", "current_risk", False, True)
    record_case_event(case, user, "flag_current_risk", "current_risk_note", None, note)
    case.current_risk = True
    case.current_risk_note = note
    case.current_risk_flagged_by_id = user.id
    case.current_risk_flagged_at = now
    case.current_risk_acknowledged_by_id = None
    case.current_risk_acknowledged_at = None
    case.current_risk_raised_at = None
    _force_inadequate(case, user)
    _touch(case)
    db.session.flush()
    _regrade_first_audit(case, user)


def acknowledge_concern(case: Case, user: User) -> None:
    """A lead acknowledges an urgent concern."""
    if not case.current_risk:
        raise ConcernError("This case has no urgent concern")
    if case.current_risk_acknowledged_at is not None:
        raise ConcernError("This concern has already been acknowledged")
    now = utcnow()
    record_case_event(case, user, "acknowledge_concern", "current_risk_acknowledged_at", None, now)
    case.current_risk_acknowledged_by_id = user.id
    case.current_risk_acknowledged_at = now
    _touch(case)
    db.session.flush()


def mark_concern_raised(case: Case, user: User) -> None:
    """A lead records that the concern was raised with the force (acknowledging it if needed)."""
    if not case.current_risk:
        raise ConcernError("This case has no urgent concern")
    if case.current_risk_raised_at is not None:
        raise ConcernError("This concern has already been raised with the force")
    if case.current_risk_acknowledged_at is None:
        acknowledge_concern(case, user)
    now = utcnow()
    record_case_event(case, user, "raise_concern", "current_risk_raised_at", None, now)
    case.current_risk_raised_at = now
    _touch(case)
    db.session.flush()


raise_concern = mark_concern_raised  # the name the moderation and findings work may look for


def remove_current_risk(case: Case, user: User, reason: str) -> None:
    """A lead removes a current-risk flag, with a reason; the case is regraded without it."""
    reason = (reason or "").strip()
    if not case.current_risk:
        raise ConcernError("This case has no urgent concern")
    if not reason:
        raise ConcernError("Give the reason for removing the flag")
    record_case_event(case, user, "remove_current_risk", "current_risk", True, False)
    record_case_event(case, user, "remove_current_risk", "reason", None, reason)
    case.current_risk = False
    _touch(case)
    db.session.flush()
    _regrade_first_audit(case, user)


@dataclass(frozen=True)
class Concern:
    """One urgent concern as the leads' page lists it."""

    case: Case
    flagged_by: str | None
    acknowledged_by: str | None

    @property
    def status(self) -> dict[str, str]:
        """govukTag parameters for the concern's state."""
        if self.case.current_risk_raised_at:
            return {"text": "Raised with force", "classes": "govuk-tag--green"}
        if self.case.current_risk_acknowledged_at:
            return {"text": "Acknowledged", "classes": "govuk-tag--yellow"}
        return {"text": "Needs a lead", "classes": "govuk-tag--red"}


def urgent_concerns(inspection_id: int) -> list[Concern]:
    """Every case flagged with a child at current risk, those needing attention first."""
    cases = db.session.scalars(
        select(Case)
        .where(Case.inspection_id == inspection_id, Case.current_risk.is_(True))
        .order_by(Case.current_risk_raised_at.is_not(None), Case.current_risk_flagged_at)
    ).all()
    names = _names(
        {c.current_risk_flagged_by_id for c in cases}
        | {c.current_risk_acknowledged_by_id for c in cases}
    )
    return [
        Concern(
            c,
            names.get(c.current_risk_flagged_by_id),
            names.get(c.current_risk_acknowledged_by_id),
        )
        for c in cases
    ]


def concern_of(case: Case) -> Concern | None:
    """The case's urgent concern, if it is flagged."""
    if not case.current_risk:
        return None
    names = _names({case.current_risk_flagged_by_id, case.current_risk_acknowledged_by_id})
    return Concern(
        case,
        names.get(case.current_risk_flagged_by_id),
        names.get(case.current_risk_acknowledged_by_id),
    )


def open_concerns_count(inspection_id: int) -> int:
    """Urgent concerns not yet raised with the force: these need a lead's attention."""
    return (
        db.session.scalar(
            select(func.count(Case.id)).where(
                Case.inspection_id == inspection_id,
                Case.current_risk.is_(True),
                Case.current_risk_raised_at.is_(None),
            )
        )
        or 0
    )


def _names(user_ids: set[int | None]) -> dict[int | None, str]:
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


# --- my cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyCase:
    """One row of "My cases"."""

    case: Case
    inspection: Inspection
    case_type_name: str
    progress: Progress
    grade: CaseGrade | None
    audit_round: int = 1

    @property
    def returned(self) -> bool:
        """Returned by a lead for more work (a draft with the lead's comment)."""
        return (
            self.audit_round == 1
            and self.case.status == CaseStatus.DRAFT
            and bool(self.case.returned_comment)
        )

    @property
    def status_tag(self) -> dict[str, str]:
        """govukTag parameters for where the case is."""
        if self.audit_round == 2:
            second = second_audit_of(self.case)
            if second and second.status != SecondAuditStatus.IN_PROGRESS:
                return {"text": "Submitted", "classes": "govuk-tag--blue"}
            return {"text": "Second audit", "classes": "govuk-tag--purple"}
        if self.returned:
            return {"text": "Returned", "classes": "govuk-tag--orange"}
        status = CaseStatus(self.case.status)
        classes = {
            CaseStatus.DRAFT: "govuk-tag--grey",
            CaseStatus.SUBMITTED: "govuk-tag--blue",
            CaseStatus.MODERATED: "govuk-tag--green",
        }[status]
        text = "In progress" if status is CaseStatus.DRAFT and self.progress.answered else None
        return {"text": text or status.label, "classes": classes}

    @property
    def grade_tag(self) -> dict[str, str]:
        """govukTag parameters for the grade so far."""
        if self.audit_round == 1 and self.case.is_submitted:
            value = self.case.grade
            provisional = False
        else:
            value = str(self.grade.grade) if self.grade and self.grade.grade else None
            provisional = bool(self.grade and self.grade.provisional)
        if not value:
            return {"text": "Not graded", "classes": "govuk-tag--grey"}
        grade = Grade(value)
        return {
            "text": grade.label + (" (provisional)" if provisional else ""),
            "classes": grade.tag_class,
        }


def my_cases(user: User, inspection_id: int | None = None) -> list[MyCase]:
    """Cases assigned to the user (first audits, then blind second audits), by reference."""
    query = (
        select(Case, Inspection, CaseType.name)
        .join(Inspection, Inspection.id == Case.inspection_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .join(
            Membership,
            (Membership.inspection_id == Case.inspection_id) & (Membership.user_id == user.id),
        )
        .where(Case.auditor_id == user.id)
        .order_by(Inspection.id, Case.reference)
    )
    second_query = (
        select(Case, Inspection, CaseType.name)
        .join(SecondAudit, SecondAudit.case_id == Case.id)
        .join(Inspection, Inspection.id == Case.inspection_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .join(
            Membership,
            (Membership.inspection_id == Case.inspection_id) & (Membership.user_id == user.id),
        )
        .where(SecondAudit.auditor_id == user.id)
        .order_by(Inspection.id, Case.reference)
    )
    if inspection_id is not None:
        query = query.where(Case.inspection_id == inspection_id)
        second_query = second_query.where(Case.inspection_id == inspection_id)
    firsts = db.session.execute(query).all()
    seconds = db.session.execute(second_query).all()
    values = _values_by_case([c.id for c, _, _ in firsts], 1)
    second_values = _values_by_case([c.id for c, _, _ in seconds], 2)
    rows: list[MyCase] = []
    for group, round_values, audit_round in ((firsts, values, 1), (seconds, second_values, 2)):
        for case, inspection, type_name in group:
            answers = round_values.get(case.id, {})
            if case.question_set is None:
                rows.append(MyCase(case, inspection, type_name, Progress(0, 0), None, audit_round))
                continue
            qs = question_set_data(case.question_set)
            rows.append(
                MyCase(
                    case,
                    inspection,
                    type_name,
                    progress_of(qs, answers),
                    _grade(case, qs, answers, audit_round),
                    audit_round,
                )
            )
    return rows


def _values_by_case(case_ids: list[int], audit_round: int) -> dict[int, dict[str, str | None]]:
    if not case_ids:
        return {}
    result: dict[int, dict[str, str | None]] = {}
    for case_id, code, value in db.session.execute(
        select(Answer.case_id, Answer.question_code, Answer.value).where(
            Answer.case_id.in_(case_ids), Answer.audit_round == audit_round
        )
    ):
        result.setdefault(case_id, {})[code] = value
    return result


# --- history ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One change in a case's history, in words."""

    title: str
    by: str
    at: datetime
    description: str


_CASE_ACTIONS = {
    ("regrade", "computed_grade"): "Grade worked out",
    ("propose_grade", "proposed_grade"): "Different grade proposed",
    ("submit", "status"): "Submitted",
    ("case_study", "is_case_study"): "Case study flag changed",
    ("case_study", "case_study_narrative"): "Case study narrative changed",
    ("flag_current_risk", "current_risk"): "Child at current risk flagged",
    ("flag_current_risk", "current_risk_note"): "What the auditor saw",
    ("acknowledge_concern", "current_risk_acknowledged_at"): "Urgent concern acknowledged",
    ("raise_concern", "current_risk_raised_at"): "Urgent concern raised with the force",
    ("remove_current_risk", "current_risk"): "Current-risk flag removed",
    ("remove_current_risk", "reason"): "Reason the flag was removed",
    ("withdraw_proposal", "proposed_grade"): "Proposed grade withdrawn (child at current risk)",
    ("current_risk_grade", "final_grade"): "Final grade made inadequate (child at current risk)",
    # Recorded by the moderation work on the same case.
    ("moderation_agreed", "final_grade"): "Lead agreed the grade",
    ("moderation_changed", "final_grade"): "Lead changed the grade",
    ("moderation_agreed", "status"): "Moderated",
    ("moderation_changed", "status"): "Moderated",
    ("moderation_agreed", "moderation_reason"): "Lead's reason",
    ("moderation_changed", "moderation_reason"): "Lead's reason",
    ("moderation_returned", "status"): "Returned to the auditor",
    ("moderation_returned", "returned_comment"): "Lead's comment",
    ("request_second_audit", "auditor_id"): "Blind second audit requested",
}
# The second auditor's history shows their own work, never how the audits were reconciled.
_HIDDEN_FROM_ROUND_2 = ("resolve_second_audit",)
_GRADE_FIELDS = {"computed_grade", "proposed_grade", "final_grade"}


def case_timeline(case: Case, audit_round: int = 1) -> list[TimelineEntry]:
    """The case's history for one round, newest first: who changed what, when, old and new."""
    entities = ROUND_ENTITIES[audit_round]
    query = (
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.entity.in_(entities))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if audit_round == 2:
        query = query.where(AuditEvent.action.not_in(_HIDDEN_FROM_ROUND_2))
    events = db.session.scalars(query).all()
    qs = question_set_data(case.question_set) if case.question_set else None
    names = _names({e.user_id for e in events})
    return [_timeline_entry(e, qs, names.get(e.user_id, "System")) for e in events]


def _timeline_entry(event: AuditEvent, qs: QuestionSet | None, by: str) -> TimelineEntry:
    question = None
    if qs is not None and event.field and event.action in ("change_answer", "change_note"):
        try:
            question = qs.question(event.field)
        except KeyError:
            question = None
    if event.action == "change_answer":
        title = f"Answer to {event.field} changed"

        def label(v: str | None) -> str:
            return answer_label(question, v) if question else (v or "Not answered")

        description = f"{label(event.old_value)} → {label(event.new_value)}"
        if question is not None:
            description = f"{question.text} {description}"
    elif event.action == "change_note":
        title = f"Note on {event.field} changed"
        description = f"“{event.old_value or ''}” → “{event.new_value or ''}”"
    else:
        title = _CASE_ACTIONS.get(
            (event.action, event.field or ""),
            event.action.replace("_", " ").capitalize()
            + (f": {event.field.replace('_', ' ')}" if event.field else ""),
        )
        description = _change_words(event)
    return TimelineEntry(title=title, by=by, at=event.occurred_at, description=description)


def _change_words(event: AuditEvent) -> str:
    def words(value: str | None) -> str:
        if value is None or value == "":
            return "none"
        if event.field in _GRADE_FIELDS:
            try:
                return Grade(value).label
            except ValueError:
                return value
        if value in ("True", "False"):
            return "yes" if value == "True" else "no"
        if event.field and event.field.endswith("_at"):
            return ""
        return value

    old, new = words(event.old_value), words(event.new_value)
    if event.field and (event.field.endswith("_at") or event.field.endswith("_id")):
        return ""
    if event.old_value in (None, "") and event.field not in _GRADE_FIELDS:
        return new
    return f"{old} → {new}"


def lead_of(user: User, inspection_id: int) -> bool:
    """True when the user leads the inspection."""
    return (
        db.session.scalar(
            select(Membership.role).where(
                Membership.inspection_id == inspection_id, Membership.user_id == user.id
            )
        )
        == InspectionRole.LEAD
    )
