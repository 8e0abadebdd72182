"""The evidence log and the force's action plan as items of the Word draft, by chapter.

Read through the one reader of each (``entries_for_report``, ``actions_for_report``). An entry
goes in every chapter it evidences: the chapters of its recommendations and those it names;
with none, in the introduction. An action goes in its recommendation's chapter.
"""

from __future__ import annotations

from auditapp.exports.docx.content import ReportItem
from auditapp.models import Inspection
from auditapp.services import action_plans, evidence_log
from auditapp.services.action_plans import ReportAction
from auditapp.services.evidence_log import ReportEvidence


def _day(value: object) -> str:
    return f"{value:%-d %B %Y}"


def _entry_text(entry: ReportEvidence) -> str:
    text = f"{entry.kind_label}, {entry.source} ({_day(entry.held_on)}): {entry.description}"
    if entry.figures:
        text += " Figures: " + "; ".join(entry.figure_texts) + "."
    if entry.recommendation_codes:
        text += f" Evidences {', '.join(entry.recommendation_codes)}."
    return text


def _action_text(action: ReportAction) -> str:
    due = f"due {_day(action.due)}" if action.due else "no due date"
    text = (
        f"{action.recommendation_code}: {action.description} Owner: {action.owner}; {due}"
        f"{' (overdue)' if action.overdue else ''}; {action.status_label.lower()}."
    )
    if action.updates:
        latest = action.updates[-1]
        text += f" Latest update, {_day(latest.given_on)}: {latest.text}"
    return text


def evidence_items(inspection: Inspection) -> list[ReportItem]:
    """Each evidence-log entry once per chapter it evidences (the introduction if none)."""
    chapter_of = {
        rec.code: rec.chapter for rec in evidence_log.recommendations_followed(inspection)
    }
    items = []
    for entry in evidence_log.entries_for_report(inspection):
        from_recs = [chapter_of[c] for c in entry.recommendation_codes if c in chapter_of]
        chapters: list[str | None] = list(dict.fromkeys([*from_recs, *entry.chapters]))
        source = (
            f"Evidence log, entry {entry.id}: {entry.kind_label.lower()}, {_day(entry.held_on)}"
        )
        for chapter in chapters or [None]:
            items.append(ReportItem(_entry_text(entry), chapter=chapter, source=source))
    return items


def action_items(inspection: Inspection) -> list[ReportItem]:
    """Each action of the force's plan, under its recommendation."""
    return [
        ReportItem(
            _action_text(action),
            recommendation=action.recommendation_code,
            source=f"Action plan, action {action.id}: {action.due_reason}",
        )
        for action in action_plans.actions_for_report(inspection)
    ]
