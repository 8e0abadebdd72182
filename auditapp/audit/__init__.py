"""The audit area of work."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.audit import case_routes, history_routes, redaction_routes, routes  # noqa: E402,F401
