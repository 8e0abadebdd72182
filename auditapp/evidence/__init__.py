"""The evidence area: the evidence log beyond the case files and the force's action plans."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("evidence", __name__, url_prefix="/evidence", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.evidence import action_routes, redaction_routes, routes  # noqa: E402,F401
