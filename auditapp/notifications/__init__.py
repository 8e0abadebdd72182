"""Notifications: the signed-in user's own list, and the unread count in the header."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.notifications import routes  # noqa: E402,F401
