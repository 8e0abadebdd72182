"""The findings area of work."""

from flask import Blueprint

from auditapp.permissions import login_required_for_blueprint

bp = Blueprint("findings", __name__, url_prefix="/findings", template_folder="templates")
login_required_for_blueprint(bp)

from auditapp.findings import routes  # noqa: E402,F401


def _register_overview_links() -> None:
    """Link the findings pages from each inspection's overview (when the hook exists)."""
    try:
        from auditapp.inspections.links import EVERYONE, HubLink, register_hub_link
    except ImportError:  # the overview's link hook is not in this build
        return
    for text, endpoint, description in (
        (
            "Findings dashboard",
            "findings.show_dashboard",
            "Headline grades, by case type and auditor",
        ),
        (
            "Question findings",
            "findings.show_questions",
            "Outcome counts per question, to the cases",
        ),
        (
            "Recommendations",
            "findings.show_recommendations",
            "Progress on the baseline's recommendations",
        ),
        (
            "Chapter judgements",
            "findings.show_chapters",
            "Suggested and recorded chapter judgements",
        ),
        ("Case studies", "findings.show_case_studies", "Flagged case studies by chapter"),
    ):
        register_hub_link(HubLink(text, endpoint, EVERYONE, False, description, "Findings"))


_register_overview_links()
