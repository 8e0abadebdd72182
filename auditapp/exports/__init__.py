"""The exports area of work."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("exports", __name__, url_prefix="/exports", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.exports import routes  # noqa: E402,F401


def _register_overview_links() -> None:
    """Link the exports page from each inspection's overview, for leads and admins."""
    from auditapp.inspections.links import LEAD, HubLink, register_hub_link

    register_hub_link(
        HubLink(
            "Exports",
            "exports.show_exports",
            LEAD,
            True,
            "Workbook, CSV files and the printable or PDF report",
            "Findings",
        )
    )


_register_overview_links()
