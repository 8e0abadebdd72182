"""Read-only JSON API (sign-in by session or personal API token)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api", template_folder="templates")

from auditapp.api import evidence_routes, routes  # noqa: E402,F401
