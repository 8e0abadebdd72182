"""Chapter judgements: the chapters of the report, each one's suggested judgement from its key
questions under the inspection's rule, and the lead's overrides and rule changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from auditapp.domain.recommendations import (
    ChapterGrade,
    ChapterRule,
    ChapterSuggestion,
    KeyQuestionRate,
    suggest_chapter,
)
from auditapp.extensions import db
from auditapp.models import ChapterJudgement, Inspection, User, utcnow
from auditapp.services.audit_log import record_event
from auditapp.services.findings import queries
from auditapp.services.findings.errors import FindingsError
from auditapp.services.findings.questions import (
    QuestionFinding,
    QuestionSetFindings,
    question_findings,
)


@dataclass(frozen=True)
class ChapterFinding:
    """A chapter's suggested judgement, and the lead's override if any."""

    chapter: str
    suggestion: ChapterSuggestion
    override: str | None
    override_reason: str
    judged_by: str | None
    judged_at: datetime | None

    @property
    def judgement(self) -> ChapterGrade | None:
        """Return the judgement that stands: the lead's override, else the suggestion."""
        return ChapterGrade(self.override) if self.override else self.suggestion.judgement

    @property
    def judgement_label(self) -> str:
        """Return the judgement that stands in words ("Not enough evidence" when none)."""
        judgement = self.judgement
        return judgement.label if judgement else self.suggestion.label


@dataclass(frozen=True)
class ChapterFindings:
    """Every chapter's judgement under the inspection's rule."""

    inspection_id: int
    rule: ChapterRule
    chapters: tuple[ChapterFinding, ...]


def chapter_rule(inspection: Inspection) -> ChapterRule:
    """The inspection's chapter rule (documented defaults when none is stored)."""
    return ChapterRule.from_dict(inspection.chapter_rule)


def chapter_map(
    inspection: Inspection, sets: Iterable[QuestionSetFindings]
) -> dict[str, list[QuestionFinding]]:
    """Chapters in report order, each with its key questions.

    With a baseline, chapters are its recommendations' chapters and a chapter's key questions
    are those linked to one of its recommendations. Without one, each case type is a chapter
    and its critical questions are the key questions.
    """
    sets = list(sets)
    chapters: dict[str, list[QuestionFinding]] = {}
    if inspection.baseline_id is not None:
        recs = queries.rows(queries.recommendation_chapters_statement(inspection.baseline_id))
        chapter_of = {rec.code: rec.chapter for rec in recs}
        for rec in recs:
            chapters.setdefault(rec.chapter, [])
        for found in sets:
            for question in found.questions:
                for chapter in dict.fromkeys(
                    chapter_of[c] for c in question.recommendation_codes if c in chapter_of
                ):
                    chapters[chapter].append(question)
    if not chapters:
        for found in sets:
            if found.kind == "case":
                chapters[found.case_type_name] = [q for q in found.questions if q.critical]
    return chapters


def chapter_findings(inspection: Inspection) -> ChapterFindings:
    """Suggested chapter judgements with their deciding questions, and any overrides."""
    rule = chapter_rule(inspection)
    sets = question_findings(inspection.id)
    set_names = {found.question_set_id: found.case_type_name for found in sets}
    overrides = {
        row.ChapterJudgement.chapter: (row.ChapterJudgement, row.judged_by)
        for row in db.session.execute(
            select(ChapterJudgement, User.name.label("judged_by"))
            .outerjoin(User, User.id == ChapterJudgement.judged_by_id)
            .where(ChapterJudgement.inspection_id == inspection.id)
        ).all()
    }
    chapters = []
    for chapter, questions in chapter_map(inspection, sets).items():
        keys = [
            KeyQuestionRate(set_names[q.question_set_id], q.code, q.text, q.met, q.applicable)
            for q in questions
        ]
        override, judged_by = overrides.get(chapter, (None, None))
        chapters.append(
            ChapterFinding(
                chapter=chapter,
                suggestion=suggest_chapter(chapter, keys, rule),
                override=override.judgement if override else None,
                override_reason=override.reason if override else "",
                judged_by=judged_by,
                judged_at=override.judged_at if override else None,
            )
        )
    return ChapterFindings(inspection.id, rule, tuple(chapters))


def record_chapter_judgement(
    inspection: Inspection, chapter: str, by: User, *, judgement: str | None, reason: str
) -> ChapterJudgement | None:
    """Override a chapter's suggested judgement with a reason, or clear the override.

    ``judgement`` None removes the override (the suggestion stands again). Audit-logged.
    """
    row = db.session.scalar(
        select(ChapterJudgement).where(
            ChapterJudgement.inspection_id == inspection.id, ChapterJudgement.chapter == chapter
        )
    )
    old = row.judgement if row else None
    if judgement is None:
        if row is not None:
            db.session.delete(row)
            record_event(
                "clear_chapter_judgement",
                "chapter_judgement",
                user=by,
                entity_id=chapter,
                inspection_id=inspection.id,
                field="judgement",
                old=old,
                new=None,
                free_text=True,
            )
        db.session.flush()
        return None
    ChapterGrade(judgement)
    if not reason.strip():
        raise FindingsError("give a reason for the judgement")
    if row is None:
        row = ChapterJudgement(inspection_id=inspection.id, chapter=chapter, judgement=judgement)
        db.session.add(row)
    row.judgement = judgement
    row.reason = reason.strip()
    row.judged_by_id = by.id
    row.judged_at = utcnow()
    record_event(
        "record_chapter_judgement",
        "chapter_judgement",
        user=by,
        entity_id=chapter,
        inspection_id=inspection.id,
        field="judgement",
        old=old,
        new=f"{judgement}: {row.reason}",
        free_text=True,  # the lead's reason: kept apart from the event, so it can be redacted
    )
    db.session.flush()
    return row


def update_chapter_rule(inspection: Inspection, by: User, rule: ChapterRule) -> None:
    """Store the inspection's chapter rule (switch it on or off, thresholds), audit-logged."""
    old = inspection.chapter_rule
    inspection.chapter_rule = rule.to_dict()
    record_event(
        "update_chapter_rule",
        "inspection",
        user=by,
        entity_id=inspection.id,
        inspection_id=inspection.id,
        field="chapter_rule",
        old=old,
        new=rule.to_dict(),
    )
    db.session.flush()
