"""Notifications: a user told, in the app and by email when mail is configured, that something
happened to a case (an urgent concern, a case returned or assigned, a second audit asked for).

The text holds the case reference and what happened, never what anyone wrote about the case.
Emails wait for the commit: `notify` queues them on the session, and they go once the request's
transaction has committed (a rolled-back request sends nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, render_template, url_for
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from auditapp.domain.statuses import NotificationKind
from auditapp.extensions import db
from auditapp.models import Case, InspectionRole, Membership, Notification, User, utcnow
from auditapp.services import mail

_PENDING = "notification_mail"
LIST_LIMIT = 200

_SUBJECTS = {
    NotificationKind.URGENT_CONCERN: "Urgent concern on case {reference}",
    NotificationKind.CASE_RETURNED: "Case {reference} returned to you",
    NotificationKind.CASE_ASSIGNED: "Case {reference} assigned to you",
    NotificationKind.SECOND_AUDIT_REQUESTED: "Second audit of case {reference} asked of you",
}


@dataclass(frozen=True)
class _Mail:
    to: str
    subject: str
    body: str


def case_endpoint(kind: NotificationKind) -> str:
    """Where a notification of this kind takes its reader: the case, or its second audit."""
    if kind is NotificationKind.SECOND_AUDIT_REQUESTED:
        return "audit.show_second_audit"
    return "audit.show_case"


def case_url(notification: Notification, *, external: bool = False) -> str:
    """The address of the case page the notification is about (PUBLIC_URL when external)."""
    endpoint = case_endpoint(NotificationKind(notification.kind))
    public = current_app.config.get("PUBLIC_URL")
    if external and public:
        return str(public).rstrip("/") + url_for(endpoint, case_id=notification.case_id)
    return url_for(endpoint, case_id=notification.case_id, _external=external)


def notify(
    recipients: Iterable[User | int | None],
    kind: NotificationKind,
    case: Case,
    text: str,
    *,
    by: User | None = None,
) -> list[Notification]:
    """Tell each recipient (once; never the person who did it, `by`) what happened to the case.

    Adds and flushes the rows; when mail is configured, queues one email each, sent after commit.
    """
    ids = {r.id if isinstance(r, User) else r for r in recipients} - {None}
    if by is not None:
        ids.discard(by.id)
    users = list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))
    rows = [Notification(recipient_id=u.id, kind=kind, case_id=case.id, text=text) for u in users]
    db.session.add_all(rows)
    db.session.flush()
    if mail.mail_configured():
        _queue_mail(users, rows, kind, case)
    return rows


def _queue_mail(
    users: list[User], rows: list[Notification], kind: NotificationKind, case: Case
) -> None:
    service = current_app.config["SERVICE_NAME"]
    subject = _SUBJECTS[kind].format(reference=case.reference)
    pending = db.session.info.setdefault(_PENDING, [])
    for user, row in zip(users, rows, strict=True):
        if not user.active:
            continue
        body = render_template(
            "notifications/email.txt", user=user, notification=row, service=service,
            url=case_url(row, external=True),
        )  # fmt: skip
        pending.append(_Mail(user.email, subject, body))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for message in session.info.pop(_PENDING, []):
        mail.send_message(message.to, message.subject, message.body)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the request's mail
        session.info.pop(_PENDING, None)


def leads_of(case: Case) -> list[int]:
    """The ids of the leads of the case's inspection."""
    return list(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.inspection_id == case.inspection_id,
                Membership.role == InspectionRole.LEAD,
            )
        )
    )


def urgent_concern_flagged(case: Case, *, by: User) -> None:
    """Every lead of the inspection: a child at current risk was flagged on the case."""
    text = f"Case {case.reference}: a child at current risk was flagged. Act on it now."
    notify(leads_of(case), NotificationKind.URGENT_CONCERN, case, text, by=by)


def urgent_concern_reminder(case: Case) -> list[Notification]:
    """Every lead of the inspection again: the urgent concern is still not acknowledged."""
    text = (
        f"Case {case.reference}: a child at current risk was flagged and no lead has "
        "acknowledged it yet. Act on it now."
    )
    return notify(leads_of(case), NotificationKind.URGENT_CONCERN, case, text)


def case_returned(case: Case, *, by: User) -> None:
    """The case's auditor: a lead returned the case to them."""
    text = f"Case {case.reference} was returned to you by a lead."
    notify([case.auditor_id], NotificationKind.CASE_RETURNED, case, text, by=by)


def case_assigned(case: Case, auditor_id: int | None, *, by: User) -> None:
    """The new auditor of the case (nobody when it was unassigned)."""
    text = f"Case {case.reference} was assigned to you."
    notify([auditor_id], NotificationKind.CASE_ASSIGNED, case, text, by=by)


def second_audit_requested(case: Case, auditor_id: int, *, by: User) -> None:
    """The auditor asked for a blind second audit of the case."""
    text = f"You were asked for a blind second audit of case {case.reference}."
    notify([auditor_id], NotificationKind.SECOND_AUDIT_REQUESTED, case, text, by=by)


def unread_count(user: User) -> int:
    """How many of the user's notifications they have not opened."""
    query = select(func.count(Notification.id)).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)
    )
    return db.session.scalar(query) or 0


def unread_urgent(user: User) -> list[Notification]:
    """The user's unopened urgent-concern notifications, newest first (the home page banner)."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.recipient_id == user.id,
                Notification.read_at.is_(None),
                Notification.kind == NotificationKind.URGENT_CONCERN,
            )
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )


def list_for(user: User) -> list[Notification]:
    """The user's notifications, newest first (the latest LIST_LIMIT)."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def mark_read(user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's own notifications read; None when it is not theirs (or gone)."""
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.recipient_id == user.id
        )
    )
    if notification is not None and notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification
