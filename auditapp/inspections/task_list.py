"""The set-up task list on an inspection's overview, as govukTaskList parameters."""

from __future__ import annotations

from typing import Any

from flask import url_for

from auditapp.domain.setup_tasks import SetupTask, TaskStatus
from auditapp.models import Inspection

# Where each task is done (its key -> endpoint), in the order of the list.
TASK_ENDPOINTS = {
    "scope": "inspections.choose_question_sets",
    "members": "inspections.list_members",
    "import": "inspections.import_cases",
    "sample": "inspections.show_sampling",
    "assign": "inspections.assign_cases",
}
# GOV.UK task list: an unfinished task's status is a tag, a finished one plain text.
_TAG_CLASSES = {
    TaskStatus.NOT_STARTED: "govuk-tag--blue",
    TaskStatus.IN_PROGRESS: "govuk-tag--light-blue",
}


def task_list_params(inspection: Inspection, tasks: list[SetupTask]) -> dict[str, Any]:
    """govukTaskList parameters: each task links to its page and shows its status."""
    items = []
    for task in tasks:
        if task.status == TaskStatus.COMPLETED:
            status: dict[str, Any] = {"text": task.status.label}
        else:
            status = {"tag": {"text": task.status.label, "classes": _TAG_CLASSES[task.status]}}
        items.append(
            {
                "title": {"text": task.title},
                "hint": {"text": task.hint},
                "href": url_for(TASK_ENDPOINTS[task.key], inspection_id=inspection.id),
                "status": status,
            }
        )
    return {"idPrefix": "setup", "items": items, "attributes": {"id": "setup-tasks"}}
