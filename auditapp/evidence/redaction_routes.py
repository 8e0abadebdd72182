"""Routes of redaction in the evidence area: a lead removes personal data typed into the
evidence log or the action plan (``services/inspection_redaction.py``)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.audit.forms import RedactTextForm
from auditapp.evidence import bp
from auditapp.extensions import db
from auditapp.models import InspectionRole
from auditapp.permissions import load_inspection
from auditapp.services import inspection_redaction
from auditapp.services.redaction import RedactionError, redacted_message

LEAD = InspectionRole.LEAD


@bp.get("/inspections/<int:inspection_id>/redactions")
def list_redactable_texts(inspection_id: int) -> str:
    """Every free text of the evidence log and action plan, with a link to redact it."""
    inspection, _ = load_inspection(inspection_id, LEAD)
    return render_template(
        "evidence/list_redactable_texts.html",
        inspection=inspection,
        texts=inspection_redaction.redactable_texts(inspection),
    )


@bp.route("/inspections/<int:inspection_id>/redact", methods=["GET", "POST"])
def redact_text(inspection_id: int) -> str | Response:
    """Redact one free text (``?text=evidence-7-description``) with a reason."""
    inspection, _ = load_inspection(inspection_id, LEAD)
    back = url_for("evidence.list_redactable_texts", inspection_id=inspection.id)
    form = RedactTextForm()
    target = (form.text.data if request.method == "POST" else request.args.get("text")) or ""
    text = inspection_redaction.find_redactable(inspection, target[:100])
    if text is None:  # a stale link, or redacted meanwhile: nothing changes
        flash("That text is not in this inspection, or it has already been redacted.", "info")
        return redirect(back)
    form.text.data = text.target
    if form.validate_on_submit():
        try:
            inspection_redaction.redact(inspection, current_user, text.target, form.reason.data)
        except RedactionError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            db.session.commit()
            current_app.logger.info("text redacted in inspection %s", inspection.id)
            flash(redacted_message(text.label, text.inline_events), "success")
            return redirect(back)
    return render_template("evidence/redact_text.html", inspection=inspection, text=text, form=form)
