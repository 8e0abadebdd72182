"""Action-plan pages: the force's actions on each recommendation, their updates and statuses.

Every member reads the plan; auditors and leads add and change actions and updates; only a lead
records that the inspectorate has verified an action.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from auditapp.evidence import bp
from auditapp.evidence.forms import ActionForm, ActionUpdateForm, ConfirmDeleteForm
from auditapp.evidence.routes import EDITORS, MEMBERS, can_edit
from auditapp.extensions import db
from auditapp.models import ActionPlanItem, Inspection, InspectionRole
from auditapp.permissions import NotAllowed, NotVisible, load_inspection
from auditapp.services import action_plans, evidence_log


def _action(inspection: Inspection, action_id: int) -> ActionPlanItem:
    try:
        return action_plans.action_of(inspection, action_id)
    except NotVisible:
        abort(404)


def _plan_url(inspection: Inspection, anchor: str = "") -> str:
    return url_for("evidence.list_actions", inspection_id=inspection.id) + anchor


@bp.get("/inspections/<int:inspection_id>/actions")
def list_actions(inspection_id: int) -> str:
    """The force's action plan, recommendation by recommendation, overdue actions tagged."""
    inspection, role = load_inspection(inspection_id, *MEMBERS)
    recommendations = evidence_log.recommendations_followed(inspection)
    return render_template(
        "evidence/list_actions.html",
        inspection=inspection,
        role=role,
        can_edit=can_edit(role),
        recommendations=recommendations,
        actions=action_plans.actions_by_recommendation(inspection),
        published_on=recommendations[0].inspection.published_on if recommendations else None,
        report_inspection_id=inspection.baseline_id or inspection.id,
    )


def _action_form(inspection: Inspection, item: ActionPlanItem | None) -> ActionForm:
    form = ActionForm(obj=item if request.method == "GET" else None)
    recommendations = evidence_log.recommendations_followed(inspection)
    form.recommendation.choices = [
        SelectChoice(r.id, f"{r.code}: {r.chapter}") for r in recommendations
    ]
    if item is not None:
        form.recommendation.choices = [
            SelectChoice(item.recommendation_id, item.recommendation.code)
        ]
        form.recommendation.data = item.recommendation_id
    elif request.method == "GET" and (wanted := request.args.get("recommendation", "")).isdigit():
        form.recommendation.data = int(wanted)
    return form


def _refused(form: ActionForm | ActionUpdateForm, error: action_plans.ActionPlanError) -> None:
    db.session.rollback()
    getattr(form, error.field or "description").errors = [str(error)]


@bp.route("/inspections/<int:inspection_id>/actions/new", methods=["GET", "POST"])
def add_action(inspection_id: int) -> str | Response:
    """An auditor or lead adds an action the force plans on one recommendation."""
    inspection, _role = load_inspection(inspection_id, *EDITORS)
    form = _action_form(inspection, None)
    if form.validate_on_submit():
        recommendation = next(
            r
            for r in evidence_log.recommendations_followed(inspection)
            if r.id == form.recommendation.data
        )
        try:
            item = action_plans.add_action(
                inspection, current_user, recommendation,
                form.description.data or "", form.owner.data or "",
            )  # fmt: skip
        except action_plans.ActionPlanError as error:
            _refused(form, error)
        else:
            db.session.commit()
            current_app.logger.info("action %s added: inspection %s", item.id, inspection.id)
            flash(f"Action on {recommendation.code} added.", "success")
            return redirect(_plan_url(inspection, f"#action-{item.id}"))
    return render_template("evidence/edit_action.html", inspection=inspection, form=form, item=None)


@bp.route("/inspections/<int:inspection_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(inspection_id: int, action_id: int) -> str | Response:
    """Change an action's wording or owner (a verified action: leads only)."""
    inspection, _role = load_inspection(inspection_id, *EDITORS)
    item = _action(inspection, action_id)
    form = _action_form(inspection, item)
    if form.validate_on_submit():
        try:
            action_plans.update_action(
                item, inspection, current_user, form.description.data or "", form.owner.data or ""
            )
        except NotAllowed:
            abort(403)
        except action_plans.ActionPlanError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash("Action saved.", "success")
            return redirect(_plan_url(inspection, f"#action-{item.id}"))
    return render_template("evidence/edit_action.html", inspection=inspection, form=form, item=item)


@bp.route(
    "/inspections/<int:inspection_id>/actions/<int:action_id>/updates/new",
    methods=["GET", "POST"],
)
def add_action_update(inspection_id: int, action_id: int) -> tuple[str, int] | str | Response:
    """A dated update on an action, optionally with a new status."""
    inspection, role = load_inspection(inspection_id, *EDITORS)
    item = _action(inspection, action_id)
    form = ActionUpdateForm(lead=role is InspectionRole.LEAD)
    if form.validate_on_submit():
        assert form.given_on.data is not None
        try:
            action_plans.add_update(
                item, inspection, current_user, form.given_on.data,
                form.text.data or "", form.status.data or None,
            )  # fmt: skip
        except NotAllowed:
            db.session.rollback()
            form.status.errors = [
                "Only a lead can record that the inspectorate has verified an action"
            ]
            page = render_template(
                "evidence/add_action_update.html", inspection=inspection, form=form, item=item
            )
            return page, 403
        except action_plans.ActionPlanError as error:
            _refused(form, error)
        else:
            db.session.commit()
            current_app.logger.info("action %s updated: inspection %s", item.id, inspection.id)
            flash("Update added.", "success")
            return redirect(_plan_url(inspection, f"#action-{item.id}"))
    return render_template(
        "evidence/add_action_update.html", inspection=inspection, form=form, item=item
    )


@bp.route(
    "/inspections/<int:inspection_id>/actions/<int:action_id>/delete", methods=["GET", "POST"]
)
def delete_action(inspection_id: int, action_id: int) -> str | Response:
    """Confirm, then delete an action and its updates (the audit log keeps them)."""
    inspection, _role = load_inspection(inspection_id, *EDITORS)
    item = _action(inspection, action_id)
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        try:
            action_plans.delete_action(item, inspection, current_user)
        except NotAllowed:
            abort(403)
        db.session.commit()
        current_app.logger.info("action %s deleted: inspection %s", action_id, inspection.id)
        flash("Action deleted.", "success")
        return redirect(_plan_url(inspection))
    return render_template(
        "evidence/confirm_delete.html",
        inspection=inspection,
        form=form,
        heading="Delete this action?",
        what=f"{item.recommendation.code}: {item.description}",
        back=_plan_url(inspection, f"#action-{item.id}"),
    )
