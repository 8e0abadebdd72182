"""The moderation area of work."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.moderation import routes  # noqa: E402,F401


def _register_overview_links() -> None:
    """Link the moderation pages from each inspection's overview, for its leads."""
    from auditapp.inspections.links import LEAD, HubLink, register_hub_link

    for text, endpoint, description in (
        ("Moderation", "moderation.show_queue", "Check submitted grades: agree, change or return"),
        ("Moderation policy", "moderation.edit_policy", "Which cases leads must moderate"),
        ("Agreement figures", "moderation.show_agreement", "How consistently the team grades"),
    ):
        register_hub_link(HubLink(text, endpoint, LEAD, False, description, "Moderation"))


_register_overview_links()
