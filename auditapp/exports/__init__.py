"""The exports area of work."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("exports", __name__, url_prefix="/exports", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.exports import routes  # noqa: E402,F401
