"""Urgent concerns: a child at current risk flagged, acknowledged, raised, or removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from auditapp.domain.grades import Grade
from auditapp.extensions import db
from auditapp.models import Case, Notification, NotificationKind, User, utcnow
from auditapp.permissions import NotAllowed
from auditapp.services import notifications
from auditapp.services.audit.errors import ConcernError
from auditapp.services.audit.limits import NOTE_MAX_LENGTH
from auditapp.services.audit.queries import user_names
from auditapp.services.audit.round import FirstAudit
from auditapp.services.audit.saving import touch_case
from auditapp.services.audit_log import record_case_event
from auditapp.services.grading import regrade_case
from auditapp.services.personal_data import PersonalDataInText, check_free_text

# A lead's clock and the server's may differ a little: "now" typed at 14:10 is not the future.
ACTION_CLOCK_SKEW = timedelta(minutes=5)


def _regrade_first_audit(case: Case, user: User) -> None:
    """Regrade the first audit from its stored answers after a change to the case itself."""
    old = case.computed_grade
    regrade_case(case)
    if case.computed_grade != old:
        record_case_event(case, user, "regrade", "computed_grade", old, case.computed_grade)
    db.session.flush()


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


def _refuse_personal_data(text: str, what: str) -> None:
    """ConcernError when the text seems to hold personal data (nothing saved or logged)."""
    try:
        check_free_text(text, what)
    except PersonalDataInText as refused:
        raise ConcernError(refused.message) from None


def flag_current_risk(audit: FirstAudit, note: str) -> None:
    """Flag a child found at current risk: the case becomes inadequate and leads are alerted.

    A lead, or the case's auditor at any stage (NotAllowed otherwise).
    """
    if not audit.may_report_current_risk:
        raise NotAllowed("only a lead or the case's auditor flags a child at current risk")
    case, user = audit.case, audit.user
    note = (note or "").strip()
    if not note:
        raise ConcernError("Describe what you saw that shows a child is at current risk")
    if len(note) > NOTE_MAX_LENGTH:
        raise ConcernError(f"Description must be {NOTE_MAX_LENGTH:,} characters or fewer")
    _refuse_personal_data(note, "description")
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
    touch_case(case)
    db.session.flush()
    _regrade_first_audit(case, user)
    notifications.urgent_concern_flagged(case, by=user)


def _check_lead(audit: FirstAudit) -> None:
    """Only the inspection's leads act on an urgent concern (NotAllowed otherwise)."""
    if not audit.is_lead:
        raise NotAllowed("only a lead of the inspection acts on an urgent concern")


def acknowledge_concern(audit: FirstAudit, action: str | None, done_at: datetime) -> None:
    """A lead acknowledges an urgent concern, saying what was done about it and when.

    Once only: a second acknowledgement raises ConcernError and changes nothing, so the first
    lead's account stands.
    """
    _check_lead(audit)
    case, user = audit.case, audit.user
    if not case.current_risk:
        raise ConcernError("This case has no urgent concern")
    if case.current_risk_acknowledged_at is not None:
        raise ConcernError("This concern has already been acknowledged")
    action = (action or "").strip()
    if not action:
        raise ConcernError("Say what was done about the concern")
    if len(action) > NOTE_MAX_LENGTH:
        raise ConcernError(f"What was done must be {NOTE_MAX_LENGTH:,} characters or fewer")
    _refuse_personal_data(action, "account")
    now = utcnow()
    if done_at > now + ACTION_CLOCK_SKEW:
        raise ConcernError("The time it was done must be now or in the past")
    record_case_event(case, user, "acknowledge_concern", "current_risk_acknowledged_at", None, now)
    record_case_event(case, user, "acknowledge_concern", "current_risk_action", None, action)
    record_case_event(case, user, "acknowledge_concern", "current_risk_action_at", None, done_at)
    case.current_risk_acknowledged_by_id = user.id
    case.current_risk_acknowledged_at = now
    case.current_risk_action = action
    case.current_risk_action_at = done_at
    touch_case(case)
    db.session.flush()


def mark_concern_raised(audit: FirstAudit) -> None:
    """A lead records that the concern was raised with the force (acknowledging it if needed)."""
    _check_lead(audit)
    case, user = audit.case, audit.user
    if not case.current_risk:
        raise ConcernError("This case has no urgent concern")
    if case.current_risk_raised_at is not None:
        raise ConcernError("This concern has already been raised with the force")
    now = utcnow()
    if case.current_risk_acknowledged_at is None:
        acknowledge_concern(audit, "Raised with the force", now)
    record_case_event(case, user, "raise_concern", "current_risk_raised_at", None, now)
    case.current_risk_raised_at = now
    touch_case(case)
    db.session.flush()


def remove_current_risk(audit: FirstAudit, reason: str) -> None:
    """A lead removes a current-risk flag, with a reason; the case is regraded without it."""
    _check_lead(audit)
    case, user = audit.case, audit.user
    reason = (reason or "").strip()
    if not case.current_risk:
        raise ConcernError("This case has no urgent concern")
    if not reason:
        raise ConcernError("Give the reason for removing the flag")
    _refuse_personal_data(reason, "reason")
    record_case_event(case, user, "remove_current_risk", "current_risk", True, False)
    record_case_event(case, user, "remove_current_risk", "reason", None, reason)
    case.current_risk = False
    touch_case(case)
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
    names = user_names(
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
    names = user_names({case.current_risk_flagged_by_id, case.current_risk_acknowledged_by_id})
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


def unacknowledged_due(resend_after: timedelta, now: datetime | None = None) -> list[Case]:
    """Urgent concerns nobody has acknowledged, last told of at least ``resend_after`` ago.

    "Last told" is the newest urgent-concern notification of the case (its flag, or the last
    reminder), else the time it was flagged.
    """
    now = now or utcnow()
    last_told = (
        select(
            Notification.case_id.label("case_id"),
            func.max(Notification.created_at).label("at"),
        )
        .where(Notification.kind == NotificationKind.URGENT_CONCERN)
        .group_by(Notification.case_id)
        .subquery()
    )
    cases = db.session.scalars(
        select(Case)
        .outerjoin(last_told, last_told.c.case_id == Case.id)
        .where(
            Case.current_risk.is_(True),
            Case.current_risk_acknowledged_at.is_(None),
            func.coalesce(last_told.c.at, Case.current_risk_flagged_at) <= now - resend_after,
        )
        .order_by(Case.id)
    ).all()
    return list(cases)


def resend_unacknowledged(resend_after: timedelta, now: datetime | None = None) -> list[Case]:
    """Tell the leads again of every urgent concern not acknowledged in time; returns the cases.

    Each reminder is a notification row per lead (and an email each, after the commit, when mail
    is configured) and an event in the case's audit log.
    """
    due = unacknowledged_due(resend_after, now)
    for case in due:
        sent = notifications.urgent_concern_reminder(case)
        if sent:
            record_case_event(case, None, "resend_concern", "notified_leads", None, len(sent))
    db.session.flush()
    return due
