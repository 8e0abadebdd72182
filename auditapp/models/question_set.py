"""Case types and their versioned question sets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.domain.statuses import QuestionSetDraftStatus
from auditapp.models.base import Base, utcnow


class CaseType(Base):
    """A kind of case file, e.g. domestic abuse incident or missing child episode."""

    __tablename__ = "case_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    # "case" sets are graded; "dip_sample" sets only give per-question figures.
    kind: Mapped[str] = mapped_column(String(16), default="case")

    question_sets: Mapped[list[QuestionSet]] = relationship(
        back_populates="case_type", order_by="QuestionSet.version"
    )

    @property
    def graded(self) -> bool:
        """Its cases get a grade; a dip sample's cases only count in the figures per question."""
        return self.kind == "case"


class QuestionSet(Base):
    """One immutable version of a case type's questions, as imported from its YAML file."""

    __tablename__ = "question_set"
    __table_args__ = (UniqueConstraint("case_type_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type_id: Mapped[int] = mapped_column(ForeignKey("case_type.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    # The validated set as a plain dict: what the grading engine reads.
    definition: Mapped[dict[str, Any]]
    source_text: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    case_type: Mapped[CaseType] = relationship(back_populates="question_sets")
    questions: Mapped[list[Question]] = relationship(
        back_populates="question_set", cascade="all, delete-orphan", order_by="Question.position"
    )


class Question(Base):
    """A question of a set, one row each so findings can be aggregated in SQL."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("question_set_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    position: Mapped[int]
    section_title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    answer_type: Mapped[str] = mapped_column(String(16))
    graded: Mapped[bool] = mapped_column(default=True)
    critical: Mapped[bool] = mapped_column(default=False)
    weight: Mapped[float] = mapped_column(default=1.0)
    recommendation_codes: Mapped[list[str]] = mapped_column(default=list)

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")


class QuestionSetDraft(Base):
    """A question set being prepared: changed freely, never used for cases, published once.

    Drafts live apart from ``question_set`` so that table holds only immutable versions: no
    case, inspection or cached parse can ever point at a draft. Publishing copies the draft
    into the next version; the draft is kept, unchanged from then on, as its history.
    """

    __tablename__ = "question_set_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=QuestionSetDraftStatus.DRAFT)
    # The data a question-set file parses to: a valid set, or settings with no sections yet.
    definition: Mapped[dict[str, Any]]
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("question_set.id"))
    published_id: Mapped[int | None] = mapped_column(ForeignKey("question_set.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The inspection whose leads may change the draft (None: admins only). Admins publish.
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)

    based_on: Mapped[QuestionSet | None] = relationship(foreign_keys=[based_on_id])
    published: Mapped[QuestionSet | None] = relationship(foreign_keys=[published_id])

    @property
    def is_open(self) -> bool:
        """Return True while the draft may still be edited, published or discarded."""
        return self.status == QuestionSetDraftStatus.DRAFT

    @property
    def case_type_slug(self) -> str:
        """Return the case type the draft is for, as its data names it."""
        return str(self.definition.get("case_type", ""))
