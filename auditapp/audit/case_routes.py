"""Routes of a case's own flags: the case study, and urgent concerns (a child at current risk)
with the leads' list of them."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.audit import bp
from auditapp.audit.forms import (
    AcknowledgeConcernForm,
    CaseStudyForm,
    ConcernActionForm,
    CurrentRiskForm,
    RemoveRiskForm,
)
from auditapp.audit.resolve import commit_round_change, first_audit
from auditapp.domain.question_sets.errors import AnswerError
from auditapp.models import InspectionRole
from auditapp.permissions import is_lead, load_inspection
from auditapp.services.audit import case_studies, concerns
from auditapp.services.audit.errors import AuditFormError, ConcernError
from auditapp.services.audit.round import FirstAudit

LEAD = InspectionRole.LEAD


# --- case studies -------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/case-study", methods=["GET", "POST"])
def edit_case_study(case_id: int) -> str | Response:
    """Flag the case as a case study (its auditor while a draft, or a lead)."""
    audit = first_audit(case_id)
    case = audit.case
    if not audit.may_mark_case_study:
        abort(403)
    form = CaseStudyForm()
    if request.method == "GET":
        form.is_case_study.data = "yes" if case.is_case_study else None
        form.narrative.data = case.case_study_narrative
    if form.validate_on_submit():
        try:
            commit_round_change(
                audit,
                lambda a: case_studies.set_case_study(
                    a, flagged=form.is_case_study.data == "yes", narrative=form.narrative.data
                ),
            )
        except AuditFormError as error:
            form.narrative.errors = [*form.narrative.errors, error.message]
        else:
            flash(
                "Case study saved." if form.is_case_study.data == "yes" else "Case study removed.",
                "success",
            )
            return redirect(url_for("audit.show_case", case_id=case.id))
    return render_template("audit/edit_case_study.html", case=case, form=form)


# --- urgent concerns ----------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/current-risk", methods=["GET", "POST"])
def flag_current_risk(case_id: int) -> str | Response:
    """Flag a child at current risk (the case's auditor, at any stage, or a lead)."""
    audit = first_audit(case_id)
    case = audit.case
    if not audit.may_report_current_risk:
        abort(403)
    if case.current_risk:
        flash("This case is already flagged: a child at current risk.", "info")
        return redirect(url_for("audit.show_case", case_id=case.id))
    form = CurrentRiskForm()
    if form.validate_on_submit():
        try:
            commit_round_change(audit, lambda a: concerns.flag_current_risk(a, form.note.data))
        except ConcernError as error:
            form.note.errors = [*form.note.errors, error.message]
        else:
            current_app.logger.warning(
                "urgent concern flagged on case %s (inspection %s)", case.id, case.inspection_id
            )
            flash(
                "Child at current risk flagged. The case is inadequate and the inspection's "
                "leads have been alerted.",
                "success",
            )
            return redirect(url_for("audit.show_case", case_id=case.id))
    return render_template("audit/flag_current_risk.html", case=case, form=form)


@bp.get("/inspections/<int:inspection_id>/concerns")
def list_concerns(inspection_id: int) -> str:
    """Every urgent concern in the inspection, for its leads."""
    inspection, _ = load_inspection(inspection_id, LEAD)
    return render_template(
        "audit/list_concerns.html",
        inspection=inspection,
        concerns=concerns.urgent_concerns(inspection.id),
        form=ConcernActionForm(),
    )


def _lead_audit(case_id: int) -> FirstAudit:
    """The case's first audit, for a lead of its inspection (403 for other members)."""
    audit = first_audit(case_id)
    if not audit.is_lead:
        abort(403)
    return audit


def _concern_action(case_id: int, action: Callable[[FirstAudit], None], done: str) -> Response:
    audit = _lead_audit(case_id)
    case = audit.case
    form = ConcernActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        commit_round_change(audit, action)
    except ConcernError as error:
        flash(error.message, "info")
    else:
        flash(done, "success")
    target = request.form.get("next")
    if target == "case":
        return redirect(url_for("audit.show_case", case_id=case.id))
    return redirect(url_for("audit.list_concerns", inspection_id=case.inspection_id))


@bp.route("/cases/<int:case_id>/current-risk/acknowledge", methods=["GET", "POST"])
def acknowledge_concern(case_id: int) -> str | Response:
    """A lead acknowledges an urgent concern: what was done about it, and when."""
    audit = _lead_audit(case_id)
    case = audit.case
    back = url_for("audit.show_case", case_id=case.id)
    if not case.current_risk:
        return redirect(back)
    if case.current_risk_acknowledged_at is not None:
        # A second acknowledgement changes nothing: the first lead's account stands.
        flash("This concern has already been acknowledged.", "info")
        return redirect(back)
    form = AcknowledgeConcernForm()
    date_error = None
    if request.method == "POST":
        valid = form.validate_on_submit()
        try:
            done_at = form.done_at()
        except AnswerError as error:
            date_error = error.message
        if valid and date_error is None:
            try:
                commit_round_change(
                    audit, lambda a: concerns.acknowledge_concern(a, form.action.data, done_at)
                )
            except ConcernError as error:
                if case.current_risk_acknowledged_at is not None:  # another lead, just now
                    flash(error.message, "info")
                    return redirect(back)
                date_error = error.message
            else:
                current_app.logger.info("urgent concern acknowledged on case %s", case.id)
                flash("Concern acknowledged.", "success")
                return redirect(back)
    return render_template(
        "audit/acknowledge_concern.html",
        case=case,
        concern=concerns.concern_of(case),
        form=form,
        date_error=date_error,
    )


@bp.post("/cases/<int:case_id>/current-risk/raised")
def mark_concern_raised(case_id: int) -> Response:
    """A lead records that the concern was raised with the force."""
    return _concern_action(
        case_id, concerns.mark_concern_raised, "Concern marked as raised with the force."
    )


@bp.route("/cases/<int:case_id>/current-risk/remove", methods=["GET", "POST"])
def remove_current_risk(case_id: int) -> str | Response:
    """A lead removes a current-risk flag, giving a reason."""
    audit = _lead_audit(case_id)
    case = audit.case
    if not case.current_risk:
        return redirect(url_for("audit.show_case", case_id=case.id))
    form = RemoveRiskForm()
    if form.validate_on_submit():
        try:
            commit_round_change(audit, lambda a: concerns.remove_current_risk(a, form.reason.data))
        except ConcernError as error:
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            flash("Flag removed. The case has been regraded without it.", "success")
            return redirect(url_for("audit.show_case", case_id=case.id))
    return render_template("audit/remove_current_risk.html", case=case, form=form)


@bp.app_template_global("urgent_concerns_count")
def urgent_concerns_count(inspection_id: int) -> int:
    """Open urgent concerns for the banner: counted only for the inspection's leads."""
    if not current_user.is_authenticated or not is_lead(current_user, inspection_id):
        return 0
    return concerns.open_concerns_count(inspection_id)
