"""The links on an inspection's overview page (one static table), filtered by the viewer's role.

Every link names its endpoint; `url_for` builds it for each page, so a renamed or missing
endpoint fails the page (and the tests) instead of quietly dropping the link.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from auditapp.models import Inspection, InspectionRole

LEAD = (InspectionRole.LEAD,)
EVERYONE = (InspectionRole.LEAD, InspectionRole.AUDITOR, InspectionRole.OBSERVER)


@dataclass(frozen=True)
class HubLink:
    """A link to one area of an inspection, shown to members in `roles` (admins: if allowed)."""

    text: str
    endpoint: str
    roles: tuple[InspectionRole, ...] = EVERYONE
    admin: bool = False
    description: str = ""
    group: str = "Set up"


# In the order shown; groups appear in the order of their first link.
HUB_LINKS: tuple[HubLink, ...] = (
    HubLink("Inspection details", "inspections.edit_inspection", LEAD, True,
            "Title, force, dates and the baseline inspection"),
    HubLink("Members", "inspections.list_members", LEAD, True,
            "Add leads, auditors and observers, change roles"),
    HubLink("Case types and question sets", "inspections.choose_question_sets", LEAD, True,
            "The case types in scope, and the question-set version each is audited against"),
    HubLink("Unverified thresholds", "inspections.confirm_thresholds", LEAD, False,
            "Check and confirm the timeliness thresholds marked unverified"),
    HubLink("Import a case list", "inspections.import_cases", LEAD, True,
            "Upload the force's case list (CSV or XLSX)", "Cases"),
    HubLink("Sampling", "inspections.show_sampling", LEAD, True,
            "Draw samples, with help choosing the size", "Cases"),
    HubLink("Cases and sample", "inspections.list_cases", LEAD, True,
            "Every listed case; add to or remove from the sample by hand", "Cases"),
    HubLink("Assign cases", "inspections.assign_cases", LEAD, True,
            "Give sampled cases to auditors, one by one or balanced", "Cases"),
    HubLink("Exports", "exports.show_exports", LEAD, True,
            "Workbook, CSV files and the printable or PDF report", "Findings"),
    HubLink("Findings dashboard", "findings.show_dashboard", EVERYONE, False,
            "Headline grades, by case type and auditor", "Findings"),
    HubLink("Question findings", "findings.show_questions", EVERYONE, False,
            "Outcome counts per question, to the cases", "Findings"),
    HubLink("Recommendations", "findings.show_recommendations", EVERYONE, False,
            "Progress on the baseline's recommendations", "Findings"),
    HubLink("Chapter judgements", "findings.show_chapters", EVERYONE, False,
            "Suggested and recorded chapter judgements", "Findings"),
    HubLink("Case studies", "findings.show_case_studies", EVERYONE, False,
            "Flagged case studies by chapter", "Findings"),
    HubLink("Evidence log", "evidence.list_entries", EVERYONE, False,
            "Documents, interviews, focus groups and force data", "Findings"),
    HubLink("Action plan", "evidence.list_actions", EVERYONE, False,
            "The force's actions on each recommendation, and which are overdue", "Findings"),
    HubLink("Moderation", "moderation.show_queue", LEAD, False,
            "Check submitted grades: agree, change or return", "Moderation"),
    HubLink("Moderation policy", "moderation.edit_policy", LEAD, False,
            "Which cases leads must moderate", "Moderation"),
    HubLink("Agreement figures", "moderation.show_agreement", LEAD, False,
            "How consistently the team grades", "Moderation"),
)  # fmt: skip


def hub_links(
    inspection: Inspection, role: InspectionRole | None, *, is_admin: bool
) -> list[dict[str, object]]:
    """Groups of links the viewer may follow, as [{"group": ..., "links": [{text, href, ...}]}]."""
    groups: dict[str, list[dict[str, str]]] = {}
    for link in HUB_LINKS:
        allowed = (role is not None and role in link.roles) or (
            role is None and is_admin and link.admin
        )
        if not allowed:
            continue
        groups.setdefault(link.group, []).append(
            {
                "text": link.text,
                "href": url_for(link.endpoint, inspection_id=inspection.id),
                "description": link.description,
            }
        )
    return [{"group": name, "links": links} for name, links in groups.items()]
