"""Sign in (with a second factor), sign out and change password."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")

from auditapp.auth import routes, second_factor  # noqa: E402,F401
