"""Administration pages."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from auditapp.admin import bp
from auditapp.extensions import db
from auditapp.models import User
from auditapp.permissions import admin_required


@bp.get("/")
@admin_required
def index() -> str:
    """Users of the service."""
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/index.html", users=users)
