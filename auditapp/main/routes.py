"""The signed-in home page and the unauthenticated health check."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from auditapp.extensions import db
from auditapp.main import bp
from auditapp.models import Inspection, InspectionRole, Membership


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """200 when the database answers, 503 otherwise. No sign-in needed; reveals nothing else."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


@bp.get("/")
@login_required
def index() -> str:
    """The inspections the signed-in user is a member of, with their role."""
    rows = db.session.execute(
        select(Inspection, Membership.role)
        .join(Membership, Membership.inspection_id == Inspection.id)
        .where(Membership.user_id == current_user.id)
        .order_by(Inspection.start_date.desc().nulls_last(), Inspection.id.desc())
    ).all()
    memberships = [(inspection, InspectionRole(role)) for inspection, role in rows]
    return render_template("main/index.html", memberships=memberships)
