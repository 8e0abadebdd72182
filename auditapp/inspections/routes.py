"""Inspection pages: the list, the hub, creating and editing an inspection, its question sets."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from auditapp.extensions import db
from auditapp.inspections import bp
from auditapp.inspections.access import load_for_setup
from auditapp.inspections.forms import (
    CreateInspectionForm,
    EditInspectionForm,
    QuestionSetChoicesForm,
    choices,
)
from auditapp.inspections.links import hub_links
from auditapp.inspections.task_list import task_list_params
from auditapp.models import Inspection, InspectionRole
from auditapp.permissions import admin_required, load_inspection
from auditapp.services import inspection_members, inspection_setup, inspections


def _baseline_choices(inspection: Inspection | None) -> list[SelectChoice]:
    options = inspections.baseline_choices(current_user, inspection)
    return choices(
        [(None, "No earlier inspection")] + [(i.id, f"{i.title} ({i.force})") for i in options]
    )


# Overview and details ----------------------------------------------------------------------------


@bp.get("/")
def list_inspections() -> str:
    """Inspections the user can see (all, for an admin), with a way to create one."""
    return render_template(
        "inspections/list_inspections.html",
        inspections=inspections.visible_inspections(current_user),
    )


@bp.get("/<int:inspection_id>")
def show_inspection(inspection_id: int) -> str:
    """The inspection's hub: details, members, case types with progress, and links onward."""
    inspection, role = load_inspection(inspection_id, allow_admin=True)
    progress = inspections.inspection_progress(inspection)
    sets_up = role == InspectionRole.LEAD or (role is None and current_user.is_admin)
    return render_template(
        "inspections/show_inspection.html",
        inspection=inspection,
        role=role,
        members=inspection_members.members(inspection),
        progress=progress,
        link_groups=hub_links(inspection, role, is_admin=current_user.is_admin),
        setup_tasks=task_list_params(
            inspection, inspection_setup.inspection_setup_tasks(inspection, progress)
        )
        if sets_up
        else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create_inspection() -> str | Response:
    """Admins create an inspection and name its lead; the lead then sets it up."""
    form = CreateInspectionForm()
    form.baseline_id.choices = _baseline_choices(None)
    if form.validate_on_submit():
        try:
            inspection = inspections.create_inspection(
                title=form.title.data or "",
                force=form.force.data or "",
                kind=form.kind.data or "",
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                baseline_id=form.baseline_id.data,
                lead_email=form.lead_email.data or "",
                by=current_user,
            )
        except inspections.InspectionSetupError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors = [str(error)]
        else:
            db.session.commit()
            current_app.logger.info("inspection %s created", inspection.id)
            flash(f"Created {inspection.title}.", "success")
            return redirect(url_for("inspections.show_inspection", inspection_id=inspection.id))
    return render_template("inspections/create_inspection.html", form=form)


@bp.route("/<int:inspection_id>/edit", methods=["GET", "POST"])
def edit_inspection(inspection_id: int) -> str | Response:
    """Change an inspection's details and its baseline."""
    inspection = load_for_setup(inspection_id)
    form = EditInspectionForm(obj=inspection)
    form.baseline_id.choices = _baseline_choices(inspection)
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in inspections.DETAIL_FIELDS}
        try:
            changed = inspections.update_inspection(inspection, changes, by=current_user)
        except inspections.InspectionSetupError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors = [str(error)]
        else:
            db.session.commit()
            flash("Details saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("inspections.show_inspection", inspection_id=inspection.id))
    return render_template("inspections/edit_inspection.html", form=form, inspection=inspection)


# Question sets -----------------------------------------------------------------------------------


@bp.route("/<int:inspection_id>/question-sets", methods=["GET", "POST"])
def choose_question_sets(inspection_id: int) -> str | Response:
    """The inspection's scope: which case types it audits, each against which version."""
    inspection = load_for_setup(inspection_id)
    form = QuestionSetChoicesForm()
    options = inspections.question_set_choices(inspection)
    error = None
    in_scope = {choice.case_type.id for choice in options if choice.chosen is not None}
    if form.validate_on_submit():
        ticked = set(request.form.getlist("in_scope"))
        picked: dict[int, int] = {}
        for choice in options:
            if str(choice.case_type.id) not in ticked:
                continue
            value = request.form.get(f"case_type_{choice.case_type.id}", "")
            picked[choice.case_type.id] = int(value) if value.isdigit() else 0
        try:
            change = inspections.set_scope(inspection, picked, by=current_user)
        except inspections.InspectionSetupError as problem:
            db.session.rollback()
            error = str(problem)
            in_scope = {int(v) for v in ticked if v.isdigit()}
        else:
            db.session.commit()
            parts = [
                f"{label}: {', '.join(ct.name for ct in types)}."
                for label, types in (
                    ("Added to scope", change.added),
                    ("Taken out of scope", change.removed),
                    ("New question-set version", change.changed),
                )
                if types
            ]
            if change.unlisted:
                parts.append(f"{change.unlisted} listed cases of the types taken out were removed.")
            if change.changed:
                parts.append("Cases already sampled keep their version.")
            flash(" ".join(parts) if parts else "Nothing changed.", "success")
            return redirect(url_for("inspections.show_inspection", inspection_id=inspection.id))
    rows = [
        {
            "case_type": choice.case_type,
            "chosen": choice.chosen,
            "in_scope": choice.case_type.id in in_scope,
            "items": [
                {
                    "value": row.id,
                    "text": f"Version {row.version}: {row.title}" + (" (latest)" if i == 0 else ""),
                    "selected": (choice.chosen.id if choice.chosen else choice.versions[0].id)
                    == row.id,
                }
                for i, row in enumerate(choice.versions)
            ],
        }
        for choice in options
    ]
    return render_template(
        "inspections/choose_question_sets.html",
        inspection=inspection,
        form=form,
        rows=rows,
        error=error,
    )
