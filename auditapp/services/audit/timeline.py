"""A case's history for one audit round, in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from auditapp.domain.grades import Grade
from auditapp.domain.question_sets import NOT_ANSWERED_WORDS, QuestionSet, answer_words
from auditapp.extensions import db
from auditapp.models import AuditEvent
from auditapp.services.audit.queries import user_names
from auditapp.services.audit.round import AuditRound
from auditapp.services.question_sets import question_set_data_of


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
_GRADE_FIELDS = {"computed_grade", "proposed_grade", "final_grade"}


def case_timeline(audit: AuditRound) -> list[TimelineEntry]:
    """The round's history, newest first: who changed what, when, old and new.

    Only the round's own events: the first audit's history never shows a second audit's, and
    the blind second auditor never sees the first audit's.
    """
    case = audit.case
    query = (
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.entity.in_(audit.event_entities))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if audit.hidden_actions:
        query = query.where(AuditEvent.action.not_in(audit.hidden_actions))
    events = db.session.scalars(query).all()
    qs = question_set_data_of(case.question_set_id) if case.question_set_id else None
    names = user_names({e.user_id for e in events})
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
            return answer_words(question, v) if question else (v or NOT_ANSWERED_WORDS)

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
