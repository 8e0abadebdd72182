"""Inspection set-up: the overview hub, details, baseline, members and question-set versions,
plus who may reach each inspections page (sign-in, 404 for non-members, 403 for wrong roles)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from auditapp.domain.question_sets import dump_question_set, load_library
from auditapp.extensions import db
from auditapp.models import (
    AuditEvent,
    Case,
    CaseStatus,
    Inspection,
    InspectionQuestionSet,
    InspectionRole,
    Membership,
    QuestionSet,
    User,
)
from auditapp.services import inspections
from auditapp.services.question_sets import import_question_set
from tests import factories

GET_PAGES = [
    "/inspections/{id}/edit",
    "/inspections/{id}/members",
    "/inspections/{id}/question-sets",
    "/inspections/{id}/import",
    "/inspections/{id}/sampling",
    "/inspections/{id}/cases",
    "/inspections/{id}/assignment",
]
POST_PAGES = [
    "/inspections/{id}/edit",
    "/inspections/{id}/members",
    "/inspections/{id}/members/1/role",
    "/inspections/{id}/members/1/remove",
    "/inspections/{id}/question-sets",
    "/inspections/{id}/import",
    "/inspections/{id}/sampling",
    "/inspections/{id}/cases",
    "/inspections/{id}/assignment",
]


def question_set_v2(slug: str = "domestic-abuse") -> QuestionSet:
    """A second version of a library set (same questions, new version number)."""
    factories.question_set(slug)
    data = next(d for d in load_library() if d.case_type == slug)
    text = dump_question_set(data).replace("\nversion: 1\n", "\nversion: 2\n", 1)
    row = import_question_set(text, filename=f"{slug}-v2.yaml")
    db.session.commit()
    return row


def events(action: str, entity: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity == entity)
        )
    )


# Who may reach which page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/inspections/{id}", "/inspections/", "/inspections/new", *GET_PAGES]
)
def test_signed_out_visitor_is_sent_to_sign_in(
    client: Any, inspection: Inspection, path: str
) -> None:
    response = client.get(path.format(id=inspection.id))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", POST_PAGES)
def test_signed_out_post_is_sent_to_sign_in(client: Any, inspection: Inspection, path: str) -> None:
    response = client.post_form(path.format(id=inspection.id), {})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/inspections/{id}", *GET_PAGES])
def test_non_member_gets_not_found(
    login_as: Any, inspection: Inspection, outsider: User, path: str
) -> None:
    assert login_as(outsider).get(path.format(id=inspection.id)).status_code == 404


@pytest.mark.parametrize("path", POST_PAGES)
def test_non_member_post_gets_not_found(
    login_as: Any, inspection: Inspection, outsider: User, path: str
) -> None:
    assert login_as(outsider).post_form(path.format(id=inspection.id), {}).status_code == 404


@pytest.mark.parametrize("who", ["auditor", "observer"])
@pytest.mark.parametrize("path", GET_PAGES)
def test_auditors_and_observers_cannot_open_set_up_pages(
    login_as: Any, inspection: Inspection, request: Any, who: str, path: str
) -> None:
    user = request.getfixturevalue(who)
    assert login_as(user).get(path.format(id=inspection.id)).status_code == 403


@pytest.mark.parametrize("path", POST_PAGES)
def test_auditor_cannot_post_set_up_changes(
    login_as: Any, inspection: Inspection, auditor: User, path: str
) -> None:
    assert login_as(auditor).post_form(path.format(id=inspection.id), {}).status_code == 403


@pytest.mark.parametrize("who", ["lead", "admin"])
@pytest.mark.parametrize("path", ["/inspections/{id}", *GET_PAGES])
def test_lead_and_admin_open_every_set_up_page(
    login_as: Any, inspection: Inspection, request: Any, who: str, path: str
) -> None:
    factories.question_set()
    user = request.getfixturevalue(who)
    response = login_as(user).get(path.format(id=inspection.id))
    assert response.status_code == 200
    assert inspection.title in response.get_data(as_text=True)


def test_only_admins_create_inspections(login_as: Any, lead: User) -> None:
    c = login_as(lead)
    assert c.get("/inspections/new").status_code == 403
    assert c.post_form("/inspections/new", {"title": "Mine"}).status_code == 403


# The hub ----------------------------------------------------------------------------------------


def test_hub_shows_details_members_progress_and_set_up_links_to_lead(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    factories.make_case(inspection, "DA-1", auditor=auditor)
    factories.make_case(inspection, "DA-2", status=CaseStatus.SUBMITTED, auditor=auditor)
    case = factories.make_case(inspection, "DA-3")
    case.in_sample = False
    db.session.commit()
    page = login_as(lead).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "Testshire Constabulary" in page
    assert "auditor" in page and "lead" in page  # members listed
    table = page[page.index('id="progress-table"') :]
    table = table[: table.index("</table>")]
    assert "Domestic abuse incident with children present or linked" in table
    # listed 3, sampled 2, assigned 2, draft 1, submitted 1, moderated 0
    cells = [c.split(">")[-1] for c in table.split("</td>")[:-1]]
    assert cells[-6:] == ["3", "2", "2", "1", "1", "0"]
    for text in (
        "Members",
        "Case types and question sets",
        "Import a case list",
        "Sampling",
        "Assign cases",
    ):
        assert f">{text}</a>" in page


def test_hub_shows_auditor_no_set_up_links(
    login_as: Any, inspection: Inspection, auditor: User
) -> None:
    page = login_as(auditor).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "Your role" in page and "Auditor" in page
    assert "Import a case list" not in page
    assert "/members" not in page


def test_hub_builds_every_link_for_a_lead_and_a_missing_endpoint_fails(
    app: Flask,
    login_as: Any,
    inspection: Inspection,
    lead: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from auditapp.inspections import links

    page = login_as(lead).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    for link in links.HUB_LINKS:
        assert f">{link.text}</a>" in page
    for group in ("Set up", "Cases", "Findings", "Moderation"):
        assert group in page
    gone = links.HubLink("Renamed page", "inspections.no_such_page", group="Results")
    monkeypatch.setattr(links, "HUB_LINKS", (*links.HUB_LINKS, gone))
    with app.test_request_context(), pytest.raises(BuildError):
        links.hub_links(inspection, InspectionRole.LEAD, is_admin=False)


# Creating and editing ----------------------------------------------------------------------------


def _details(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Child protection inspection 2025",
        "force": "Northshire Police",
        "kind": "full_inspection",
        "start_date": ["3", "3", "2025"],
        "end_date": ["14", "3", "2025"],
        "baseline_id": "",
        "progress_min_cases": "5",
    }
    data.update(overrides)
    return data


def test_admin_creates_inspection_with_lead_and_no_case_types_in_scope(
    login_as: Any, admin: User
) -> None:
    factories.question_set("domestic-abuse")
    v2 = question_set_v2("domestic-abuse")
    factories.question_set("missing-child")
    lead = factories.make_user("newlead@example.test", name="Nia Lead")
    response = login_as(admin).post_form(
        "/inspections/new", _details(lead_email="NewLead@example.test")
    )
    assert response.status_code == 302
    inspection = db.session.scalar(
        select(Inspection).where(Inspection.force == "Northshire Police")
    )
    assert inspection is not None
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}")
    membership = db.session.scalar(select(Membership).where(Membership.user_id == lead.id))
    assert membership is not None and membership.role == InspectionRole.LEAD
    # no baseline: the lead chooses the case types in scope (tests/web/test_inspection_scope.py)
    assert inspection.question_set_choices == []
    assert v2.version == 2
    assert events("create", "inspection")[0].new_value == "Child protection inspection 2025"


def test_create_with_unknown_lead_says_so_and_stores_nothing(login_as: Any, admin: User) -> None:
    response = login_as(admin).post_form("/inspections/new", _details(lead_email="x@nowhere.test"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Error: Create an inspection" in page
    assert "There is no user with email x@nowhere.test" in page
    assert db.session.scalar(select(func.count(Inspection.id))) == 0


def test_create_refuses_end_before_start(login_as: Any, admin: User) -> None:
    factories.make_user("l@example.test")
    response = login_as(admin).post_form(
        "/inspections/new", _details(lead_email="l@example.test", end_date=["1", "1", "2025"])
    )
    assert "The end date must be on or after the start date" in response.get_data(as_text=True)


def test_create_needs_title_and_force(login_as: Any, admin: User) -> None:
    response = login_as(admin).post_form(
        "/inspections/new", _details(title="", force="", lead_email="l@example.test")
    )
    page = response.get_data(as_text=True)
    assert "Enter a title" in page and "Enter the force inspected" in page


def test_lead_edits_details_and_links_a_baseline_they_can_see(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    baseline = factories.make_inspection("NCPI 2021")
    factories.add_member(baseline, lead, InspectionRole.OBSERVER)
    c = login_as(lead)
    assert "NCPI 2021" in c.get(f"/inspections/{inspection.id}/edit").get_data(as_text=True)
    response = c.post_form(
        f"/inspections/{inspection.id}/edit",
        _details(title="Review 2022 (revised)", baseline_id=str(baseline.id)),
    )
    assert response.status_code == 302
    db.session.refresh(inspection)
    assert inspection.title == "Review 2022 (revised)"
    assert inspection.baseline_id == baseline.id
    changed = {e.field: (e.old_value, e.new_value) for e in events("update", "inspection")}
    assert changed["title"] == ("Review 2022", "Review 2022 (revised)")
    assert changed["baseline_id"] == (None, str(baseline.id))
    page = c.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "NCPI 2021" in page


def test_lead_sets_the_fewest_cases_for_a_progress_suggestion(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    page = c.get(f"/inspections/{inspection.id}/edit").get_data(as_text=True)
    assert "Fewest cases for a progress suggestion" in page
    assert 'name="progress_min_cases"' in page and 'value="5"' in page  # the default
    response = c.post_form(f"/inspections/{inspection.id}/edit", _details(progress_min_cases="8"))
    assert response.status_code == 302
    db.session.refresh(inspection)
    assert inspection.progress_min_cases == 8
    changed = {e.field: (e.old_value, e.new_value) for e in events("update", "inspection")}
    assert changed["progress_min_cases"] == ("5", "8")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Fewest cases must be a whole number from 1 to 1,000"),
        ("1001", "Fewest cases must be a whole number from 1 to 1,000"),
        ("five", "Not a valid integer value"),
        ("2.5", "Not a valid integer value"),
        ("", "Enter the fewest cases for a progress suggestion"),
    ],
)
def test_fewest_cases_outside_its_bounds_is_refused_and_nothing_changes(
    login_as: Any, inspection: Inspection, lead: User, value: str, message: str
) -> None:
    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/edit", _details(progress_min_cases=value)
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(inspection)
    assert inspection.progress_min_cases == 5
    assert events("update", "inspection") == []


@pytest.mark.parametrize("value", [0, -3, 1001, True, "5", None])
def test_service_refuses_a_fewest_cases_that_is_not_a_whole_number_in_bounds(
    inspection: Inspection, lead: User, value: object
) -> None:
    with pytest.raises(inspections.InspectionSetupError) as refused:
        inspections.update_inspection(inspection, {"progress_min_cases": value}, by=lead)
    assert refused.value.field == "progress_min_cases"
    db.session.refresh(inspection)
    assert inspection.progress_min_cases == 5


def test_baseline_must_be_an_inspection_the_lead_can_see(
    login_as: Any, inspection: Inspection, lead: User, other_inspection: Inspection
) -> None:
    c = login_as(lead)
    page = c.get(f"/inspections/{inspection.id}/edit").get_data(as_text=True)
    assert other_inspection.title not in page
    response = c.post_form(
        f"/inspections/{inspection.id}/edit", _details(baseline_id=str(other_inspection.id))
    )
    assert response.status_code == 200
    db.session.refresh(inspection)
    assert inspection.baseline_id is None


def test_inspection_cannot_follow_up_itself_or_its_own_review(
    login_as: Any, inspection: Inspection, admin: User
) -> None:
    review = factories.make_inspection("Later review", baseline_id=inspection.id)
    page = login_as(admin).get(f"/inspections/{inspection.id}/edit").get_data(as_text=True)
    select_html = page[page.index('name="baseline_id"') :]
    select_html = select_html[: select_html.index("</select>")]
    assert review.title not in select_html
    assert f'value="{inspection.id}"' not in select_html


# Members ------------------------------------------------------------------------------------------


def test_lead_adds_member_by_email_with_role(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    newcomer = factories.make_user("newcomer@example.test", name="Nat Newcomer")
    c = login_as(lead)
    response = c.post_form(
        f"/inspections/{inspection.id}/members",
        {"email": "NEWCOMER@example.test", "role": "auditor"},
    )
    assert response.status_code == 302
    assert "Added Nat Newcomer as auditor." in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    membership = db.session.scalar(select(Membership).where(Membership.user_id == newcomer.id))
    assert membership is not None and membership.role == InspectionRole.AUDITOR
    assert events("add", "membership")[-1].new_value == "newcomer@example.test: auditor"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("ghost@example.test", "There is no user with email ghost@example.test"),
        ("auditor@example.test", "is already a member (auditor)"),
        ("", "Enter the email address of the person to add"),
    ],
)
def test_adding_member_explains_refusals(
    login_as: Any, inspection: Inspection, lead: User, auditor: User, email: str, message: str
) -> None:
    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/members", {"email": email, "role": "auditor"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Members" in page
    assert message in page


def _membership(inspection: Inspection, user: User) -> Membership:
    row = db.session.scalar(
        select(Membership).where(
            Membership.inspection_id == inspection.id, Membership.user_id == user.id
        )
    )
    assert row is not None
    return row


def test_lead_changes_a_members_role(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    m = _membership(inspection, auditor)
    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/members/{m.id}/role", {f"m{m.id}-role": "lead"}
    )
    assert response.status_code == 302
    db.session.refresh(m)
    assert m.role == InspectionRole.LEAD
    event = events("update", "membership")[-1]
    assert (event.old_value, event.new_value) == ("auditor", "lead")


def test_last_lead_cannot_be_demoted_or_removed(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    m = _membership(inspection, lead)
    c = login_as(lead)
    response = c.post_form(
        f"/inspections/{inspection.id}/members/{m.id}/role", {f"m{m.id}-role": "auditor"}
    )
    assert "An inspection needs a lead" in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    response = c.post_form(f"/inspections/{inspection.id}/members/{m.id}/remove", {})
    assert "you cannot remove the last lead" in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.session.refresh(m)
    assert m.role == InspectionRole.LEAD


def test_lead_removes_a_member_without_cases(
    login_as: Any, inspection: Inspection, lead: User, observer: User
) -> None:
    m = _membership(inspection, observer)
    c = login_as(lead)
    response = c.post_form(f"/inspections/{inspection.id}/members/{m.id}/remove", {})
    assert response.status_code == 302
    assert db.session.get(Membership, m.id) is None
    assert login_as(observer).get(f"/inspections/{inspection.id}").status_code == 404
    assert events("remove", "membership")[-1].old_value == "observer@example.test: observer"


def test_member_holding_cases_is_not_removed(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    factories.make_case(inspection, "DA-1", auditor=auditor)
    m = _membership(inspection, auditor)
    c = login_as(lead)
    response = c.post_form(f"/inspections/{inspection.id}/members/{m.id}/remove", {})
    assert "holds 1 case: reassign them first" in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert db.session.get(Membership, m.id) is not None


def test_membership_of_another_inspection_is_not_found(
    login_as: Any, inspection: Inspection, lead: User, outsider: User, other_inspection: Inspection
) -> None:
    m = _membership(other_inspection, outsider)
    response = login_as(lead).post_form(f"/inspections/{inspection.id}/members/{m.id}/remove", {})
    assert response.status_code == 404
    assert db.session.get(Membership, m.id) is not None


# Question-set versions ---------------------------------------------------------------------------


def test_choosing_a_version_keeps_cases_already_given_one(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    v1 = factories.question_set("domestic-abuse")
    started = factories.make_case(inspection, "DA-1")  # sampled on version 1
    v2 = question_set_v2("domestic-abuse")
    c = login_as(lead)
    page = c.get(f"/inspections/{inspection.id}/question-sets").get_data(as_text=True)
    assert "Version 2" in page and "(latest)" in page
    response = c.post_form(
        f"/inspections/{inspection.id}/question-sets",
        {"in_scope": str(v1.case_type_id), f"case_type_{v1.case_type_id}": str(v2.id)},
    )
    assert response.status_code == 302
    choice = db.session.scalar(
        select(InspectionQuestionSet).where(InspectionQuestionSet.inspection_id == inspection.id)
    )
    assert choice is not None and choice.question_set_id == v2.id
    db.session.refresh(started)
    assert started.question_set_id == v1.id
    assert events("choose", "question_set")[-1].new_value == "v2"
    # back to version 1: recorded with the old value
    c.post_form(
        f"/inspections/{inspection.id}/question-sets",
        {"in_scope": str(v1.case_type_id), f"case_type_{v1.case_type_id}": str(v1.id)},
    )
    event = events("choose", "question_set")[-1]
    assert (event.old_value, event.new_value) == ("v2", "v1")


def test_version_of_another_case_type_is_refused(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    da = factories.question_set("domestic-abuse")
    mc = factories.question_set("missing-child")
    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/question-sets",
        {"in_scope": str(da.case_type_id), f"case_type_{da.case_type_id}": str(mc.id)},
    )
    assert response.status_code == 200
    assert "Choose one of the listed versions" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(InspectionQuestionSet.id))) == 0


def test_changing_version_does_not_touch_sampled_cases_count(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    factories.make_case(inspection, "DA-1")
    factories.make_case(inspection, "DA-2")
    before = db.session.scalar(select(func.count(Case.id)).where(Case.question_set_id.is_not(None)))
    v2 = question_set_v2()
    login_as(lead).post_form(
        f"/inspections/{inspection.id}/question-sets",
        {"in_scope": str(v2.case_type_id), f"case_type_{v2.case_type_id}": str(v2.id)},
    )
    assert db.session.scalar(select(func.count(Case.id)).where(Case.question_set_id == v2.id)) == 0
    assert before == 2


def test_admin_sees_every_inspection_as_links(
    login_as: Any, admin: User, inspection: Inspection, other_inspection: Inspection
) -> None:
    page = login_as(admin).get("/inspections/").get_data(as_text=True)
    assert f'<a class="govuk-link" href="/inspections/{inspection.id}">Review 2022</a>' in page
    assert "Another force&#39;s review</a>" in page
    assert "Create an inspection" in page


def test_lead_sees_only_their_inspections_and_cannot_create(
    login_as: Any, lead: User, inspection: Inspection, other_inspection: Inspection
) -> None:
    page = login_as(lead).get("/inspections/").get_data(as_text=True)
    assert "Review 2022</a>" in page
    assert "Another force" not in page
    assert "Create an inspection" not in page


def test_member_buttons_name_the_member_for_screen_readers(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    page = login_as(lead).get(f"/inspections/{inspection.id}/members").get_data(as_text=True)
    assert 'Remove<span class="govuk-visually-hidden"> auditor</span>' in page
    assert 'Change role<span class="govuk-visually-hidden"> of auditor</span>' in page


def test_lead_saving_details_keeps_a_baseline_they_cannot_see(
    login_as: Any, inspection: Inspection, lead: User, other_inspection: Inspection
) -> None:
    inspection.baseline_id = other_inspection.id
    db.session.commit()
    c = login_as(lead)
    page = c.get(f"/inspections/{inspection.id}/edit").get_data(as_text=True)
    assert f'<option value="{other_inspection.id}" selected' in page
    response = c.post_form(
        f"/inspections/{inspection.id}/edit",
        _details(title="Renamed", baseline_id=str(other_inspection.id)),
    )
    assert response.status_code == 302
    db.session.refresh(inspection)
    assert (inspection.title, inspection.baseline_id) == ("Renamed", other_inspection.id)


@pytest.mark.parametrize("parts", [[], ["5"], ["5", "9"], ["5", "9", "2022", "extra"]])
def test_create_with_missing_or_extra_date_parts_gets_a_message_not_an_error(
    login_as: Any, admin: User, parts: list[str]
) -> None:
    details = _details(title="", lead_email="l@example.test")
    details["start_date"] = parts
    response = login_as(admin).post_form("/inspections/new", details)
    assert response.status_code == 200
    assert "<title>Error: Create an inspection" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Inspection.id))) == 0
