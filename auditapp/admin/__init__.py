"""Administration: accounts and question sets (global admins only)."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.admin import accounts, question_set_builder, question_set_drafts, routes  # noqa: E402,F401
