"""Inspections: overview, set-up, members, case lists and sampling."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("inspections", __name__, url_prefix="/inspections", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.inspections import routes  # noqa: E402,F401
