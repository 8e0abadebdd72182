"""Inspection members: the list, adding someone by email, changing a role, removing a member."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.auth import links
from auditapp.extensions import db
from auditapp.inspections import bp
from auditapp.inspections.access import load_for_setup
from auditapp.inspections.forms import (
    ROLE_HINTS,
    AddMemberForm,
    ConfirmForm,
    InviteMemberForm,
    MemberRoleForm,
)
from auditapp.models import AccountLinkPurpose, Inspection, InspectionRole
from auditapp.services import inspection_members, inspections


def _members_page(
    inspection: Inspection,
    form: AddMemberForm,
    status: int = 200,
    invite_form: InviteMemberForm | None = None,
) -> Any:
    rows = []
    for membership in inspection_members.members(inspection):
        role_form = MemberRoleForm(formdata=None, prefix=f"m{membership.id}")
        role_form.role.data = membership.role
        rows.append((membership, role_form))
    return (
        render_template(
            "inspections/list_members.html",
            inspection=inspection,
            form=form,
            rows=rows,
            confirm_form=ConfirmForm(formdata=None),
            role_hints=ROLE_HINTS,
            invite_form=invite_form or InviteMemberForm(formdata=None, prefix="invite"),
        ),
        status,
    )


@bp.get("/<int:inspection_id>/members")
def list_members(inspection_id: int) -> Any:
    """Members with their roles; add, change role, remove."""
    inspection = load_for_setup(inspection_id)
    return _members_page(inspection, AddMemberForm(formdata=None))


@bp.post("/<int:inspection_id>/members")
def add_member(inspection_id: int) -> Any:
    """Add an existing user by email, in a role."""
    inspection = load_for_setup(inspection_id)
    form = AddMemberForm()
    if form.validate_on_submit():
        try:
            membership = inspection_members.add_member(
                inspection, form.email.data or "", InspectionRole(form.role.data),
                by=current_user,
            )  # fmt: skip
        except inspections.InspectionSetupError as error:
            db.session.rollback()
            form.email.errors = [str(error)]
        else:
            db.session.commit()
            flash(
                f"Added {membership.user.name} as {InspectionRole(membership.role).label.lower()}.",
                "success",
            )
            return redirect(url_for("inspections.list_members", inspection_id=inspection.id))
    return _members_page(inspection, form, 400)


@bp.post("/<int:inspection_id>/members/<int:membership_id>/role")
def change_member_role(inspection_id: int, membership_id: int) -> Response:
    """Change one member's role (never leaving the inspection without a lead)."""
    inspection = load_for_setup(inspection_id)
    form = MemberRoleForm(prefix=f"m{membership_id}")
    if not form.validate_on_submit():
        flash("Select a role.", "error")
        return redirect(url_for("inspections.list_members", inspection_id=inspection.id))
    try:
        membership = inspection_members.change_member_role(
            inspection, membership_id, InspectionRole(form.role.data), by=current_user
        )
    except LookupError:
        abort(404)
    except inspections.InspectionSetupError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            f"{membership.user.name} is now {InspectionRole(membership.role).label.lower()}.",
            "success",
        )
    return redirect(url_for("inspections.list_members", inspection_id=inspection.id))


@bp.post("/<int:inspection_id>/members/<int:membership_id>/remove")
def remove_member(inspection_id: int, membership_id: int) -> Response:
    """Remove a member (not the last lead, nor someone still holding cases)."""
    inspection = load_for_setup(inspection_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user = inspection_members.remove_member(inspection, membership_id, by=current_user)
    except LookupError:
        abort(404)
    except inspections.InspectionSetupError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Removed {user.name} from the inspection.", "success")
    return redirect(url_for("inspections.list_members", inspection_id=inspection.id))


@bp.post("/<int:inspection_id>/members/invite")
def invite_member(inspection_id: int) -> Any:
    """Someone new: create their account, add them, and pass on an invitation link (emailed
    when mail is configured, else shown once to pass on)."""
    inspection = load_for_setup(inspection_id)
    form = InviteMemberForm(prefix="invite")
    if form.validate_on_submit():
        try:
            membership = inspection_members.invite_member(
                inspection, form.name.data or "", form.email.data or "",
                InspectionRole(form.role.data), by=current_user,
            )  # fmt: skip
            link, token = links.issue(
                membership.user, AccountLinkPurpose.INVITATION, by=current_user
            )
        except inspections.InspectionSetupError as error:
            db.session.rollback()
            field = form.name if error.field == "name" else form.email
            field.errors = [str(error)]
        else:
            db.session.commit()
            delivery = links.deliver(link, token, by=current_user)
            role = InspectionRole(membership.role).label.lower()
            return links.delivery_page(
                delivery,
                heading=f"{membership.user.name} invited and added as {role}",
                back_url=url_for("inspections.list_members", inspection_id=inspection.id),
                back_text="Back to members",
            )
    return _members_page(inspection, AddMemberForm(formdata=None), 400, invite_form=form)
