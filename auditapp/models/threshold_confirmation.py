"""A lead's confirmation, for one inspection, of a question-set threshold marked unverified."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, utcnow


class ThresholdConfirmation(Base):
    """An unverified threshold ("OC10:low") of a question-set version, confirmed by a lead for
    one inspection: grades of that inspection's cases that use it are no longer provisional."""

    __tablename__ = "threshold_confirmation"
    __table_args__ = (
        UniqueConstraint(
            "inspection_id", "question_set_id", "threshold", name="uq_threshold_confirmation_once"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    question_set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"))
    threshold: Mapped[str] = mapped_column(String(100))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
