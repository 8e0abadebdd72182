"""Reading the free text audit events keep apart: the text, or the words of its redaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from auditapp.domain.personal_data import redaction_words
from auditapp.extensions import db
from auditapp.models import AuditEvent, FreeText, Redaction

_LONDON = ZoneInfo("Europe/London")


def redaction_text(redaction: Redaction) -> str:
    """ "Redacted by Lee Lead on 3 December 2026: REASON", for wherever the text stood."""
    on = redaction.redacted_at.astimezone(_LONDON).strftime("%-d %B %Y")
    return redaction_words(redaction.redacted_by_name, on, redaction.reason)


def texts_by_key(keys: Iterable[str | None]) -> dict[str, str]:
    """Each free text's body, or its redaction's words once redacted (one query)."""
    wanted = {key for key in keys if key}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(FreeText.key, FreeText.body, Redaction)
        .outerjoin(Redaction, Redaction.id == FreeText.redaction_id)
        .where(FreeText.key.in_(wanted))
    ).all()
    return {
        key: redaction_text(redaction) if redaction is not None else (body or "")
        for key, body, redaction in rows
    }


@dataclass(frozen=True)
class LoggedEvent:
    """An audit event as read: its free text in place of the digest, or its redaction."""

    id: int
    occurred_at: datetime
    user_id: int | None
    inspection_id: int | None
    case_id: int | None
    action: str
    entity: str
    entity_id: str | None
    field: str | None
    old_value: str | None
    new_value: str | None


def logged_events(events: Sequence[AuditEvent]) -> list[LoggedEvent]:
    """The events with their free text read back (one query for all their texts)."""
    texts = texts_by_key(k for e in events for k in (e.old_text_key, e.new_text_key))

    def value(stored: str | None, key: str | None) -> str | None:
        return texts.get(key, "") if key else stored

    return [
        LoggedEvent(
            id=event.id,
            occurred_at=event.occurred_at,
            user_id=event.user_id,
            inspection_id=event.inspection_id,
            case_id=event.case_id,
            action=event.action,
            entity=event.entity,
            entity_id=event.entity_id,
            field=event.field,
            old_value=value(event.old_value, event.old_text_key),
            new_value=value(event.new_value, event.new_text_key),
        )
        for event in events
    ]
