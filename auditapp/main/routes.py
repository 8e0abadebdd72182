"""The signed-in home page and the unauthenticated health check."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from auditapp.extensions import db
from auditapp.main import bp
from auditapp.services import inspections, notifications


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
    """The inspections the signed-in user is a member of (every one, for an admin), with their
    role; an admin sees "Set up a new inspection" first."""
    return render_template(
        "main/index.html",
        memberships=inspections.home_inspections(current_user),
        urgent=notifications.unread_urgent(current_user),
    )
