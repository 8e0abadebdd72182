"""The moderation area of work."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.moderation import reconcile_routes, routes  # noqa: E402,F401
