"""Leads' judgements on recommendation progress and on chapters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.models.base import Base, utcnow
from auditapp.models.enums import ProgressJudgement
from auditapp.models.inspection import Recommendation


class RecommendationJudgement(Base):
    """A review's judgement of progress on one baseline recommendation, with its narrative."""

    __tablename__ = "recommendation_judgement"
    __table_args__ = (UniqueConstraint("inspection_id", "recommendation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"))
    judgement: Mapped[str] = mapped_column(String(32), default=ProgressJudgement.NOT_ASSESSED)
    narrative: Mapped[str | None] = mapped_column(Text)
    # Baseline rate entered by the lead when the baseline was not audited in the app.
    baseline_rate: Mapped[float | None]
    baseline_source: Mapped[str | None] = mapped_column(Text)
    # How many cases the entered baseline rate came from (None: not said).
    baseline_cases: Mapped[int | None]
    judged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    judged_at: Mapped[datetime | None]

    recommendation: Mapped[Recommendation] = relationship()


class ChapterJudgement(Base):
    """A lead's override of the suggested judgement for a chapter, with a reason."""

    __tablename__ = "chapter_judgement"
    __table_args__ = (UniqueConstraint("inspection_id", "chapter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    chapter: Mapped[str] = mapped_column(String(120))
    judgement: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    judged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    judged_at: Mapped[datetime] = mapped_column(default=utcnow)
