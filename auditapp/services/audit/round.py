"""Which audit of a case a request works on (the first, or one user's blind second), resolved once.

A case is audited first by its assigned auditor: answers in round 1, status and grade on the
``Case``. A lead may ask another auditor for a blind second audit: answers in round 2, status
and grade on the case's ``SecondAudit``, and nothing of the first audit shown. Everything that
differs between the two lives here, in ``FirstAudit`` and ``BlindSecondAudit``; services and
templates ask the round object and never compare round numbers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from flask import url_for

from auditapp.domain.grading import CaseGrade
from auditapp.domain.statuses import case_progress_label
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    InspectionRole,
    SecondAudit,
    SecondAuditStatus,
    User,
)
from auditapp.permissions import NotAllowed, NotVisible, check_case_access, check_role
from auditapp.services.audit.errors import CaseLocked, RoundNotFound
from auditapp.services.audit.queries import RoundRows, round_rows, round_statement
from auditapp.services.audit_log import record_case_event, record_event

# The values of the ``audit_round`` column of answers and question outcomes.
FIRST_ROUND = 1
SECOND_ROUND = 2


@dataclass(frozen=True)
class Submission:
    """What an auditor submits: the grade worked out, and any different grade with its reason."""

    computed: str | None
    proposal: str | None
    reason: str | None
    at: datetime


class AuditRound(ABC):
    """One audit of a case as one user works on it: its answers, status, grade row and URLs."""

    number: ClassVar[int]  # the audit_round value of its answers and outcomes
    is_second: ClassVar[bool]
    subject_entity: ClassVar[str]  # audit-event entity of its status and grade
    answer_entity: ClassVar[str]  # audit-event entity of its answers
    hidden_actions: ClassVar[tuple[str, ...]] = ()  # events its history never shows
    locked_message: ClassVar[str]  # why its own auditor cannot change it any more
    form_endpoint: ClassVar[str]
    save_endpoint: ClassVar[str]
    answer_endpoint: ClassVar[str]
    submit_endpoint: ClassVar[str]
    history_endpoint: ClassVar[str]

    def __init__(self, case: Case, user: User) -> None:
        self.case = case
        self.user = user
        self._prefetched: RoundRows | None = None

    # --- who may do what -------------------------------------------------------------------

    @property
    @abstractmethod
    def grade_row(self) -> Case | SecondAudit:
        """The row holding the round's status, computed and proposed grade, and submission."""

    @property
    @abstractmethod
    def is_own(self) -> bool:
        """The user is the auditor of this round."""

    @property
    @abstractmethod
    def is_open(self) -> bool:
        """Not submitted: its auditor may still change it."""

    @property
    def editable(self) -> bool:
        """Only the round's own auditor edits it, and only before submitting."""
        return self.is_own and self.is_open

    def check_editable(self) -> None:
        """Raise CaseLocked (the user's own, submitted) or NotAllowed (403: not theirs)."""
        if self.editable:
            return
        if self.is_own:
            raise CaseLocked(self.locked_message)
        raise NotAllowed("only the assigned auditor can change this case")

    # --- what it shows ---------------------------------------------------------------------

    @property
    def status(self) -> str:
        """The round's status (a CaseStatus or a SecondAuditStatus value)."""
        return self.grade_row.status

    @property
    @abstractmethod
    def status_label(self) -> str:
        """The status in words."""

    @property
    def submitted_at(self) -> datetime | None:
        """When its auditor last submitted it."""
        return self.grade_row.submitted_at

    @property
    @abstractmethod
    def is_submitted(self) -> bool:
        """Submitted (and not returned): read-only for its auditor."""

    @property
    @abstractmethod
    def current_risk(self) -> bool:
        """A child at current risk is flagged, as this round may know it (graded inadequate)."""

    @property
    @abstractmethod
    def name(self) -> str:
        """e.g. "case DA-0001" or "second audit of case DA-0001"."""

    @property
    def title(self) -> str:
        """The name as a heading: "Case DA-0001"."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def returned_comment(self) -> str | None:
        """A lead's comment when they returned the round to its auditor for more work."""
        return None

    @property
    def is_lead(self) -> bool:
        """The user leads the case's inspection (and so acts on urgent concerns)."""
        return False

    @property
    def may_report_current_risk(self) -> bool:
        """The user may flag a child at current risk on this case (flagged already or not)."""
        return False

    @property
    def may_flag_current_risk(self) -> bool:
        """The user may flag a child at current risk from this page: allowed, and not yet set."""
        return self.may_report_current_risk and not self.current_risk

    @property
    def may_mark_case_study(self) -> bool:
        """The user may flag the case as a case study, or change its narrative."""
        return False

    @property
    def settled_grade(self) -> str | None:
        """The grade the figures use once submitted; None while the grade is still provisional."""
        return None

    @abstractmethod
    def status_tag(self, answered: int) -> dict[str, str]:
        """govukTag parameters for where the round is (``answered``: questions answered)."""

    # --- its URLs --------------------------------------------------------------------------

    @property
    def form_url(self) -> str:
        """The case form of this round."""
        return url_for(self.form_endpoint, case_id=self.case.id)

    @property
    def save_url(self) -> str:
        """Where the whole form posts (without JavaScript)."""
        return url_for(self.save_endpoint, case_id=self.case.id)

    @property
    def answer_url_template(self) -> str:
        """Where one answer posts as it changes, with ``__QUESTION__`` for the question id."""
        return url_for(self.answer_endpoint, case_id=self.case.id, question_id="__QUESTION__")

    @property
    def submit_url(self) -> str:
        """The check-and-submit page."""
        return url_for(self.submit_endpoint, case_id=self.case.id)

    @property
    def history_url(self) -> str:
        """The round's history page, with its filter by kind of event."""
        return url_for(self.history_endpoint, case_id=self.case.id)

    @property
    def back_url(self) -> str:
        """The user's cases in the case's inspection."""
        return url_for("audit.my_inspection_cases", inspection_id=self.case.inspection_id)

    # --- its data --------------------------------------------------------------------------

    @property
    def subject_id(self) -> int:
        """The audit-event entity id of the round's status and grade."""
        return self.grade_row.id

    @property
    def event_entities(self) -> tuple[str, str]:
        """The audit-event entities of this round: its history shows these and no others."""
        return (self.subject_entity, self.answer_entity)

    def prefetch(self, rows: RoundRows) -> None:
        """Keep rows read with the round, for the first service that needs them."""
        self._prefetched = rows

    def take_prefetched(self) -> RoundRows | None:
        """The rows read with the round, once: later reads go to the database again."""
        rows, self._prefetched = self._prefetched, None
        return rows

    @abstractmethod
    def store_grade(self, grade: CaseGrade) -> dict[str, Any]:
        """Keep the computed grade on the grade row.

        Returns the case-row columns to write under the case's optimistic lock (where the
        first audit keeps its grade); a second audit's own row is changed in the session.
        """

    @abstractmethod
    def record_submission(self, submission: Submission) -> None:
        """Mark the round submitted with its grades, recording the audit events."""

    @abstractmethod
    def reloaded(self) -> AuditRound:
        """The same round resolved again from the database (after a concurrent commit)."""


class FirstAudit(AuditRound):
    """The case's first audit: answers in round 1, status and grade on the case."""

    number = FIRST_ROUND
    is_second = False
    subject_entity = "case"
    answer_entity = "answer"
    locked_message = "This case has been submitted: it is read-only until a lead returns it to you"
    form_endpoint = "audit.show_case"
    save_endpoint = "audit.save_answers"
    answer_endpoint = "audit.save_answer"
    submit_endpoint = "audit.submit_case"
    history_endpoint = "audit.show_case_history"

    def __init__(self, case: Case, user: User, role: InspectionRole | None = None) -> None:
        super().__init__(case, user)
        self.role = role

    @property
    def grade_row(self) -> Case:
        """The case itself."""
        return self.case

    @property
    def is_own(self) -> bool:
        """The user is the case's assigned auditor."""
        return self.case.auditor_id == self.user.id

    @property
    def is_open(self) -> bool:
        """A draft (never submitted, or returned by a lead)."""
        return self.case.status == CaseStatus.DRAFT

    @property
    def is_submitted(self) -> bool:
        """Submitted or moderated."""
        return self.case.is_submitted

    @property
    def status_label(self) -> str:
        """Draft, Submitted or Moderated."""
        return CaseStatus(self.case.status).label

    @property
    def current_risk(self) -> bool:
        """The case's current-risk flag."""
        return self.case.current_risk

    @property
    def name(self) -> str:
        """e.g. "case DA-0001"."""
        return f"case {self.case.reference}"

    @property
    def returned_comment(self) -> str | None:
        """The lead's comment on a case returned to its auditor (a draft again)."""
        return self.case.returned_comment if self.is_open else None

    @property
    def is_lead(self) -> bool:
        """The user leads the case's inspection."""
        return self.role is InspectionRole.LEAD

    @property
    def may_report_current_risk(self) -> bool:
        """A lead, or the case's auditor at any stage: safety cannot wait for a return."""
        return self.is_lead or self.is_own

    @property
    def may_mark_case_study(self) -> bool:
        """A lead at any stage, or the case's auditor while it is theirs to edit."""
        return self.is_lead or self.editable

    @property
    def settled_grade(self) -> str | None:
        """Once submitted, the grade the figures use (final, proposed or computed)."""
        return self.case.grade if self.case.is_submitted else None

    def status_tag(self, answered: int) -> dict[str, str]:
        """Returned, Not started, In progress, Submitted or Moderated."""
        if self.returned_comment:
            return {"text": "Returned", "classes": "govuk-tag--orange"}
        status = CaseStatus(self.case.status)
        classes = {
            CaseStatus.DRAFT: "govuk-tag--grey",
            CaseStatus.SUBMITTED: "govuk-tag--blue",
            CaseStatus.MODERATED: "govuk-tag--green",
        }[status]
        return {"text": case_progress_label(status, bool(answered)), "classes": classes}

    def store_grade(self, grade: CaseGrade) -> dict[str, Any]:
        """The computed grade and its explanation, written with the case row."""
        return {
            "computed_grade": str(grade.grade) if grade.grade else None,
            "computed_explanation": grade.to_dict(),
        }

    def record_submission(self, submission: Submission) -> None:
        """The proposal (if changed) and the submission, on the case."""
        case, user, proposal = self.case, self.user, submission.proposal
        if proposal != case.proposed_grade or (
            proposal and submission.reason != case.proposed_reason
        ):
            record_case_event(
                case, user, "propose_grade", "proposed_grade", case.proposed_grade, proposal
            )
        case.proposed_grade = proposal
        case.proposed_reason = submission.reason if proposal else None
        record_case_event(case, user, "submit", "status", case.status, CaseStatus.SUBMITTED)
        case.status = CaseStatus.SUBMITTED
        case.submitted_at = submission.at

    def reloaded(self) -> FirstAudit:
        """Resolved again, reading what another writer committed."""
        return load_first_audit(self.case.id, self.user, refresh=True)


class BlindSecondAudit(AuditRound):
    """A blind second audit by another auditor: answers in round 2, status and grade on its row.

    It never shows the first audit's answers, notes, grade, current-risk flag or history.
    """

    number = SECOND_ROUND
    is_second = True
    subject_entity = "second_audit"
    answer_entity = "second_audit_answer"
    # The second auditor's history shows their own work, never how the audits were reconciled.
    hidden_actions = ("resolve_second_audit",)
    locked_message = "You have submitted this second audit: it is read-only"
    form_endpoint = "audit.show_second_audit"
    save_endpoint = "audit.save_second_audit_answers"
    answer_endpoint = "audit.save_second_audit_answer"
    submit_endpoint = "audit.submit_second_audit"
    history_endpoint = "audit.show_second_audit_history"

    def __init__(self, case: Case, user: User, second: SecondAudit) -> None:
        super().__init__(case, user)
        self.second = second

    @property
    def grade_row(self) -> SecondAudit:
        """The case's SecondAudit row."""
        return self.second

    @property
    def is_own(self) -> bool:
        """The user is the second auditor."""
        return self.second.auditor_id == self.user.id

    @property
    def is_open(self) -> bool:
        """Still in progress."""
        return self.second.status == SecondAuditStatus.IN_PROGRESS

    @property
    def is_submitted(self) -> bool:
        """Its auditor has submitted it."""
        return self.second.submitted_at is not None

    @property
    def status_label(self) -> str:
        """In progress, Submitted or Resolved."""
        return SecondAuditStatus(self.second.status).replace("_", " ").capitalize()

    @property
    def current_risk(self) -> bool:
        """Never: the first auditor's flag would reveal round-1 findings to the second auditor."""
        return False

    @property
    def name(self) -> str:
        """e.g. "second audit of case DA-0001"."""
        return f"second audit of case {self.case.reference}"

    def status_tag(self, answered: int) -> dict[str, str]:
        """Second audit (in progress) or Submitted."""
        if self.is_open:
            return {"text": "Second audit", "classes": "govuk-tag--purple"}
        return {"text": "Submitted", "classes": "govuk-tag--blue"}

    def store_grade(self, grade: CaseGrade) -> dict[str, Any]:
        """Kept on the second audit's row; nothing to write on the case."""
        self.second.computed_grade = str(grade.grade) if grade.grade else None
        return {}

    def record_submission(self, submission: Submission) -> None:
        """The grades and the submission, on the second audit's row."""
        second = self.second
        record_event(
            "submit",
            self.subject_entity,
            user=self.user,
            entity_id=second.id,
            inspection_id=self.case.inspection_id,
            case_id=self.case.id,
            field="status",
            old=second.status,
            new=SecondAuditStatus.SUBMITTED,
        )
        second.computed_grade = submission.computed
        second.proposed_grade = submission.proposal
        second.proposed_reason = submission.reason if submission.proposal else None
        second.status = SecondAuditStatus.SUBMITTED
        second.submitted_at = submission.at

    def reloaded(self) -> BlindSecondAudit:
        """Resolved again, reading what another writer committed."""
        return load_second_audit(self.case.id, self.user, refresh=True)


def _found(case_id: int, user: User, statement: Any, refresh: bool) -> Any:
    """The row of a round statement; RoundNotFound when there is no such case (404)."""
    found = (
        db.session.execute(statement, execution_options={"populate_existing": refresh})
        .mappings()
        .first()
    )
    if found is None:
        raise RoundNotFound(f"case {case_id} is not in an inspection of user {user.id}")
    return found


def load_first_audit(case_id: int, user: User, *, refresh: bool = False) -> FirstAudit:
    """The case's first audit as the user may see it, with its stored rows, in one statement.

    The membership rule is ``permissions.check_case_access``: RoundNotFound (404) outside the
    case's inspection; leads and observers see any case, an auditor only the cases assigned to
    them (PermissionError, 403). ``refresh`` rereads rows already loaded.
    """
    found = _found(case_id, user, round_statement(case_id, user.id, FIRST_ROUND), refresh)
    try:
        role = check_case_access(user, found["Case"], found["role"])
    except NotVisible as error:
        raise RoundNotFound(str(error)) from error
    audit = FirstAudit(found["Case"], user, role)
    audit.prefetch(round_rows(found["answers"], found["outcomes"]))
    return audit


def load_second_audit(case_id: int, user: User, *, refresh: bool = False) -> BlindSecondAudit:
    """The user's blind second audit of the case, with its stored rows, in one statement.

    RoundNotFound (404) outside the case's inspection or when no second audit was asked for;
    PermissionError (403) when it is another auditor's.
    """
    statement = (
        round_statement(case_id, user.id, SECOND_ROUND)
        .add_columns(SecondAudit)
        .outerjoin(SecondAudit, SecondAudit.case_id == case_id)
    )
    found = _found(case_id, user, statement, refresh)
    try:
        check_role(user, found["role"])
    except NotVisible as error:
        raise RoundNotFound(str(error)) from error
    second = found["SecondAudit"]
    if second is None:
        raise RoundNotFound(f"case {case_id} has no second audit")
    audit = BlindSecondAudit(found["Case"], user, second)
    if not audit.is_own:
        raise NotAllowed("only the case's second auditor opens its second audit")
    audit.prefetch(round_rows(found["answers"], found["outcomes"]))
    return audit
