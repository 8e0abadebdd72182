"""The links on an inspection's overview page, filtered by the viewer's role.

Other areas add theirs with one line, either here in HUB_LINKS or from their own package:

    register_hub_link(HubLink("Moderation", "moderation.list_cases", (InspectionRole.LEAD,)))

A link whose endpoint is not registered (yet) is simply not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

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


HUB_LINKS: list[HubLink] = [
    HubLink("Inspection details", "inspections.edit_inspection", LEAD, True,
            "Title, force, dates and the baseline inspection"),
    HubLink("Members", "inspections.list_members", LEAD, True,
            "Add leads, auditors and observers, change roles"),
    HubLink("Question sets", "inspections.choose_question_sets", LEAD, True,
            "The question-set version each case type is audited against"),
    HubLink("Import a case list", "inspections.import_cases", LEAD, True,
            "Upload the force's case list (CSV or XLSX)", "Cases"),
    HubLink("Sampling", "inspections.show_sampling", LEAD, True,
            "Draw samples, with help choosing the size", "Cases"),
    HubLink("Cases and sample", "inspections.list_cases", LEAD, True,
            "Every listed case; add to or remove from the sample by hand", "Cases"),
    HubLink("Assign cases", "inspections.assign_cases", LEAD, True,
            "Give sampled cases to auditors, one by one or balanced", "Cases"),
]  # fmt: skip


def register_hub_link(link: HubLink) -> None:
    """Add a link to every inspection's overview (call once, at import time)."""
    if link not in HUB_LINKS:
        HUB_LINKS.append(link)


def hub_links(
    inspection: Inspection, role: InspectionRole | None, *, is_admin: bool
) -> list[dict[str, object]]:
    """Groups of links the viewer may follow, as [{"group": ..., "links": [{text, href, ...}]}]."""
    groups: dict[str, list[dict[str, str]]] = {}
    for link in HUB_LINKS:
        allowed = (role is not None and role in link.roles) or (
            role is None and is_admin and link.admin
        )
        if not allowed or link.endpoint not in current_app.view_functions:
            continue
        groups.setdefault(link.group, []).append(
            {
                "text": link.text,
                "href": url_for(link.endpoint, inspection_id=inspection.id),
                "description": link.description,
            }
        )
    return [{"group": name, "links": links} for name, links in groups.items()]
