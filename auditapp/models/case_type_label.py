"""A force's own case-type labels, mapped to the app's case types and remembered for next time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.models.base import Base, utcnow
from auditapp.models.question_set import CaseType


class CaseTypeLabel(Base):
    """One label of a force's case lists ("ppo", lower case) and the case type it means.

    Keyed by the inspection's force (its name as written on the inspection), so the next
    inspection of the same force is offered the same mapping.
    """

    __tablename__ = "case_type_label"
    __table_args__ = (UniqueConstraint("force", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    force: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(160))
    case_type_id: Mapped[int] = mapped_column(ForeignKey("case_type.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case_type: Mapped[CaseType] = relationship()
