"""Inspections: overview, set-up, members, case lists and sampling.

Routes by task, all on this blueprint: ``routes`` (the list, the hub, details, question sets),
``members_routes``, ``import_routes`` (case lists) and ``sampling_routes`` (drawing a sample,
hand sampling, assignment), ``threshold_routes`` (confirming unverified thresholds);
``access`` loads an inspection for its set-up pages.
"""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("inspections", __name__, url_prefix="/inspections", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.inspections import (  # noqa: E402,F401
    import_routes,
    members_routes,
    routes,
    sampling_routes,
    threshold_routes,
)
