"""Inspections, their members and the recommendations they make."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.domain.recommendations import DEFAULT_MIN_CASES
from auditapp.models.base import Base, utcnow
from auditapp.models.enums import InspectionKind, InspectionRole, RecommendationKind

if TYPE_CHECKING:
    from auditapp.models.question_set import CaseType, QuestionSet
    from auditapp.models.user import User


class Inspection(Base):
    """One inspection of one force, e.g. the 2021 NCPI or its 2022 post-inspection review."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    force: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default=InspectionKind.FULL)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    # The day the inspection's report was published: its recommendations' timescales run from it.
    published_on: Mapped[date | None]
    baseline_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    # Thresholds of the chapter-judgement rule, None = documented defaults.
    chapter_rule: Mapped[dict[str, Any] | None]
    # The fewest cases on each side a suggested progress judgement may speak on.
    progress_min_cases: Mapped[int] = mapped_column(
        default=DEFAULT_MIN_CASES, server_default=str(DEFAULT_MIN_CASES)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    baseline: Mapped[Inspection | None] = relationship(remote_side=[id])
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="inspection",
        cascade="all, delete-orphan",
        order_by="Recommendation.position",
    )
    question_set_choices: Mapped[list[InspectionQuestionSet]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Inspection {self.id}>"


class Membership(Base):
    """A user's role in one inspection; membership decides what a user can see."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=InspectionRole.AUDITOR)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Recommendation(Base):
    """A recommendation or area for improvement made by an inspection."""

    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("inspection_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(32), default=RecommendationKind.RECOMMENDATION)
    chapter: Mapped[str] = mapped_column(String(120))
    timescale: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    sub_points: Mapped[list[str]] = mapped_column(default=list)
    source: Mapped[str | None] = mapped_column(Text)

    inspection: Mapped[Inspection] = relationship(back_populates="recommendations")


class InspectionQuestionSet(Base):
    """The question-set version an inspection audits a case type against."""

    __tablename__ = "inspection_question_set"
    __table_args__ = (UniqueConstraint("inspection_id", "case_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    case_type_id: Mapped[int] = mapped_column(ForeignKey("case_type.id"))
    question_set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"))

    inspection: Mapped[Inspection] = relationship(back_populates="question_set_choices")
    case_type: Mapped[CaseType] = relationship()
    question_set: Mapped[QuestionSet] = relationship()
