"""A lead redacts free text of an inspection's evidence log and action plan (not of a case).

What can be redacted is a *target*: an evidence entry's source, description or figures
("evidence-7-description"), an action's wording or owner ("action-3-owner"), one dated update
("update-12"), a recommendation's narrative or baseline source ("narrative-4", "baseline-4"), a
chapter judgement's reason ("chapter-2"), or everything a deleted evidence entry, action (with
its updates) or cleared chapter judgement said, which only the audit log still holds
("deleted-evidence_entry-7", "deleted-action_plan_item-3", "deleted-chapter_judgement-Initial
contact"). As for a case (``services/redaction.py``), redacting it overwrites the text with
"Redacted by NAME on DATE: REASON", erases every version the audit log kept apart (an entry's or
action's added and deleted summaries hold all its texts, so they are erased too; the events,
digests and chain links stay), and records a ``redact`` event whose reason is kept apart.
Only a lead of the inspection may redact.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from auditapp.domain.evidence import Figure
from auditapp.extensions import db
from auditapp.models import (
    ActionPlanItem,
    ActionUpdate,
    AuditEvent,
    ChapterJudgement,
    EvidenceEntry,
    FreeText,
    Inspection,
    RecommendationJudgement,
    Redaction,
    User,
    utcnow,
)
from auditapp.permissions import NotAllowed, is_lead
from auditapp.services.audit_log import record_event
from auditapp.services.free_texts import redaction_text
from auditapp.services.redaction import RedactionError, clean_reason, inline_warning

_ENTRY_FIELDS = {"source": "source", "description": "description", "figures": "figures"}
_ACTION_FIELDS = {"description": "wording", "owner": "owner"}
_JUDGEMENT_FIELDS = {"narrative": "Narrative", "baseline_source": "Source of the baseline rate"}
_DELETED = "deleted"


_ENTITIES: dict[type, str] = {
    EvidenceEntry: "evidence_entry",
    ActionPlanItem: "action_plan_item",
    ActionUpdate: "action_plan_item",
    RecommendationJudgement: "recommendation_judgement",
    ChapterJudgement: "chapter_judgement",
}


@dataclass(frozen=True)
class DeletedRow:
    """An evidence entry, action or chapter judgement deleted: only its events hold its text."""

    entity: str  # the audit log's entity: "evidence_entry", "action_plan_item", ...
    entity_id: str
    keys: tuple[str, ...]  # every kept-apart version of its texts not yet erased


@dataclass(frozen=True)
class InspectionText:
    """One free text of the evidence log or action plan a lead may redact."""

    target: str  # "evidence-7-description", "action-3-owner", "update-12", "chapter-2"
    label: str
    text: str
    row: Any  # the row that holds it: an EvidenceEntry, ActionPlanItem, ..., or a DeletedRow
    field: str
    # Events written before free text was kept apart that hold it inline (see redaction.py).
    inline_events: int = 0

    @property
    def inline_warning(self) -> str | None:
        """What the lead is told about the older entries a redaction cannot erase, if any."""
        return inline_warning(self.inline_events)


def _redacted(text: str | None) -> bool:
    return not text or text.startswith("Redacted by ")


def redactable_texts(inspection: Inspection) -> list[InspectionText]:
    """Every free text of the inspection's evidence log and action plan not yet redacted."""
    found: list[InspectionText] = []
    entries = db.session.scalars(
        select(EvidenceEntry)
        .where(EvidenceEntry.inspection_id == inspection.id)
        .order_by(EvidenceEntry.held_on, EvidenceEntry.id)
    )
    for entry in entries:
        held = f"{entry.held_on:%-d %B %Y}"
        for name, words in _ENTRY_FIELDS.items():
            value = _figures_text(entry) if name == "figures" else getattr(entry, name)
            if not _redacted(value):
                label = f"Evidence of {held}: its {words}"
                found.append(
                    InspectionText(f"evidence-{entry.id}-{name}", label, value, entry, name)
                )
    items = db.session.scalars(
        select(ActionPlanItem)
        .where(ActionPlanItem.inspection_id == inspection.id)
        .order_by(ActionPlanItem.id)
    )
    for item in items:
        code = item.recommendation.code
        for name, words in _ACTION_FIELDS.items():
            value = getattr(item, name)
            if not _redacted(value):
                label = f"Action on {code}: its {words}"
                found.append(InspectionText(f"action-{item.id}-{name}", label, value, item, name))
        for given in item.updates:
            if not _redacted(given.text):
                label = f"Update of {given.given_on:%-d %B %Y} on an action on {code}"
                found.append(InspectionText(f"update-{given.id}", label, given.text, given, "text"))
    judged = db.session.scalars(
        select(RecommendationJudgement)
        .where(RecommendationJudgement.inspection_id == inspection.id)
        .order_by(RecommendationJudgement.id)
    )
    for rec_row in judged:
        for name, words in _JUDGEMENT_FIELDS.items():
            value = getattr(rec_row, name)
            if not _redacted(value):
                label = f"{words} on {rec_row.recommendation.code}"
                prefix = "narrative" if name == "narrative" else "baseline"
                found.append(
                    InspectionText(f"{prefix}-{rec_row.id}", label, value or "", rec_row, name)
                )
    chapters = db.session.scalars(
        select(ChapterJudgement)
        .where(ChapterJudgement.inspection_id == inspection.id)
        .order_by(ChapterJudgement.id)
    )
    for chapter in chapters:
        if not _redacted(chapter.reason):
            label = f"Reason for the judgement of the chapter {chapter.chapter}"
            found.append(
                InspectionText(f"chapter-{chapter.id}", label, chapter.reason, chapter, "reason")
            )
    found.extend(_deleted_texts(inspection))
    inline = _inline_counts(inspection)
    return [replace(text, inline_events=inline[_logged_as(text)]) for text in found]


# The judgements' free text that events written before migration 0013 hold inline: a
# recommendation's narrative and baseline source, a chapter judgement's "judgement: reason".
# (The evidence log and the action plan came after 0013: their events never hold it inline.)
_INLINE_TEXTS = or_(
    and_(
        AuditEvent.action == "record_judgement",
        AuditEvent.field.in_(list(_JUDGEMENT_FIELDS)),
    ),
    AuditEvent.action == "record_chapter_judgement",
)


def _logged_as(text: InspectionText) -> tuple[str, str, str]:
    """The (entity, entity id, field) its events record the text under."""
    row = text.row
    if isinstance(row, RecommendationJudgement):
        return "recommendation_judgement", row.recommendation.code, text.field
    if isinstance(row, ChapterJudgement):
        return "chapter_judgement", row.chapter, "judgement"
    if isinstance(row, DeletedRow) and row.entity == "chapter_judgement":
        return row.entity, row.entity_id, "judgement"
    return "", "", ""  # never inline


def _inline_counts(inspection: Inspection) -> Counter[tuple[str, str, str]]:
    """How many events of payload version 1 hold each judgement's text inline (one query)."""
    rows = db.session.execute(
        select(AuditEvent.entity, AuditEvent.entity_id, AuditEvent.field).where(
            AuditEvent.inspection_id == inspection.id,
            _INLINE_TEXTS,
            AuditEvent.old_text_key.is_(None),
            AuditEvent.new_text_key.is_(None),
            or_(AuditEvent.old_value.is_not(None), AuditEvent.new_value.is_not(None)),
        )
    ).all()
    return Counter((entity, entity_id or "", field or "") for entity, entity_id, field in rows)


def _figures_text(entry: EvidenceEntry) -> str:
    """The entry's figures, one a line, as written ("" for none, or once redacted)."""
    figures = [Figure.from_json(figure) for figure in entry.figures]
    if all(_redacted(figure.unit) for figure in figures):
        return ""
    return "\n".join(figure.text for figure in figures)


# A deleted row's label, and the event whose last version shows what it said.
_DELETED_LABELS = {
    "evidence_entry": ("Deleted evidence entry", "evidence_deleted"),
    "action_plan_item": ("Deleted action (with its updates)", "action_deleted"),
    "chapter_judgement": ("Cleared judgement of the chapter", "record_chapter_judgement"),
}


def _live_ids(inspection: Inspection) -> dict[str, set[str]]:
    """The entity ids of the rows that still exist, by the audit log's entity."""
    return {
        "evidence_entry": {
            str(i)
            for i in db.session.scalars(
                select(EvidenceEntry.id).where(EvidenceEntry.inspection_id == inspection.id)
            )
        },
        "action_plan_item": {
            str(i)
            for i in db.session.scalars(
                select(ActionPlanItem.id).where(ActionPlanItem.inspection_id == inspection.id)
            )
        },
        "chapter_judgement": set(
            db.session.scalars(
                select(ChapterJudgement.chapter).where(
                    ChapterJudgement.inspection_id == inspection.id
                )
            )
        ),
    }


def _readable(body: str) -> str:
    """A kept summary ("{'source': ..., 'description': ...}") as the words typed in it."""
    try:
        summary = ast.literal_eval(body)  # literals only: a summary is a dict of plain values
    except (ValueError, SyntaxError):
        return body
    if not isinstance(summary, dict):
        return body
    typed = ("source", "description", "figures", "action", "owner", "text")
    parts = []
    for name in typed:
        value = summary.get(name)
        if isinstance(value, list):
            value = "; ".join(str(item) for item in value)
        if value:
            parts.append(f"{name.capitalize()}: {value}")
    return ". ".join(parts) or body


def _deleted_texts(inspection: Inspection) -> list[InspectionText]:
    """Each deleted row whose texts its audit events still keep apart (not yet erased)."""
    live = _live_ids(inspection)
    rows = db.session.execute(
        select(
            AuditEvent.entity, AuditEvent.entity_id, AuditEvent.action, FreeText.key, FreeText.body
        )
        .join(
            AuditEvent,
            or_(FreeText.key == AuditEvent.old_text_key, FreeText.key == AuditEvent.new_text_key),
        )
        .where(
            AuditEvent.inspection_id == inspection.id,
            AuditEvent.case_id.is_(None),
            AuditEvent.entity.in_(list(_DELETED_LABELS)),
            AuditEvent.action != "redact",
            FreeText.body.is_not(None),
        )
        .order_by(AuditEvent.id)
    ).all()
    kept: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for entity, entity_id, action, key, body in rows:
        if entity_id is not None and entity_id not in live[entity]:
            kept.setdefault((entity, entity_id), []).append((action, key, body or ""))
    found = []
    for (entity, entity_id), versions in kept.items():
        label, shown = _DELETED_LABELS[entity]
        if entity == "chapter_judgement":
            label = f"{label} {entity_id}"
        bodies = [body for action, _key, body in versions if action == shown and body]
        text = _readable((bodies or [versions[-1][2]])[-1])
        row = DeletedRow(entity, entity_id, tuple(key for _action, key, _body in versions))
        found.append(InspectionText(f"{_DELETED}-{entity}-{entity_id}", label, text, row, _DELETED))
    return found


def find_redactable(inspection: Inspection, target: str) -> InspectionText | None:
    """The inspection's redactable text named ``target``, or None."""
    return next((t for t in redactable_texts(inspection) if t.target == target), None)


def _logged_keys(inspection: Inspection, text: InspectionText) -> list[str]:
    """The keys of every version of the text the audit log kept apart."""
    row = text.row
    if isinstance(row, DeletedRow):  # every version of everything it said
        return list(row.keys)
    actions: tuple[str, ...]
    changed: ColumnElement[bool]
    entity_id: Any
    if isinstance(row, RecommendationJudgement):
        entity, actions = "recommendation_judgement", ()
        changed = and_(AuditEvent.action == "record_judgement", AuditEvent.field == text.field)
        entity_id = row.recommendation.code
    elif isinstance(row, ChapterJudgement):  # its events hold "judgement: reason"
        entity = "chapter_judgement"
        actions = ("record_chapter_judgement", "clear_chapter_judgement")
        changed = AuditEvent.id.is_(None)
        entity_id = row.chapter
    elif isinstance(row, EvidenceEntry):
        entity, actions = "evidence_entry", ("evidence_added", "evidence_deleted")
        changed = and_(AuditEvent.action == "evidence_changed", AuditEvent.field == text.field)
        entity_id = row.id
    elif isinstance(row, ActionPlanItem):
        entity, actions = "action_plan_item", ("action_added", "action_deleted")
        changed = and_(AuditEvent.action == "action_changed", AuditEvent.field == text.field)
        entity_id = row.id
    else:  # an update: its event names the action; its kept text names the update's words
        entity, actions = "action_plan_item", ("action_update_added",)
        changed = AuditEvent.id.is_(None)  # no such event
        entity_id = row.action_id
    match = and_(
        AuditEvent.inspection_id == inspection.id,
        AuditEvent.entity == entity,
        AuditEvent.entity_id == str(entity_id),
        or_(AuditEvent.action.in_(actions), changed),
    )
    rows = db.session.execute(
        select(FreeText.key, FreeText.body)
        .join(
            AuditEvent,
            or_(FreeText.key == AuditEvent.old_text_key, FreeText.key == AuditEvent.new_text_key),
        )
        .where(match, FreeText.body.is_not(None))
    ).all()
    if isinstance(row, ActionUpdate):  # only the versions that hold this update's words
        words = f"'text': {row.text!r}"
        return [key for key, body in rows if words in (body or "")]
    return [key for key, _body in rows]


def redact(inspection: Inspection, lead: User, target: str, reason: str | None) -> Redaction:
    """Redact every version of one free text of the evidence log or action plan.

    NotAllowed for anyone but a lead of the inspection; RedactionError for a missing reason,
    a reason that seems to hold personal data, or a text that is not there to redact.
    """
    if not is_lead(lead, inspection.id):
        raise NotAllowed("only a lead of the inspection redacts text")
    cleaned = clean_reason(reason)
    text = find_redactable(inspection, target)
    if text is None:
        raise RedactionError("There is no such text in this inspection to redact")
    row = text.row
    entity = row.entity if isinstance(row, DeletedRow) else _ENTITIES[type(row)]
    redaction = Redaction(
        inspection_id=inspection.id,
        case_id=None,
        entity=entity,
        field=text.field,
        reason=cleaned,
        redacted_by_id=lead.id,
        redacted_by_name=lead.name,
        redacted_at=utcnow(),
    )
    db.session.add(redaction)
    db.session.flush()
    keys = _logged_keys(inspection, text)  # before the overwrite: an update's words find them
    words = redaction_text(redaction)
    if isinstance(row, EvidenceEntry) and text.field == "figures":  # the numbers and dates stay
        row.figures = [{**figure, "unit": words} for figure in row.figures]
    elif not isinstance(row, DeletedRow):
        setattr(row, text.field, words)
    if keys:
        db.session.execute(
            update(FreeText)
            .where(FreeText.key.in_(keys), FreeText.body.is_not(None))
            .values(body=None, salt=None, redaction_id=redaction.id),
            execution_options={"synchronize_session": False},
        )
    record_event(
        "redact",
        entity,
        user=lead,
        entity_id=redaction.id,
        inspection_id=inspection.id,
        field=text.field,
        new=cleaned,
        free_text=True,
    )
    db.session.flush()
    return redaction
