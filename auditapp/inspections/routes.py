"""Inspection pages."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.inspections import bp
from auditapp.models import Membership, User
from auditapp.permissions import load_inspection


@bp.get("/<int:inspection_id>")
def show_inspection(inspection_id: int) -> str:
    """The inspection's overview: details and members."""
    inspection, role = load_inspection(inspection_id, allow_admin=True)
    members = db.session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.inspection_id == inspection.id)
        .order_by(Membership.role, User.name)
    ).all()
    return render_template(
        "inspections/show_inspection.html", inspection=inspection, role=role, members=members
    )
