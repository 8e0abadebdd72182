"""Routes of redaction: a lead removes personal data typed into a case's free text."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.audit import bp
from auditapp.audit.forms import RedactTextForm
from auditapp.extensions import db
from auditapp.json_body import json_body
from auditapp.models import Case, InspectionRole
from auditapp.permissions import load_case
from auditapp.services import redaction
from auditapp.services.personal_data import findings_for

CHECK_MAX_LENGTH = 20_000
CHECK_NOUNS = frozenset({"note", "answer", "comment", "reason", "narrative", "description", "text"})


def _lead_case(case_id: int) -> Case:
    """The case, for a lead of its inspection (404 for non-members, 403 for other roles)."""
    case, _role = load_case(case_id, InspectionRole.LEAD)
    return case


@bp.get("/cases/<int:case_id>/redactions")
def list_redactable_texts(case_id: int) -> str:
    """Every free text of the case, now or in its history, with a link to redact it."""
    case = _lead_case(case_id)
    return render_template(
        "audit/list_redactable_texts.html", case=case, texts=redaction.redactable_texts(case)
    )


@bp.route("/cases/<int:case_id>/redact", methods=["GET", "POST"])
def redact_text(case_id: int) -> str | Response:
    """Redact one free text (``?text=note-1-DA02``) with a reason."""
    case = _lead_case(case_id)
    form = RedactTextForm()
    target = (form.text.data if request.method == "POST" else request.args.get("text")) or ""
    text = redaction.find_redactable(case, target[:100])
    if text is None:  # a stale link, or redacted meanwhile: nothing changes
        flash("That text is not on this case, or it has already been redacted.", "info")
        return redirect(url_for("audit.list_redactable_texts", case_id=case.id))
    form.text.data = text.target
    if form.validate_on_submit():
        try:
            redaction.redact(case, current_user, text.target, form.reason.data)
        except redaction.RedactionError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            db.session.commit()
            current_app.logger.info("text redacted on case %s", case.id)
            flash(redaction.redacted_message(text.label, text.inline_events), "success")
            return redirect(url_for("audit.list_redactable_texts", case_id=case.id))
    return render_template("audit/redact_text.html", case=case, text=text, form=form)


@bp.post("/personal-data-check")
def check_personal_data() -> tuple[dict[str, Any], int]:
    """What in a text looks personal, for the as-typed warning beside a free-text field (JSON).

    The browser asks the server rather than copying its patterns, so there is one rule
    (``services/personal_data``). Nothing is stored or logged; saving checks again.
    """
    payload = json_body()
    text = payload.get("text") if isinstance(payload, dict) else None
    what = payload.get("what") if isinstance(payload, dict) else None
    if not isinstance(text, str) or len(text) > CHECK_MAX_LENGTH:
        return {
            "error": "bad_request",
            "message": f"Send the text as a string of {CHECK_MAX_LENGTH:,} characters or fewer",
        }, 400
    noun = what if isinstance(what, str) and what in CHECK_NOUNS else "text"
    return findings_for(text, noun), 200
