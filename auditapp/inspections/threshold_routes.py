"""Unverified thresholds of the inspection's question sets: the lead reads and confirms them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from auditapp.extensions import db
from auditapp.inspections import bp
from auditapp.models import InspectionRole
from auditapp.permissions import load_inspection
from auditapp.services import thresholds


class ConfirmThresholdForm(FlaskForm):
    """Confirm one threshold (its set and key come as hidden fields; CSRF only here)."""


@bp.route("/<int:inspection_id>/thresholds", methods=["GET", "POST"])
def confirm_thresholds(inspection_id: int) -> str | Response:
    """The question sets' unverified thresholds; a lead confirms each for the inspection."""
    inspection, _ = load_inspection(inspection_id, InspectionRole.LEAD)
    form = ConfirmThresholdForm()
    if form.validate_on_submit():
        key = request.form.get("threshold", "")
        set_id = request.form.get("question_set_id", "")
        try:
            if not set_id.isdigit():
                raise thresholds.ThresholdError("choose a threshold to confirm")
            thresholds.confirm_threshold(inspection, int(set_id), key, current_user)
        except thresholds.ThresholdError as error:
            db.session.rollback()
            flash(f"Not confirmed: {error}.", "error")
        else:
            db.session.commit()
            flash(f"Threshold {key} confirmed for this inspection; its cases are regraded.")
        return redirect(url_for("inspections.confirm_thresholds", inspection_id=inspection.id))
    return render_template(
        "inspections/confirm_thresholds.html",
        inspection=inspection,
        form=form,
        rows=thresholds.unverified_for(inspection),
    )
