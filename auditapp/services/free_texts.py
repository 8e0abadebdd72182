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
from auditapp.services.audit_log import is_free_text

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


def _inline_redactions(events: Sequence[AuditEvent]) -> dict[tuple[int, str, str], Redaction]:
    """Redactions covering free text that events of payload version 1 hold inline.

    Such events were chained with their text, so the row keeps it (erasing it would break the
    chain); it is at least never shown again once redacted. One query, only when needed.
    """
    inline = {
        e.case_id
        for e in events
        if e.case_id is not None
        and e.action != "redact"
        and e.old_text_key is None
        and e.new_text_key is None
        and (e.old_value or e.new_value)
        and is_free_text(e.action, e.field)
    }
    if not inline:
        return {}
    rows = db.session.scalars(
        select(Redaction).where(Redaction.case_id.in_(inline)).order_by(Redaction.id)
    )
    return {(r.case_id or 0, r.entity, r.field): r for r in rows}


def logged_events(events: Sequence[AuditEvent]) -> list[LoggedEvent]:
    """The events with their free text read back (one query for all their texts)."""
    texts = texts_by_key(k for e in events for k in (e.old_text_key, e.new_text_key))
    redactions = _inline_redactions(events)

    def value(stored: str | None, key: str | None) -> str | None:
        return texts.get(key, "") if key else stored

    def hidden(event: AuditEvent) -> str | None:
        """The redaction's words for inline free text redacted after the event, else None."""
        if (
            not redactions
            or event.action == "redact"
            or not is_free_text(event.action, event.field)
        ):
            return None
        found = redactions.get((event.case_id or 0, event.entity, event.field or ""))
        if found is None or found.redacted_at < event.occurred_at:
            return None
        return redaction_text(found)

    def read(event: AuditEvent) -> LoggedEvent:
        hide = hidden(event)
        old = value(event.old_value, event.old_text_key)
        new = value(event.new_value, event.new_text_key)
        return LoggedEvent(
            id=event.id,
            occurred_at=event.occurred_at,
            user_id=event.user_id,
            inspection_id=event.inspection_id,
            case_id=event.case_id,
            action=event.action,
            entity=event.entity,
            entity_id=event.entity_id,
            field=event.field,
            old_value=hide if hide and old else old,
            new_value=hide if hide and new else new,
        )

    return [read(event) for event in events]
