"""Home page and health check."""

from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from auditapp.main import routes  # noqa: E402,F401
