"""The demo holds evidence-log entries and actions taken from the reference review, once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
from flask import Flask
from sqlalchemy import func, select

from auditapp.domain.action_plans import ActionStatus
from auditapp.extensions import db
from auditapp.models import ActionPlanItem, EvidenceEntry, Inspection
from auditapp.services import action_plans, evidence_log
from auditapp.services.demo import REVIEW_TITLE, load_demo


def _review() -> Inspection:
    return db.session.scalars(select(Inspection).where(Inspection.title == REVIEW_TITLE)).one()


def test_the_demo_quotes_the_reviews_figures_and_tracks_the_forces_actions() -> None:
    load_demo()
    db.session.commit()
    review = _review()

    figures = {
        (f.value, f.unit)
        for entry in evidence_log.entries_for_report(review)
        for f in entry.figures
    }
    assert {
        (Decimal(47), "cases not progressed in the past year"),
        (Decimal(300), "cases waiting to be uploaded"),
        (Decimal(2), "high-priority cases awaiting activity"),
        (Decimal(48), "medium-priority cases where the suspect hadn't yet been visited"),
        (Decimal(56), "low-priority cases where the suspect hadn't yet been visited"),
    } <= figures

    plan = action_plans.actions_for_report(review, today=date(2022, 9, 9))
    by_code = {(a.recommendation_code, a.status) for a in plan}
    assert ("R1", ActionStatus.VERIFIED) in by_code
    assert ("R2", ActionStatus.DONE) in by_code
    overdue = {a.recommendation_code for a in plan if a.overdue}
    assert overdue == {"R6", "R9"}  # still open at the review, past "immediately"/six months


def test_loading_the_demo_twice_adds_no_second_copy() -> None:
    load_demo()
    db.session.commit()
    counts = (
        db.session.scalar(select(func.count(EvidenceEntry.id))),
        db.session.scalar(select(func.count(ActionPlanItem.id))),
    )
    load_demo()
    db.session.commit()
    assert counts == (
        db.session.scalar(select(func.count(EvidenceEntry.id))),
        db.session.scalar(select(func.count(ActionPlanItem.id))),
    )
    assert counts[0] and counts[1]


def test_the_word_draft_puts_the_demo_evidence_and_actions_in_their_chapters(
    app: Flask, tmp_path: Path
) -> None:
    load_demo()
    db.session.commit()
    out = tmp_path / "draft.docx"
    result = app.test_cli_runner().invoke(
        args=["export", str(_review().id), "--format", "docx", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    paragraphs = docx.Document(str(out)).paragraphs

    def chapter_and_section_of(text: str) -> tuple[str, str]:
        index = next(i for i, p in enumerate(paragraphs) if text in p.text)
        before = list(reversed(paragraphs[:index]))
        chapter = next(p.text for p in before if p.style.name == "Heading 1")
        section = next(p.text for p in before if p.style.name == "Heading 2")
        return chapter, section

    assert chapter_and_section_of("47 cases not progressed in the past year") == (
        "Investigation",
        "Evidence from beyond the case files",
    )
    assert chapter_and_section_of("R6: Add three investigators") == (
        "Investigation",
        "The force's action plan",
    )
    assert chapter_and_section_of("Custody officers believed") == (
        "Police detention",
        "Evidence from beyond the case files",
    )
