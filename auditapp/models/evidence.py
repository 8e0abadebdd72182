"""Evidence from beyond the case files, and the force's action plan on each recommendation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.domain.action_plans import ActionStatus
from auditapp.models.base import Base, utcnow
from auditapp.models.inspection import Recommendation

# Which recommendations an evidence entry evidences (many to many).
evidence_recommendation = Table(
    "evidence_recommendation",
    Base.metadata,
    Column("entry_id", ForeignKey("evidence_entry.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "recommendation_id",
        ForeignKey("recommendation.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class EvidenceEntry(Base):
    """A document examined, an interview or focus group held, or force data quoted."""

    __tablename__ = "evidence_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    held_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Figures quoted: [{"value": "48", "unit": "...", "as_of": "2022-09-09"}] (domain Figure).
    figures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    chapters: Mapped[list[str]] = mapped_column(default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]

    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=evidence_recommendation, order_by=Recommendation.position
    )


class ActionPlanItem(Base):
    """One action the force plans on one recommendation, owned by a role (never a name)."""

    __tablename__ = "action_plan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The inspection that follows the action up (a review follows its baseline's recommendations).
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.NOT_STARTED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recommendation: Mapped[Recommendation] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        order_by="(ActionUpdate.given_on, ActionUpdate.id)",
    )


class ActionUpdate(Base):
    """A dated update on an action: what the force reported or the inspectorate found."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_plan_item.id", ondelete="CASCADE"), index=True
    )
    given_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    # The status the update recorded (None: the status did not change).
    status: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped[ActionPlanItem] = relationship(back_populates="updates")
