"""Write audit events: who, when, what, old value, new value; free text kept apart.

A value that is free text (a note, a reason, a narrative: ``is_free_text``) is never written
into the event row: it goes into ``free_text`` under a random key with a salt, and the event
holds the key and the text's salted digest (payload version 2, auditapp/models/free_text.py),
so a redaction can erase the text while the event and its chain link stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, FreeText, User
from auditapp.models.free_text_digest import new_key, new_salt, text_digest

# Fields whose values are what someone typed in their own words. A new free-text field is
# added here, so that its text can be redacted (an answer's note is free text by its action,
# a text question's answer by the caller's ``free_text=True``).
FREE_TEXT_FIELDS = frozenset(
    {
        "current_risk_note",
        "reason",
        "moderation_reason",
        "returned_comment",
        "case_study_narrative",
        "proposed_reason",
        "resolution_note",
        "narrative",
        "baseline_source",
        "comment",
        "current_risk_action",
    }
)
FREE_TEXT_ACTIONS = frozenset({"change_note"})
# The key of an event row's free texts, for insert_events (not a column).
_FREE_TEXTS = "_free_texts"


def is_free_text(action: str, field: str | None) -> bool:
    """True when the event's values are free text, kept apart so they can be redacted."""
    return action in FREE_TEXT_ACTIONS or (field or "") in FREE_TEXT_FIELDS


def _kept_apart(value: Any, texts: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """(digest, key) of a free text stored apart; (None, None) for no text."""
    text = _text(value)
    if text is None:
        return None, None
    key, salt = new_key(), new_salt()
    texts.append({"key": key, "salt": salt, "body": text, "redaction_id": None})
    return text_digest(salt, text), key


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


def event_values(
    action: str,
    entity: str,
    *,
    user: User | None,
    entity_id: Any = None,
    inspection_id: int | None = None,
    case_id: int | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    free_text: bool | None = None,
) -> dict[str, Any]:
    """The column values of one audit event (free text apart: see ``is_free_text``).

    ``free_text``: force the values to be kept apart (True) or inline (False); by default
    ``is_free_text`` decides from the action and field.
    """
    values: dict[str, Any] = {
        "action": action,
        "entity": entity,
        "entity_id": _text(entity_id),
        "user_id": user.id if user is not None else None,
        "inspection_id": inspection_id,
        "case_id": case_id,
        "field": field,
        "old_value": _text(old),
        "new_value": _text(new),
        "old_text_key": None,
        "new_text_key": None,
    }
    if free_text or (free_text is None and is_free_text(action, field)):
        texts: list[dict[str, Any]] = []
        values["old_value"], values["old_text_key"] = _kept_apart(old, texts)
        values["new_value"], values["new_text_key"] = _kept_apart(new, texts)
        values[_FREE_TEXTS] = texts
    return values


def record_event(action: str, entity: str, **details: Any) -> AuditEvent:
    """Add one audit event to the session (the caller's transaction commits it).

    ``details`` are event_values' keyword arguments (user, entity_id, case_id, old, new, …).
    """
    values = event_values(action, entity, **details)
    texts = values.pop(_FREE_TEXTS, None)
    if texts:  # written now: the event, flushed later, refers to them
        db.session.execute(insert(cast(Table, FreeText.__table__)), texts)
    event = AuditEvent(**values)
    db.session.add(event)
    return event


def insert_events(rows: Sequence[dict[str, Any]]) -> None:
    """Insert audit events built by ``event_values`` in one statement, without ORM objects.

    The answer-save path uses this: it runs on every keystroke pause, many times a minute.
    """
    if rows:
        texts = [text for row in rows for text in row.get(_FREE_TEXTS, ())]
        if texts:  # before the events that refer to them
            db.session.execute(insert(cast(Table, FreeText.__table__)), texts)
        table = cast(Table, AuditEvent.__table__)  # a mapped class's table is a Table
        events = [{k: v for k, v in row.items() if k != _FREE_TEXTS} for row in rows]
        db.session.execute(insert(table), events)


def record_case_event(
    case: Case, user: User | None, action: str, field: str | None, old: Any, new: Any
) -> AuditEvent:
    """Record a change to a case, filed under its inspection so it shows on the case timeline."""
    return record_event(
        action,
        "case",
        user=user,
        entity_id=case.id,
        inspection_id=case.inspection_id,
        case_id=case.id,
        field=field,
        old=old,
        new=new,
    )
