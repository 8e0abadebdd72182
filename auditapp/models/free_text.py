"""Free text kept apart from the audit log, so that it can be erased while every event stays.

An audit event that records a note, a reason or a narrative holds, instead of the text, a key
into ``free_text`` and a salted digest of the text (in its value column). The hash chain covers
the key and the digest, never the text. Redacting erases the text and its salt (the digest of
an unknown salt tells nothing about the text) and names the ``redaction`` that did it; the
event, its key, its digest and its chain link stay exactly as written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, utcnow


class Redaction(Base):
    """A lead erased a free text (every version of it) from everywhere, with a reason."""

    __tablename__ = "redaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    # What was redacted: the audit log's entity and field of the text ("answer", "DA02").
    entity: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    redacted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    redacted_by_name: Mapped[str] = mapped_column(String(200))
    redacted_at: Mapped[datetime] = mapped_column(default=utcnow)


class FreeText(Base):
    """One free text an audit event refers to: the text and its salt until it is redacted."""

    __tablename__ = "free_text"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    salt: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str | None] = mapped_column(Text)
    redaction_id: Mapped[int | None] = mapped_column(ForeignKey("redaction.id"), index=True)
