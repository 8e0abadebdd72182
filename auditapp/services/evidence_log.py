"""The evidence log: documents examined, interviews, focus groups, meetings, force data quoted.

Auditors and leads of the inspection add, change and delete entries; every change is in the
audit log, its free text kept apart (``free_text=True``) so a lead can redact it. Free text
that looks like personal data is refused (``refuse_personal_data``).
``entries_for_report`` is the one reader the pages, the API, the exports and the Word draft use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auditapp.domain.evidence import EvidenceKind, Figure
from auditapp.extensions import db
from auditapp.models import (
    EvidenceEntry,
    Inspection,
    InspectionRole,
    Recommendation,
    User,
    evidence_recommendation,
    utcnow,
)
from auditapp.permissions import NotVisible, checked_role
from auditapp.services.audit_log import record_event
from auditapp.services.personal_data import PersonalDataInText, check_free_text

EDITORS = (InspectionRole.LEAD, InspectionRole.AUDITOR)
SOURCE_MAX = 200
DESCRIPTION_MAX = 5000
# An entry's fields written in someone's own words: their versions are kept apart in the log.
FREE_TEXT = frozenset({"source", "description", "figures"})


class EvidenceError(ValueError):
    """An entry the log cannot take; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def refuse_personal_data(text: str, what: str, field: str) -> None:
    """EvidenceError (naming ``field``) when the text seems to hold personal data.

    The one check of free text (``services/personal_data.check_free_text``), as the forms'
    ``NoPersonalData``; nothing is saved or logged when it refuses.
    """
    try:
        check_free_text(text, what)
    except PersonalDataInText as refused:
        raise EvidenceError(refused.message, field) from None


def recommendations_followed(inspection: Inspection) -> list[Recommendation]:
    """The recommendations an inspection follows up: its baseline's, else its own."""
    inspection_id = inspection.baseline_id or inspection.id
    return list(
        db.session.scalars(
            select(Recommendation)
            .where(Recommendation.inspection_id == inspection_id)
            .order_by(Recommendation.position, Recommendation.id)
        )
    )


def report_chapters(inspection: Inspection) -> list[str]:
    """The report's chapters, in the order of the recommendations followed."""
    return list(dict.fromkeys(rec.chapter for rec in recommendations_followed(inspection)))


@dataclass(frozen=True)
class EntryInput:
    """What an entry says, as a form or a caller gives it."""

    kind: str
    held_on: date
    source: str
    description: str
    figures: Sequence[Figure] = ()
    recommendation_ids: Sequence[int] = ()
    chapters: Sequence[str] = ()


@dataclass(frozen=True)
class ReportEvidence:
    """One entry as the pages, API, exports and Word draft show it."""

    id: int
    kind: EvidenceKind
    held_on: date
    source: str
    description: str
    figures: tuple[Figure, ...]
    recommendation_ids: tuple[int, ...]
    recommendation_codes: tuple[str, ...]
    chapters: tuple[str, ...]

    @property
    def kind_label(self) -> str:
        """ "Interview", "Force data"..."""
        return self.kind.label

    @property
    def figure_texts(self) -> tuple[str, ...]:
        """Each figure in words."""
        return tuple(figure.text for figure in self.figures)


def _checked(inspection: Inspection, data: EntryInput) -> tuple[list[Recommendation], list[str]]:
    try:
        EvidenceKind(data.kind)
    except ValueError:
        raise EvidenceError("Select the kind of evidence", "kind") from None
    for field, label, text, limit in (
        ("source", "Source", data.source, SOURCE_MAX),
        ("description", "Description", data.description, DESCRIPTION_MAX),
    ):
        if not text.strip():
            raise EvidenceError(f"Enter the {label.lower()}", field)
        if len(text) > limit:
            raise EvidenceError(f"{label} must be {limit:,} characters or fewer", field)
        refuse_personal_data(text, field, field)
    for figure in data.figures:
        refuse_personal_data(figure.unit, "figure", "figures")
    followed = {rec.id: rec for rec in recommendations_followed(inspection)}
    if any(rid not in followed for rid in data.recommendation_ids):
        raise EvidenceError("Choose recommendations this inspection follows up", "recommendations")
    known = report_chapters(inspection)
    if any(chapter not in known for chapter in data.chapters):
        raise EvidenceError("Choose chapters of the report", "chapters")
    wanted = set(data.recommendation_ids)
    return [rec for rec in followed.values() if rec.id in wanted], [
        c for c in known if c in data.chapters
    ]


def _summary(entry: EvidenceEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "held_on": entry.held_on.isoformat(),
        "source": entry.source,
        "description": entry.description,
        "figures": [Figure.from_json(f).text for f in entry.figures],
        "recommendations": [rec.code for rec in entry.recommendations],
        "chapters": list(entry.chapters),
    }


def _apply(
    entry: EvidenceEntry, data: EntryInput, recs: list[Recommendation], chapters: list[str]
) -> None:
    entry.kind = data.kind
    entry.held_on = data.held_on
    entry.source = data.source.strip()
    entry.description = data.description.strip()
    entry.figures = [figure.to_json() for figure in data.figures]
    entry.recommendations = recs
    entry.chapters = chapters


def add_entry(inspection: Inspection, by: User, data: EntryInput) -> EvidenceEntry:
    """Add an entry to the inspection's log (auditors and leads; EvidenceError if invalid)."""
    checked_role(by, inspection.id, *EDITORS)
    recs, chapters = _checked(inspection, data)
    entry = EvidenceEntry(inspection_id=inspection.id, created_by_id=by.id)
    _apply(entry, data, recs, chapters)
    db.session.add(entry)
    db.session.flush()
    record_event(
        "evidence_added", "evidence_entry", user=by, entity_id=entry.id,
        inspection_id=inspection.id, new=_summary(entry), free_text=True,
    )  # fmt: skip
    return entry


def update_entry(
    entry: EvidenceEntry, inspection: Inspection, by: User, data: EntryInput
) -> list[str]:
    """Change an entry; returns the fields that changed, each one in the audit log."""
    checked_role(by, inspection.id, *EDITORS)
    recs, chapters = _checked(inspection, data)
    before = _summary(entry)
    _apply(entry, data, recs, chapters)
    after = _summary(entry)
    changed = [name for name in before if before[name] != after[name]]
    for name in changed:
        record_event(
            "evidence_changed", "evidence_entry", user=by, entity_id=entry.id,
            inspection_id=inspection.id, field=name, old=before[name], new=after[name],
            free_text=name in FREE_TEXT,
        )  # fmt: skip
    if changed:
        entry.updated_at = utcnow()
    db.session.flush()
    return changed


def delete_entry(entry: EvidenceEntry, inspection: Inspection, by: User) -> None:
    """Delete an entry; the audit log keeps what it said."""
    checked_role(by, inspection.id, *EDITORS)
    record_event(
        "evidence_deleted", "evidence_entry", user=by, entity_id=entry.id,
        inspection_id=inspection.id, old=_summary(entry), free_text=True,
    )  # fmt: skip
    db.session.delete(entry)
    db.session.flush()


def entry_of(inspection: Inspection, entry_id: int) -> EvidenceEntry:
    """The inspection's entry (NotVisible when it has none with this id)."""
    entry = db.session.get(EvidenceEntry, entry_id)
    if entry is None or entry.inspection_id != inspection.id:
        raise NotVisible(f"no evidence entry {entry_id} in inspection {inspection.id}")
    return entry


def _report_entry(entry: EvidenceEntry) -> ReportEvidence:
    return ReportEvidence(
        id=entry.id,
        kind=EvidenceKind(entry.kind),
        held_on=entry.held_on,
        source=entry.source,
        description=entry.description,
        figures=tuple(Figure.from_json(f) for f in entry.figures),
        recommendation_ids=tuple(rec.id for rec in entry.recommendations),
        recommendation_codes=tuple(rec.code for rec in entry.recommendations),
        chapters=tuple(entry.chapters),
    )


def entries_for_report(
    inspection: Inspection, *, kind: str | None = None, recommendation_id: int | None = None
) -> list[ReportEvidence]:
    """The inspection's evidence entries, oldest first, optionally of one kind or recommendation.

    The one reader of the log: pages, API, workbook, CSV and the Word draft all use it.
    """
    query = (
        select(EvidenceEntry)
        .where(EvidenceEntry.inspection_id == inspection.id)
        .options(selectinload(EvidenceEntry.recommendations))
        .order_by(EvidenceEntry.held_on, EvidenceEntry.id)
    )
    if kind:
        query = query.where(EvidenceEntry.kind == kind)
    if recommendation_id is not None:
        query = query.where(
            EvidenceEntry.id.in_(
                select(evidence_recommendation.c.entry_id).where(
                    evidence_recommendation.c.recommendation_id == recommendation_id
                )
            )
        )
    return [_report_entry(entry) for entry in db.session.scalars(query)]


def entries_by_recommendation(inspection: Inspection) -> dict[int, list[ReportEvidence]]:
    """The entries evidencing each recommendation, by recommendation id."""
    found: dict[int, list[ReportEvidence]] = {}
    for entry in entries_for_report(inspection):
        for rec_id in entry.recommendation_ids:
            found.setdefault(rec_id, []).append(entry)
    return found


def evidence_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """The log as export rows (one per entry; figures one a line)."""
    return [
        {
            "held_on": e.held_on,
            "kind": e.kind_label,
            "source": e.source,
            "description": e.description,
            "figures": "\n".join(e.figure_texts),
            "recommendations": ", ".join(e.recommendation_codes),
            "chapters": ", ".join(e.chapters),
        }
        for e in entries_for_report(inspection)
    ]
