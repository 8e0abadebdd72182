"""Write audit events: who, when, what, old value, new value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, User


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
) -> dict[str, Any]:
    """The column values of one audit event."""
    return {
        "action": action,
        "entity": entity,
        "entity_id": _text(entity_id),
        "user_id": user.id if user is not None else None,
        "inspection_id": inspection_id,
        "case_id": case_id,
        "field": field,
        "old_value": _text(old),
        "new_value": _text(new),
    }


def record_event(action: str, entity: str, **details: Any) -> AuditEvent:
    """Add one audit event to the session (the caller's transaction commits it).

    ``details`` are event_values' keyword arguments (user, entity_id, case_id, old, new, …).
    """
    event = AuditEvent(**event_values(action, entity, **details))
    db.session.add(event)
    return event


def insert_events(rows: Sequence[dict[str, Any]]) -> None:
    """Insert audit events built by ``event_values`` in one statement, without ORM objects.

    The answer-save path uses this: it runs on every keystroke pause, many times a minute.
    """
    if rows:
        table = cast(Table, AuditEvent.__table__)  # a mapped class's table is a Table
        db.session.execute(insert(table), list(rows))


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
