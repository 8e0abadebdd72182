"""The append-only audit event log: who did what, when, with old and new values; its hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from auditapp.models import audit_chain  # noqa: F401 - SQLite connections get the chain functions
from auditapp.models.base import Base, utcnow
from auditapp.models.free_text import FreeText  # noqa: F401 - the text keys' table


class AuditLogError(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


class AuditEvent(Base):
    """One recorded change. Rows are only ever inserted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_case_occurred", "case_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    # Free text (a note, a reason): the value column holds the text's salted digest and these
    # its key in free_text, where it can be redacted (payload version 2; auditapp/models/
    # free_text.py).
    old_text_key: Mapped[str | None] = mapped_column(ForeignKey("free_text.key"))
    new_text_key: Mapped[str | None] = mapped_column(ForeignKey("free_text.key"))


class AuditChainLink(Base):
    """An event's link in the hash chain, written by the database's trigger (migration 0003).

    The application only reads links (``flask audit-log verify``); on PostgreSQL its role may
    not even insert them. ``seq`` is the chain's order, given under a lock, 1, 2, 3, …;
    see auditapp/models/audit_chain.py for the hashed payload.
    """

    __tablename__ = "audit_chain"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id"), unique=True)
    payload_version: Mapped[int] = mapped_column(SmallInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


APPEND_ONLY = (AuditEvent, AuditChainLink)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """The application may add audit events, never alter or delete them."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY):
            raise AuditLogError("audit events are append-only")
    if any(isinstance(obj, AuditChainLink) for obj in session.new):
        raise AuditLogError("chain links are written by the database, never by the app")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    """Bulk `update(AuditEvent)` / `delete(AuditEvent)` statements skip the flush: refuse them."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in APPEND_ONLY for mapper in state.all_mappers
    ):
        raise AuditLogError("audit events are append-only")
