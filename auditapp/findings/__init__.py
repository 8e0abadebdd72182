"""The findings area of work."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("findings", __name__, url_prefix="/findings", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.findings import routes  # noqa: E402,F401
