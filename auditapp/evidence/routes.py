"""Evidence-log pages: the list (filtered by kind or recommendation), add, edit and delete.

Every member reads the log; auditors and leads change it; observers read only.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from auditapp.domain.evidence import EvidenceKind, Figure, figures_text
from auditapp.evidence import bp
from auditapp.evidence.forms import ConfirmDeleteForm, EvidenceEntryForm
from auditapp.extensions import db
from auditapp.models import EvidenceEntry, Inspection, InspectionRole
from auditapp.permissions import NotVisible, load_inspection
from auditapp.services import evidence_log

MEMBERS = (InspectionRole.LEAD, InspectionRole.AUDITOR, InspectionRole.OBSERVER)
EDITORS = evidence_log.EDITORS


def can_edit(role: InspectionRole | None) -> bool:
    """Auditors and leads change the evidence log and the action plans; observers read."""
    return role in EDITORS


def _entry(inspection: Inspection, entry_id: int) -> EvidenceEntry:
    try:
        return evidence_log.entry_of(inspection, entry_id)
    except NotVisible:
        abort(404)


def _list_url(inspection: Inspection) -> str:
    return url_for("evidence.list_entries", inspection_id=inspection.id)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/inspections/<int:inspection_id>/entries")
def list_entries(inspection_id: int) -> str:
    """The evidence log, optionally of one kind or for one recommendation."""
    inspection, role = load_inspection(inspection_id, *MEMBERS)
    kind = request.args.get("kind", "")
    kind = kind if kind in {k.value for k in EvidenceKind} else ""
    recommendation_id = _int_arg("recommendation")
    recommendations = evidence_log.recommendations_followed(inspection)
    if recommendation_id not in {rec.id for rec in recommendations}:
        recommendation_id = None
    return render_template(
        "evidence/list_entries.html",
        inspection=inspection,
        role=role,
        can_edit=can_edit(role),
        entries=evidence_log.entries_for_report(
            inspection, kind=kind or None, recommendation_id=recommendation_id
        ),
        kind=kind,
        kind_items=[
            {"value": k.value, "text": k.label, "selected": k.value == kind} for k in EvidenceKind
        ],
        recommendation_id=recommendation_id,
        recommendation_items=[
            {
                "value": rec.id,
                "text": f"{rec.code}: {rec.chapter}",
                "selected": rec.id == recommendation_id,
            }
            for rec in recommendations
        ],
    )


def _entry_form(inspection: Inspection, entry: EvidenceEntry | None) -> EvidenceEntryForm:
    form = EvidenceEntryForm(obj=entry if request.method == "GET" else None)
    form.recommendations.choices = [
        SelectChoice(rec.id, f"{rec.code}: {rec.chapter}")
        for rec in evidence_log.recommendations_followed(inspection)
    ]
    form.chapters.choices = [SelectChoice(c, c) for c in evidence_log.report_chapters(inspection)]
    if request.method == "GET" and entry is not None:
        form.figures.data = figures_text([Figure.from_json(f) for f in entry.figures])
        form.recommendations.data = [rec.id for rec in entry.recommendations]
        form.chapters.data = list(entry.chapters)
    return form


def _entry_input(form: EvidenceEntryForm) -> evidence_log.EntryInput:
    assert form.held_on.data is not None
    return evidence_log.EntryInput(
        kind=form.kind.data or "",
        held_on=form.held_on.data,
        source=form.source.data or "",
        description=form.description.data or "",
        figures=form.parsed_figures,
        recommendation_ids=form.recommendations.data or [],
        chapters=form.chapters.data or [],
    )


def _save(
    inspection: Inspection, form: EvidenceEntryForm, entry: EvidenceEntry | None
) -> Response | None:
    """Save the entry; None (with the error on its field) when the service refuses it."""
    try:
        if entry is None:
            entry = evidence_log.add_entry(inspection, current_user, _entry_input(form))
            message = "Evidence added."
        else:
            evidence_log.update_entry(entry, inspection, current_user, _entry_input(form))
            message = "Evidence saved."
    except evidence_log.EvidenceError as error:
        db.session.rollback()
        getattr(form, error.field or "description").errors = [str(error)]
        return None
    db.session.commit()
    current_app.logger.info("evidence entry %s saved: inspection %s", entry.id, inspection.id)
    flash(message, "success")
    return redirect(_list_url(inspection) + f"#entry-{entry.id}")


@bp.route("/inspections/<int:inspection_id>/entries/new", methods=["GET", "POST"])
def add_entry(inspection_id: int) -> str | Response:
    """An auditor or lead adds an entry to the log."""
    inspection, _role = load_inspection(inspection_id, *EDITORS)
    form = _entry_form(inspection, None)
    if form.validate_on_submit() and (done := _save(inspection, form, None)) is not None:
        return done
    return render_template("evidence/edit_entry.html", inspection=inspection, form=form, entry=None)


@bp.route("/inspections/<int:inspection_id>/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(inspection_id: int, entry_id: int) -> str | Response:
    """An auditor or lead changes an entry."""
    inspection, _role = load_inspection(inspection_id, *EDITORS)
    entry = _entry(inspection, entry_id)
    form = _entry_form(inspection, entry)
    if form.validate_on_submit() and (done := _save(inspection, form, entry)) is not None:
        return done
    return render_template(
        "evidence/edit_entry.html", inspection=inspection, form=form, entry=entry
    )


@bp.route("/inspections/<int:inspection_id>/entries/<int:entry_id>/delete", methods=["GET", "POST"])
def delete_entry(inspection_id: int, entry_id: int) -> str | Response:
    """Confirm, then delete an entry (the audit log keeps what it said)."""
    inspection, _role = load_inspection(inspection_id, *EDITORS)
    entry = _entry(inspection, entry_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        evidence_log.delete_entry(entry, inspection, current_user)
        db.session.commit()
        current_app.logger.info("evidence entry %s deleted: inspection %s", entry_id, inspection.id)
        flash("Evidence deleted.", "success")
        return redirect(_list_url(inspection))
    return render_template(
        "evidence/confirm_delete.html",
        inspection=inspection,
        form=form,
        heading="Delete this evidence?",
        what=f"{EvidenceKind(entry.kind).label}: {entry.source}",
        back=_list_url(inspection) + f"#entry-{entry.id}",
    )
