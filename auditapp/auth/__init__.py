"""Sign in, sign out and change password."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")

from auditapp.auth import routes  # noqa: E402,F401
