"""Evidence-log and action-plan pages and API: what each role may do, and what a user reads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import (
    ActionPlanItem,
    AuditEvent,
    EvidenceEntry,
    Inspection,
    InspectionRole,
    Recommendation,
    User,
)
from tests import factories
from tests.web.pages import page_of
from tests.web.test_api import _response_schema, _schema_validator

Login = Callable[[User], Any]


@pytest.fixture
def recs(inspection: Inspection) -> dict[str, Recommendation]:
    """The review follows up a baseline published on 19 October 2021 (R2 immediately, R6 too)."""
    baseline = factories.make_inspection("Inspection 2021", published_on=date(2021, 10, 19))
    inspection.baseline_id = baseline.id
    db.session.commit()
    return {
        "R2": factories.make_recommendation(baseline, "R2", timescale="immediately", position=2),
        "R6": factories.make_recommendation(
            baseline, "R6", chapter="Investigation", timescale="immediately", position=6
        ),
    }


def _entries_url(inspection: Inspection, rest: str = "") -> str:
    return f"/evidence/inspections/{inspection.id}/entries{rest}"


def _actions_url(inspection: Inspection, rest: str = "") -> str:
    return f"/evidence/inspections/{inspection.id}/actions{rest}"


def _entry_form(recs: dict[str, Recommendation], **changes: Any) -> dict[str, Any]:
    return {
        "kind": "force_data",
        "held_on": ["9", "9", "2022"],
        "source": "KIRAT prioritisation records",
        "description": "Cases awaiting action by priority at the time of our visit.",
        "figures": "2 high-priority cases awaiting activity\n"
        "48 medium-priority cases not yet visited\n"
        "56 low-priority cases not yet visited, 8 September 2022",
        "recommendations": [str(recs["R6"].id)],
        "chapters": ["Investigation"],
        **changes,
    }


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count(model.id))) or 0


def _logged() -> int:
    """Audit events other than signing in."""
    query = select(func.count(AuditEvent.id)).where(AuditEvent.action != "login")
    return db.session.scalar(query) or 0


def test_an_auditor_adds_evidence_and_every_member_reads_it(
    login_as: Login, auditor: User, observer: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(auditor)
    response = client.post_form(_entries_url(inspection, "/new"), _entry_form(recs))
    assert response.status_code == 302

    page = page_of(login_as(observer).get(_entries_url(inspection)))
    assert page.text("h1") == "Evidence log"
    assert page.texts(".govuk-summary-card__title") == ["Force data: KIRAT prioritisation records"]
    assert page.texts(".app-evidence-figures li") == [
        "2 high-priority cases awaiting activity (9 September 2022)",
        "48 medium-priority cases not yet visited (9 September 2022)",
        "56 low-priority cases not yet visited (8 September 2022)",
    ]
    # an observer reads only: no button to add, no links to change
    assert "Add evidence" not in page.html
    assert not page.select(".govuk-summary-card__actions")


def test_an_observer_may_not_add_evidence(
    login_as: Login, observer: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(observer)
    assert client.get(_entries_url(inspection, "/new")).status_code == 403
    response = client.post_form(_entries_url(inspection, "/new"), _entry_form(recs))
    assert response.status_code == 403
    assert _count(EvidenceEntry) == 0


def test_a_non_member_gets_404_for_the_log(
    login_as: Login, outsider: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(outsider)
    assert client.get(_entries_url(inspection)).status_code == 404
    assert client.get(_actions_url(inspection)).status_code == 404
    assert client.post_form(_entries_url(inspection, "/new"), _entry_form(recs)).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "source",
            "Interview with victim Jane Smith",
            "This source seems to hold a name ('Jane Smith'). Rephrase it",
        ),
        (
            "description",
            "Mother seen at 14 Mill Road, CB1 2AB",
            "This description seems to hold a street address and a UK postcode. Rephrase it",
        ),
        ("figures", "3 visits to DOB 12/03/2015", "This figure seems to hold a date of birth."),
    ],
)
def test_personal_data_is_refused_with_a_message_naming_it(
    login_as: Login,
    auditor: User,
    inspection: Inspection,
    recs: Any,
    field: str,
    value: str,
    message: str,
) -> None:
    response = login_as(auditor).post_form(
        _entries_url(inspection, "/new"), _entry_form(recs, **{field: value})
    )
    assert response.status_code == 200
    page = page_of(response)
    assert page.text("title").startswith("Error: ")
    assert message in page.text(".govuk-error-summary")
    assert message in page.text(f"#{field}-error")
    assert _count(EvidenceEntry) == 0
    assert _logged() == 0  # nothing logged either


def test_a_figure_that_cannot_be_read_names_its_line(
    login_as: Login, auditor: User, inspection: Inspection, recs: Any
) -> None:
    response = login_as(auditor).post_form(
        _entries_url(inspection, "/new"),
        _entry_form(recs, figures="47 cases not progressed\n2, 48 and 56 awaiting action"),
    )
    assert "Figure on line 2 must start with a number" in page_of(response).text(
        ".govuk-error-summary"
    )


def test_the_log_filters_by_kind_and_recommendation(
    login_as: Login, auditor: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(auditor)
    client.post_form(_entries_url(inspection, "/new"), _entry_form(recs))
    client.post_form(
        _entries_url(inspection, "/new"),
        _entry_form(
            recs,
            kind="interview",
            source="Demand hub supervisors",
            figures="",
            recommendations=[str(recs["R2"].id)],
            chapters=[],
        ),
    )
    by_kind = page_of(client.get(_entries_url(inspection, "?kind=interview")))
    assert by_kind.texts(".govuk-summary-card__title") == ["Interview: Demand hub supervisors"]
    by_rec = page_of(client.get(_entries_url(inspection, f"?recommendation={recs['R6'].id}")))
    assert by_rec.texts(".govuk-summary-card__title") == [
        "Force data: KIRAT prioritisation records"
    ]


def test_an_entry_is_changed_then_deleted_after_confirming(
    login_as: Login, lead: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(lead)
    client.post_form(_entries_url(inspection, "/new"), _entry_form(recs))
    entry = db.session.scalars(select(EvidenceEntry)).one()
    edit = page_of(client.get(_entries_url(inspection, f"/{entry.id}/edit")))
    assert "48 medium-priority cases not yet visited, 9 September 2022" in edit.text("#figures")
    client.post_form(
        _entries_url(inspection, f"/{entry.id}/edit"), _entry_form(recs, source="KIRAT records")
    )
    db.session.refresh(entry)
    assert entry.source == "KIRAT records"

    confirm = page_of(client.get(_entries_url(inspection, f"/{entry.id}/delete")))
    assert confirm.text("h1") == "Delete this evidence?"
    assert _count(EvidenceEntry) == 1  # nothing deleted until confirmed
    response = client.post_form(_entries_url(inspection, f"/{entry.id}/delete"))
    assert response.status_code == 302
    assert _count(EvidenceEntry) == 0
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"evidence_added", "evidence_changed", "evidence_deleted"} <= actions


@pytest.mark.parametrize(
    "rest",
    [
        "/entries/{entry}/edit",
        "/entries/{entry}/delete",
        "/actions/{action}/edit",
        "/actions/{action}/updates/new",
        "/actions/{action}/delete",
    ],
)
def test_an_entry_or_action_of_another_inspection_is_404(
    login_as: Login,
    lead: User,
    inspection: Inspection,
    other_inspection: Inspection,
    recs: Any,
    rest: str,
) -> None:
    elsewhere = factories.make_recommendation(other_inspection, "R1")
    entry = EvidenceEntry(
        inspection_id=other_inspection.id, kind="document", held_on=date(2022, 9, 9),
        source="Elsewhere", description="Not ours.",
    )  # fmt: skip
    action = ActionPlanItem(
        inspection_id=other_inspection.id, recommendation_id=elsewhere.id,
        description="Not ours.", owner="Head of PP",
    )  # fmt: skip
    db.session.add_all([entry, action])
    db.session.commit()
    url = f"/evidence/inspections/{inspection.id}" + rest.format(entry=entry.id, action=action.id)
    client = login_as(lead)
    assert client.get(url).status_code == 404
    assert client.post_form(url).status_code == 404
    assert (_count(EvidenceEntry), _count(ActionPlanItem)) == (1, 1)


# --- the action plan ---------------------------------------------------------------------------


def _add_action(client: Any, inspection: Inspection, rec: Recommendation, **changes: Any) -> Any:
    form = {
        "recommendation": str(rec.id),
        "description": "Add three investigators to the team.",
        "owner": "Head of Public Protection",
        **changes,
    }
    return client.post_form(_actions_url(inspection, "/new"), form)


def _update(client: Any, inspection: Inspection, item: ActionPlanItem, status: str) -> Any:
    return client.post_form(
        _actions_url(inspection, f"/{item.id}/updates/new"),
        {
            "given_on": ["9", "9", "2022"],
            "text": "Seen during the review.",
            "status": status,
        },
    )


def test_an_overdue_action_is_tagged_with_its_due_date(
    login_as: Login, auditor: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(auditor)
    assert _add_action(client, inspection, recs["R6"]).status_code == 302
    page = page_of(client.get(_actions_url(inspection)))
    row = page.one("#rec-R6 tbody tr")
    assert "19 October 2021" in page.text("#rec-R6 tbody tr td:nth-child(3)")
    assert [t.text for t in row.iter() if "govuk-tag--red" in (t.get("class") or "")] == ["Overdue"]
    assert page.text("#rec-R6 tbody tr td:nth-child(2)") == "Head of Public Protection"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"owner": "DCI Mrs Patel"}, "This owner seems to hold a name ('Patel')."),
        ({"description": "Call 07700 900123 weekly"}, "This action seems to hold a phone number."),
    ],
)
def test_an_action_with_personal_data_is_refused(
    login_as: Login,
    auditor: User,
    inspection: Inspection,
    recs: Any,
    changes: dict[str, str],
    message: str,
) -> None:
    response = _add_action(login_as(auditor), inspection, recs["R6"], **changes)
    assert response.status_code == 200
    assert message in page_of(response).text(".govuk-error-summary")
    assert _count(ActionPlanItem) == 0
    assert _logged() == 0


def test_an_update_with_personal_data_is_refused_and_nothing_is_kept(
    login_as: Login, auditor: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(auditor)
    _add_action(client, inspection, recs["R6"])
    item = db.session.scalars(select(ActionPlanItem)).one()
    events = _logged()
    response = client.post_form(
        _actions_url(inspection, f"/{item.id}/updates/new"),
        {"given_on": ["9", "9", "2022"], "text": "Met mother Jane Smith", "status": ""},
    )
    assert response.status_code == 200
    assert "This update seems to hold a name ('Jane Smith')." in page_of(response).text(
        ".govuk-error-summary"
    )
    db.session.refresh(item)
    assert item.updates == []
    assert _logged() == events


def test_an_auditor_is_refused_verification_and_a_lead_records_it(
    login_as: Login, auditor: User, lead: User, inspection: Inspection, recs: Any
) -> None:
    auditor_client = login_as(auditor)
    _add_action(auditor_client, inspection, recs["R6"])
    item = db.session.scalars(select(ActionPlanItem)).one()
    form = page_of(auditor_client.get(_actions_url(inspection, f"/{item.id}/updates/new")))
    assert "Verified by the inspectorate" not in form.texts(".govuk-radios__label")

    refused = _update(auditor_client, inspection, item, "verified")
    assert refused.status_code == 403
    assert "Only a lead can record that the inspectorate has verified an action" in page_of(
        refused
    ).text(".govuk-error-summary")
    db.session.refresh(item)
    assert item.status == "not_started"

    lead_client = login_as(lead)
    lead_form = page_of(lead_client.get(_actions_url(inspection, f"/{item.id}/updates/new")))
    assert "Verified by the inspectorate" in lead_form.texts(".govuk-radios__label")
    assert _update(lead_client, inspection, item, "verified").status_code == 302
    db.session.refresh(item)
    assert item.status == "verified"
    page = page_of(lead_client.get(_actions_url(inspection)))
    assert page.text("#rec-R6 tbody tr td:nth-child(4)") == "Verified by the inspectorate"
    assert "Overdue" not in page.text("#rec-R6 tbody")
    # the auditor may no longer change or delete the verified action
    assert (
        auditor_client.post_form(_actions_url(inspection, f"/{item.id}/delete")).status_code == 403
    )
    assert _count(ActionPlanItem) == 1


def test_an_observer_reads_the_plan_but_changes_nothing(
    login_as: Login, auditor: User, observer: User, inspection: Inspection, recs: Any
) -> None:
    _add_action(login_as(auditor), inspection, recs["R6"])
    item = db.session.scalars(select(ActionPlanItem)).one()
    client = login_as(observer)
    page = page_of(client.get(_actions_url(inspection)))
    assert page.text("#rec-R6 tbody tr td:nth-child(2)") == "Head of Public Protection"
    assert "Add update" not in page.html
    assert _add_action(client, inspection, recs["R2"]).status_code == 403
    assert _update(client, inspection, item, "done").status_code == 403
    assert client.post_form(_actions_url(inspection, f"/{item.id}/delete")).status_code == 403


def test_entries_and_actions_sit_beside_the_case_evidence(
    login_as: Login, auditor: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(auditor)
    client.post_form(_entries_url(inspection, "/new"), _entry_form(recs))
    _add_action(client, inspection, recs["R6"])
    page = page_of(client.get(f"/findings/inspections/{inspection.id}/recommendations"))
    assert page.texts("#rec-R6 .govuk-summary-card__title") == [
        "Force data: KIRAT prioritisation records"
    ]
    assert page.text("#rec-R6 table tbody tr td:nth-child(2)") == "Head of Public Protection"
    assert page.select("#rec-R2 .govuk-summary-card") == []


def test_the_api_gives_the_log_and_the_plan_as_documented(
    login_as: Login, auditor: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(auditor)
    client.post_form(_entries_url(inspection, "/new"), _entry_form(recs))
    _add_action(client, inspection, recs["R6"])

    evidence = client.get(f"/api/inspections/{inspection.id}/evidence").get_json()
    _schema_validator(
        _response_schema("/api/inspections/{inspection_id}/evidence", "200")
    ).validate(evidence)
    (entry,) = evidence["entries"]
    assert [(f["value"], f["as_of"]) for f in entry["figures"]] == [
        (2, "2022-09-09"),
        (48, "2022-09-09"),
        (56, "2022-09-08"),
    ]
    assert entry["recommendations"] == ["R6"]

    item = db.session.scalars(select(ActionPlanItem)).one()
    _update(client, inspection, item, "in_progress")
    plan = client.get(f"/api/inspections/{inspection.id}/action-plan").get_json()
    _schema_validator(
        _response_schema("/api/inspections/{inspection_id}/action-plan", "200")
    ).validate(plan)
    assert plan["published_on"] == "2021-10-19"
    (action,) = plan["actions"]
    assert (action["due"], action["overdue"], action["status"]) == (
        "2021-10-19",
        True,
        "in_progress",
    )
    assert action["updates"] == [
        {"date": "2022-09-09", "text": "Seen during the review.", "status": "in_progress"}
    ]


def test_the_api_is_404_for_non_members(
    login_as: Login, outsider: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(outsider)
    assert client.get(f"/api/inspections/{inspection.id}/evidence").status_code == 404
    assert client.get(f"/api/inspections/{inspection.id}/action-plan").status_code == 404


def test_a_lead_records_the_publication_date_and_actions_get_due_dates(
    login_as: Login, lead: User, inspection: Inspection
) -> None:
    baseline = factories.make_inspection("Inspection 2021", kind="full_inspection")
    factories.add_member(baseline, lead, InspectionRole.LEAD)
    inspection.baseline_id = baseline.id
    db.session.commit()
    rec = factories.make_recommendation(baseline, "R1", timescale="within six months")
    client = login_as(lead)
    _add_action(client, inspection, rec)
    before = page_of(client.get(_actions_url(inspection)))
    assert "publication date is not recorded" in before.text(".govuk-warning-text")
    assert before.text("#rec-R1 tbody tr td:nth-child(3)").startswith("None")

    response = client.post_form(
        f"/inspections/{baseline.id}/edit",
        {
            "title": baseline.title,
            "force": baseline.force,
            "kind": "full_inspection",
            "start_date": ["5", "7", "2021"],
            "end_date": ["", "", ""],
            "baseline_id": "",
            "progress_min_cases": "5",
            "published_on": ["19", "10", "2021"],
        },
    )
    assert response.status_code == 302
    db.session.refresh(baseline)
    assert baseline.published_on == date(2021, 10, 19)
    after = page_of(client.get(_actions_url(inspection)))
    assert after.select(".govuk-warning-text") == []
    assert after.text("#rec-R1 tbody tr td:nth-child(3)").startswith("19 April 2022")
    assert "Within six months of publication (19 October 2021)" in after.text("#rec-R1 tbody")


def test_the_exports_carry_the_log_and_the_plan_with_formulas_neutralised(
    login_as: Login, lead: User, inspection: Inspection, recs: Any
) -> None:
    client = login_as(lead)
    client.post_form(
        _entries_url(inspection, "/new"), _entry_form(recs, source='=HYPERLINK("http://x")')
    )
    _add_action(client, inspection, recs["R6"], owner="@Head of Public Protection")
    evidence = client.get(f"/exports/{inspection.id}/csv/evidence.csv")
    assert evidence.status_code == 200
    (row,) = csv.DictReader(io.StringIO(evidence.data.decode("utf-8-sig")))
    assert row["Source"] == '\'=HYPERLINK("http://x")'
    assert row["Figures"].splitlines()[1] == (
        "48 medium-priority cases not yet visited (9 September 2022)"
    )
    assert row["Recommendations"] == "R6"
    actions = client.get(f"/exports/{inspection.id}/csv/actions.csv")
    (action,) = csv.DictReader(io.StringIO(actions.data.decode("utf-8-sig")))
    assert action["Owner"] == "'@Head of Public Protection"
    assert (action["Due"], action["Overdue"], action["Status"]) == (
        "2021-10-19",
        "Yes",
        "Not started",
    )
