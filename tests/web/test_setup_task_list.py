"""The set-up task list on an inspection's overview, for leads and admins only."""

from __future__ import annotations

import re
from typing import Any

from auditapp.extensions import db
from auditapp.models import Inspection, User
from tests import factories
from tests.web.test_sampling import list_cases


def task_statuses(page: str) -> dict[str, str]:
    """Each task's title and the status shown beside it."""
    items = re.findall(
        r'govuk-task-list__link"[^>]*>\s*(.*?)\s*</a>.*?govuk-task-list__status[^>]*>(.*?)</div>',
        page,
        re.S,
    )
    return {title: re.sub(r"<[^>]+>|\s+", " ", status).strip() for title, status in items}


def test_a_new_inspection_shows_every_task_not_yet_started(login_as: Any, admin: User) -> None:
    inspection = factories.make_inspection("A new review")
    page = login_as(admin).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert task_statuses(page) == {
        "Choose the case types in scope": "Not yet started",
        "Add the team": "Not yet started",
        "Import the case list": "Not yet started",
        "Draw the sample": "Not yet started",
        "Assign the sampled cases": "Not yet started",
    }
    assert f'href="/inspections/{inspection.id}/import"' in page


def test_statuses_follow_the_data_as_the_lead_sets_up(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    cases = list_cases(inspection, 10, slug="domestic-abuse", prefix="DA")
    list_cases(inspection, 0, slug="missing-child")  # in scope, no cases listed
    c = login_as(lead)
    page = c.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    tasks = task_statuses(page)
    assert tasks["Choose the case types in scope"] == "Completed"
    assert tasks["Add the team"] == "Completed"
    # two case types in scope, one with cases listed
    assert tasks["Import the case list"] == "In progress"
    assert tasks["Draw the sample"] == "Not yet started"
    for case in cases[:4]:
        case.in_sample = True
    cases[0].auditor_id = auditor.id
    db.session.commit()
    tasks = task_statuses(c.get(f"/inspections/{inspection.id}").get_data(as_text=True))
    assert tasks["Draw the sample"] == "Completed"  # every type with cases listed is sampled
    assert tasks["Assign the sampled cases"] == "In progress"
    assert "1 of 4 sampled cases assigned" in c.get(f"/inspections/{inspection.id}").get_data(
        as_text=True
    )


def test_auditors_see_no_task_list(login_as: Any, inspection: Inspection, auditor: User) -> None:
    page = login_as(auditor).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "govuk-task-list" not in page and "Set up the inspection" not in page
