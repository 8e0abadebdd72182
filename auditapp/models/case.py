"""Case files under audit, the samples they are drawn in, and their answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.domain.grades import Grade, figure_grade
from auditapp.models.base import Base, utcnow
from auditapp.models.enums import CaseStatus

if TYPE_CHECKING:
    from auditapp.models.inspection import Inspection
    from auditapp.models.question_set import CaseType, QuestionSet
    from auditapp.models.user import User


class SampleDraw(Base):
    """A reproducible random draw of cases of one type: seed, frame size and its one-step batch."""

    __tablename__ = "sample_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    case_type_id: Mapped[int] = mapped_column(ForeignKey("case_type.id"))
    seed: Mapped[int]
    frame_size: Mapped[int]
    requested: Mapped[str] = mapped_column(String(32))  # "5" or "10%"
    sample_size: Mapped[int]
    stratify_by: Mapped[str | None] = mapped_column(String(64))
    # The lead's one-step draw this belongs to (1, 2, ... per inspection): undone together.
    batch: Mapped[int]
    # Cases of the type were already in the sample when this was drawn.
    top_up: Mapped[bool] = mapped_column(default=False)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)

    case_type: Mapped[CaseType] = relationship()


class Case(Base):
    """A case file, known only by its pseudonymous reference: no personal details by design."""

    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("inspection_id", "reference"),
        Index("ix_case_inspection_status", "inspection_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    case_type_id: Mapped[int] = mapped_column(ForeignKey("case_type.id"), index=True)
    question_set_id: Mapped[int | None] = mapped_column(ForeignKey("question_set.id"))
    reference: Mapped[str] = mapped_column(String(64))
    case_date: Mapped[date | None]
    # Extra columns of the force's case list, for stratified sampling (never personal data).
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    in_sample: Mapped[bool] = mapped_column(default=False)
    sample_draw_id: Mapped[int | None] = mapped_column(ForeignKey("sample_draw.id"))
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.DRAFT)

    computed_grade: Mapped[str | None] = mapped_column(String(32))
    computed_explanation: Mapped[dict[str, Any] | None]
    proposed_grade: Mapped[str | None] = mapped_column(String(32))
    proposed_reason: Mapped[str | None] = mapped_column(Text)
    final_grade: Mapped[str | None] = mapped_column(String(32))
    returned_comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    moderated_at: Mapped[datetime | None]

    # A child found at current risk: makes the case inadequate and is raised with the force.
    current_risk: Mapped[bool] = mapped_column(default=False)
    current_risk_note: Mapped[str | None] = mapped_column(Text)
    current_risk_flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    current_risk_flagged_at: Mapped[datetime | None]
    current_risk_acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    current_risk_acknowledged_at: Mapped[datetime | None]
    current_risk_raised_at: Mapped[datetime | None]
    # What the acknowledging lead did about it, and when they did it (their words and time).
    current_risk_action: Mapped[str | None] = mapped_column(Text)
    current_risk_action_at: Mapped[datetime | None]

    is_case_study: Mapped[bool] = mapped_column(default=False)
    case_study_narrative: Mapped[str | None] = mapped_column(Text)

    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Optimistic locking: an UPDATE against a stale version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}

    inspection: Mapped[Inspection] = relationship()
    case_type: Mapped[CaseType] = relationship()
    question_set: Mapped[QuestionSet | None] = relationship()
    auditor: Mapped[User | None] = relationship(foreign_keys=[auditor_id])
    sample_draw: Mapped[SampleDraw | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )

    @property
    def is_submitted(self) -> bool:
        """Submitted or moderated cases are read-only for their auditor."""
        return self.status != CaseStatus.DRAFT

    @property
    def grade(self) -> Grade | None:
        """The grade the figures use: final where moderated, else proposed, else computed."""
        return figure_grade(self.status, self.computed_grade, self.proposed_grade, self.final_grade)


class Answer(Base):
    """One answer to one question of a case (round 1 = first audit, 2 = blind second audit)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("case_id", "audit_round", "question_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    audit_round: Mapped[int] = mapped_column(default=1)
    question_code: Mapped[str] = mapped_column(String(32))
    value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(back_populates="answers")


class QuestionOutcomeRow(Base):
    """Each question's outcome for a case as last graded: lets findings aggregate in SQL."""

    __tablename__ = "question_outcome"
    __table_args__ = (UniqueConstraint("case_id", "audit_round", "question_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    audit_round: Mapped[int] = mapped_column(default=1)
    question_code: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
