"""Notifications: something a user is told about a case (no personal data, only what happened)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.models.base import Base, utcnow
from auditapp.models.case import Case
from auditapp.models.enums import NotificationKind


class Notification(Base):
    """One user told one thing about one case; read once they open it."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient_id_read_at", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()

    @property
    def is_read(self) -> bool:
        """True once the recipient has opened it."""
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        """What kind of notification it is, in words, e.g. "Urgent concern"."""
        return NotificationKind(self.kind).label
