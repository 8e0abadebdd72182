"""Moderation decisions, policies and blind second audits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.models.base import Base, utcnow
from auditapp.models.case import Case
from auditapp.models.enums import SecondAuditStatus
from auditapp.models.user import User


class ModerationDecision(Base):
    """A lead's decision on a submitted case: agree, change (with reason) or return."""

    __tablename__ = "moderation_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(16))
    grade_before: Mapped[str | None] = mapped_column(String(32))
    grade_after: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()
    lead: Mapped[User] = relationship()


class ModerationPolicy(Base):
    """Which submitted cases a lead must moderate in one inspection."""

    __tablename__ = "moderation_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), unique=True)
    all_inadequate: Mapped[bool] = mapped_column(default=True)
    all_disagreements: Mapped[bool] = mapped_column(default=True)
    min_percent_per_auditor: Mapped[int] = mapped_column(default=20)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SecondAudit(Base):
    """A blind second audit of a case by another auditor (answers in audit_round 2)."""

    __tablename__ = "second_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=SecondAuditStatus.IN_PROGRESS)
    computed_grade: Mapped[str | None] = mapped_column(String(32))
    proposed_grade: Mapped[str | None] = mapped_column(String(32))
    proposed_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_grade: Mapped[str | None] = mapped_column(String(32))
    resolution_note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()
    auditor: Mapped[User] = relationship(foreign_keys=[auditor_id])


class AnswerReconciliation(Base):
    """A lead's decision on one question where a first and a blind second audit differ.

    ``source`` says which answer stands: the first audit's, the second's, or one the lead
    entered (``value``, the stored answer either way). The two audits' own answers never change,
    so the agreement figures keep comparing them.
    """

    __tablename__ = "answer_reconciliation"
    __table_args__ = (UniqueConstraint("second_audit_id", "question_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    second_audit_id: Mapped[int] = mapped_column(ForeignKey("second_audit.id"), index=True)
    question_code: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
