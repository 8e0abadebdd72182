"""A case's history for one audit round, in words.

Readable rather than raw: an answer's autosaves within a minute read as one entry (first old
value to last new value, with how many saves it covers), people are named (never shown as ids,
including the auditor a case was assigned to), and the history can be narrowed to kinds of
event. The audit log itself keeps every event; only its reading is grouped.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from auditapp.domain.grades import Grade
from auditapp.domain.question_sets import NOT_ANSWERED_WORDS, QuestionSet, answer_words
from auditapp.extensions import db
from auditapp.models import AuditEvent
from auditapp.services.audit.queries import user_names
from auditapp.services.audit.round import AuditRound
from auditapp.services.free_texts import LoggedEvent, logged_events
from auditapp.services.question_sets import question_set_data_of


@dataclass(frozen=True)
class TimelineEntry:
    """One change in a case's history, in words."""

    title: str
    by: str
    at: datetime
    description: str
    kind: str = "other"  # an EventKind key
    saves: int = 1  # how many recorded events the entry covers (autosaves grouped)


@dataclass(frozen=True)
class EventKind:
    """A kind of event the history can be narrowed to."""

    key: str
    label: str
    actions: frozenset[str]


# Each action has one kind; an action no kind names (a new one, a case study) is "other".
EVENT_KINDS: tuple[EventKind, ...] = tuple(
    EventKind(key, label, frozenset(actions.split()))
    for key, label, actions in (
        ("answers", "Answers and notes", "change_answer change_note regrade"),
        ("submission", "Status changes and submission", "submit propose_grade"),
        (
            "moderation",
            "Moderation",
            "moderation_agreed moderation_changed moderation_returned resolve_second_audit",
        ),
        ("assignment", "Assignment", "assign unassign request_second_audit"),
        (
            "concerns",
            "Urgent concerns",
            "flag_current_risk acknowledge_concern raise_concern remove_current_risk "
            "withdraw_proposal current_risk_grade resend_concern",
        ),
        ("other", "Other changes", ""),
    )
)
KIND_KEYS = tuple(kind.key for kind in EVENT_KINDS)
_KIND_OF_ACTION = {action: kind.key for kind in EVENT_KINDS for action in kind.actions}

# Saves of one answer by one person read as one entry while they fall within this time of the
# first of them ("per question per minute").
GROUP_WINDOW = timedelta(minutes=1)
# Actions saved as the auditor types or clicks: grouped. Other events are always shown singly.
_GROUPED_ACTIONS = frozenset({"change_answer", "change_note"})
# Fields whose old and new values are user ids: shown as the person's name.
_USER_FIELDS = frozenset({"auditor_id"})
SYSTEM_NAME = "System"
DELETED_ACCOUNT = "a deleted account"


def kind_of(action: str) -> str:
    """The key of the kind of event an action is."""
    return _KIND_OF_ACTION.get(action, "other")


_CASE_ACTIONS = {
    ("regrade", "computed_grade"): "Grade worked out",
    ("propose_grade", "proposed_grade"): "Different grade proposed",
    ("submit", "status"): "Submitted",
    ("case_study", "is_case_study"): "Case study flag changed",
    ("case_study", "case_study_narrative"): "Case study narrative changed",
    ("flag_current_risk", "current_risk"): "Child at current risk flagged",
    ("flag_current_risk", "current_risk_note"): "What the auditor saw",
    ("acknowledge_concern", "current_risk_acknowledged_at"): "Urgent concern acknowledged",
    ("acknowledge_concern", "current_risk_action"): "What was done about the concern",
    ("acknowledge_concern", "current_risk_action_at"): "When it was done",
    ("resend_concern", "notified_leads"): "Urgent concern sent to the leads again",
    ("resolve_second_audit", "final_grade"): "Final grade from the second audit's resolution",
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
    ("assign", "auditor_id"): "Auditor assigned",
    ("unassign", "auditor_id"): "Auditor unassigned",
}
_GRADE_FIELDS = {"computed_grade", "proposed_grade", "final_grade"}


@dataclass
class _Group:
    """Consecutive events read as one entry: one event, or one answer's autosaves."""

    events: list[LoggedEvent] = field(default_factory=list)

    @property
    def first(self) -> LoggedEvent:
        return self.events[0]

    @property
    def last(self) -> LoggedEvent:
        return self.events[-1]


def group_events(events: Iterable[LoggedEvent]) -> list[_Group]:
    """Group events, oldest first, into entries: one per event, except autosaves.

    A save of an answer (or note) joins the previous one by the same person when that was the
    same question, and the group began no more than a minute before. A save of another question
    by that person starts a new group; other events (a regrade, another person's work) do not
    break it: they are shown in their own entries.
    """
    groups: list[_Group] = []
    open_groups: dict[tuple[str, str, int | None], _Group] = {}
    for event in events:
        if event.action not in _GROUPED_ACTIONS:
            groups.append(_Group([event]))
            continue
        key = (event.action, event.entity, event.user_id)
        current = open_groups.get(key)
        if (
            current is not None
            and current.first.field == event.field
            and event.occurred_at - current.first.occurred_at <= GROUP_WINDOW
        ):
            current.events.append(event)
            continue
        current = _Group([event])
        open_groups[key] = current
        groups.append(current)
    return groups


def case_timeline(audit: AuditRound, kinds: Collection[str] = ()) -> list[TimelineEntry]:
    """The round's history, newest first: who changed what, when, old and new.

    ``kinds`` (EventKind keys) narrows it; none means every kind. Only the round's own events:
    the first audit's history never shows a second audit's, and the blind second auditor
    never sees the first audit's. Four queries at most (the fourth reads kept-apart free text).
    """
    entries = _entries(_round_events(audit), audit)
    if kinds:
        entries = [entry for entry in entries if entry.kind in kinds]
    return entries


def kind_counts(entries: Sequence[TimelineEntry]) -> dict[str, int]:
    """How many entries of each kind (every kind, zeros included)."""
    counts = dict.fromkeys(KIND_KEYS, 0)
    for entry in entries:
        counts[entry.kind] += 1
    return counts


def _round_events(audit: AuditRound) -> Sequence[LoggedEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.case_id == audit.case.id, AuditEvent.entity.in_(audit.event_entities))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    if audit.hidden_actions:
        query = query.where(AuditEvent.action.not_in(audit.hidden_actions))
    # Free text is read from where the log keeps it apart (redacted text reads as redacted).
    return logged_events(db.session.scalars(query).all())


def _user_ids(events: Iterable[LoggedEvent]) -> set[int]:
    """Everyone the events name: who acted, and who was assigned or unassigned."""
    ids: set[int] = set()
    for event in events:
        if event.user_id is not None:
            ids.add(event.user_id)
        if event.field in _USER_FIELDS:
            ids.update(int(v) for v in (event.old_value, event.new_value) if v and v.isdigit())
    return ids


def _entries(events: Sequence[LoggedEvent], audit: AuditRound) -> list[TimelineEntry]:
    case = audit.case
    qs = question_set_data_of(case.question_set_id) if case.question_set_id else None
    found = user_names(_user_ids(events))  # one query for every name

    def name(user_id: int | None) -> str:
        if user_id is None:
            return SYSTEM_NAME
        return found.get(user_id) or DELETED_ACCOUNT

    # Newest first by the time each entry shows: a group's last save.
    groups = sorted(
        group_events(events), key=lambda g: (g.last.occurred_at, g.last.id), reverse=True
    )
    return [_timeline_entry(group, qs, name) for group in groups]


def _timeline_entry(
    group: _Group, qs: QuestionSet | None, name: Callable[[int | None], str]
) -> TimelineEntry:
    first, event = group.first, group.last
    saves = len(group.events)
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

        description = f"{label(first.old_value)} → {label(event.new_value)}"
        if question is not None:
            description = f"{question.text} {description}"
    elif event.action == "change_note":
        title = f"Note on {event.field} changed"
        description = f"“{first.old_value or ''}” → “{event.new_value or ''}”"
    elif event.action == "redact":  # every version of a free text replaced by this
        title = f"Text redacted ({(event.field or '').replace('_', ' ')})"
        description = f"Reason: {event.new_value or ''}"
    else:
        title = _CASE_ACTIONS.get(
            (event.action, event.field or ""),
            event.action.replace("_", " ").capitalize()
            + (f": {event.field.replace('_', ' ')}" if event.field else ""),
        )
        description = _change_words(event, name)
    if saves > 1:
        description = f"{description} ({saves} saves within a minute)"
    return TimelineEntry(
        title=title,
        by=name(event.user_id),
        at=event.occurred_at,
        description=description,
        kind=kind_of(event.action),
        saves=saves,
    )


def _change_words(event: LoggedEvent, name: Callable[[int | None], str]) -> str:
    def words(value: str | None) -> str:
        if value is None or value == "":
            return "none"
        if event.field in _USER_FIELDS:
            return name(int(value)) if value.isdigit() else DELETED_ACCOUNT
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
    if event.field in _USER_FIELDS:
        if event.old_value in (None, ""):
            return new
        return old if event.new_value in (None, "") else f"{old} → {new}"
    if event.field and (event.field.endswith("_at") or event.field.endswith("_id")):
        return ""
    if event.old_value in (None, "") and event.field not in _GRADE_FIELDS:
        return new
    return f"{old} → {new}"
