"""Sampling pages: reproducible draws, stratification, hand changes, size help and assignment."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import (
    Answer,
    AuditEvent,
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    InspectionRole,
    SampleDraw,
    User,
)
from auditapp.services.inspections import choose_question_sets
from tests import factories


def list_cases(
    inspection: Inspection,
    n: int,
    *,
    slug: str = "domestic-abuse",
    prefix: str = "DA",
    **attrs: Any,
) -> list[Case]:
    """n unsampled cases as an import leaves them; attrs maps a column to a list of values."""
    qs = factories.question_set(slug)
    factories.scope(inspection, slug)
    cases = []
    for i in range(n):
        case = Case(
            inspection_id=inspection.id,
            case_type_id=qs.case_type_id,
            reference=f"{prefix}-{i + 1:03d}",
            case_date=date(2022, 6, 1),
            attributes={key: values[i] for key, values in attrs.items()},
        )
        db.session.add(case)
        cases.append(case)
    db.session.commit()
    return cases


def case_type_id(slug: str = "domestic-abuse") -> int:
    return db.session.scalar(select(CaseType.id).where(CaseType.slug == slug))  # type: ignore[return-value]  # the demo case type exists


def sampled_refs(inspection: Inspection) -> list[str]:
    return sorted(
        db.session.scalars(
            select(Case.reference).where(
                Case.inspection_id == inspection.id, Case.in_sample.is_(True)
            )
        )
    )


def draw(client: Any, inspection: Inspection, size: str, **extra: Any) -> Any:
    """Post the one-step draw form with a size for one case type (the others left blank)."""
    type_id = extra.pop("case_type_id", case_type_id())
    data = {f"size-{type_id}": size, "stratify_by": "", "seed": ""}
    data.update({k: str(v) for k, v in extra.items()})
    return client.post_form(f"/inspections/{inspection.id}/sampling", data)


# Drawing ----------------------------------------------------------------------------------------


def test_draw_records_seed_and_frame_and_shows_them(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    list_cases(inspection, 212)
    c = login_as(lead)
    response = draw(c, inspection, "5", seed=4821)
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    expected = "5 of 212 domestic abuse incident with children present or linked cases, seed 4821"
    assert f"Drew {expected}." in page  # the flash
    assert expected in page[page.index('id="draws"') :]  # and the record of draws
    row = db.session.scalar(select(SampleDraw))
    assert row is not None
    assert (row.seed, row.frame_size, row.sample_size, row.requested) == (4821, 212, 5, "5")
    assert row.drawn_by_id == lead.id
    assert len(sampled_refs(inspection)) == 5
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "sample"))
    assert event is not None and "seed 4821" in (event.new_value or "")


def test_same_seed_and_same_frame_give_the_same_sample(
    login_as: Any, inspection: Inspection, lead: User, other_inspection: Inspection
) -> None:
    list_cases(inspection, 60)
    list_cases(other_inspection, 60)
    factories.add_member(other_inspection, lead, InspectionRole.LEAD)
    c = login_as(lead)
    draw(c, inspection, "7", seed=1234)
    draw(c, other_inspection, "7", seed=1234)
    assert sampled_refs(inspection) == sampled_refs(other_inspection)
    assert len(sampled_refs(inspection)) == 7


def test_different_seed_gives_a_different_sample(
    login_as: Any, inspection: Inspection, lead: User, other_inspection: Inspection
) -> None:
    list_cases(inspection, 60)
    list_cases(other_inspection, 60)
    factories.add_member(other_inspection, lead, InspectionRole.LEAD)
    c = login_as(lead)
    draw(c, inspection, "7", seed=1234)
    draw(c, other_inspection, "7", seed=4321)
    assert sampled_refs(inspection) != sampled_refs(other_inspection)


def test_seed_is_chosen_and_recorded_when_not_given(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    list_cases(inspection, 30)
    draw(login_as(lead), inspection, "10%")
    row = db.session.scalar(select(SampleDraw))
    assert row is not None
    assert 1000 <= row.seed <= 9999
    assert (row.requested, row.sample_size, row.frame_size) == ("10%", 3, 30)


def test_second_draw_adds_from_cases_not_yet_sampled(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    list_cases(inspection, 20)
    c = login_as(lead)
    draw(c, inspection, "5", seed=1)
    first = set(sampled_refs(inspection))
    draw(c, inspection, "5", seed=1)
    assert len(sampled_refs(inspection)) == 10
    assert first < set(sampled_refs(inspection))
    frames = [d.frame_size for d in db.session.scalars(select(SampleDraw).order_by(SampleDraw.id))]
    assert frames == [20, 15]


def test_stratified_draw_keeps_the_case_lists_proportions(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    areas = ["North"] * 60 + ["South"] * 30 + ["East"] * 10
    cases = list_cases(inspection, 100, Area=areas)
    area_of = {case.reference: case.attributes["Area"] for case in cases}
    c = login_as(lead)
    assert "Area" in c.get(f"/inspections/{inspection.id}/sampling").get_data(as_text=True)
    response = draw(c, inspection, "20", seed=77, stratify_by="Area")
    assert response.status_code == 302
    counts = Counter(area_of[ref] for ref in sampled_refs(inspection))
    assert counts == {"North": 12, "South": 6, "East": 2}
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "seed 77, stratified by Area" in page


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("25", "Cannot draw 25 cases from 20"),
        ("lots", "Enter a number of cases, like 5, or a percentage, like 10%"),
        ("", "Enter how many cases to draw"),
        ("150%", "Enter a percentage between 0 and 100"),
    ],
)
def test_impossible_draws_are_refused_with_a_reason(
    login_as: Any, inspection: Inspection, lead: User, size: str, message: str
) -> None:
    list_cases(inspection, 20)
    response = draw(login_as(lead), inspection, size)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Sampling" in page
    assert message in page
    assert sampled_refs(inspection) == []
    assert db.session.scalar(select(SampleDraw)) is None


def test_sampled_cases_get_the_inspections_chosen_question_set(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    from tests.web.test_inspections import question_set_v2

    list_cases(inspection, 10)
    v2 = question_set_v2()
    choose_question_sets(inspection, {v2.case_type_id: v2.id}, by=None)
    db.session.commit()
    draw(login_as(lead), inspection, "3", seed=5)
    versions = set(db.session.scalars(select(Case.question_set_id).where(Case.in_sample.is_(True))))
    assert versions == {v2.id}
    unsampled = set(
        db.session.scalars(select(Case.question_set_id).where(Case.in_sample.is_(False)))
    )
    assert unsampled == {None}


# Size help ---------------------------------------------------------------------------------------


def test_size_help_shows_needed_size_and_margins(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    list_cases(inspection, 212)
    c = login_as(lead)
    draw(c, inspection, "5", seed=4821)
    page = c.get(f"/inspections/{inspection.id}/sampling").get_data(as_text=True)
    table = page[page.index('id="frames"') : page.index("</table>")]
    assert "Needed for ±10%" in table
    assert ">67<" in table  # N = 212 at ±10%, 95% confidence, with the FPC
    assert "±43.4%" in table  # what the 5 drawn cases give
    page = c.get(f"/inspections/{inspection.id}/sampling?margin=5&check_size=100").get_data(
        as_text=True
    )
    table = page[page.index('id="frames"') : page.index("</table>")]
    assert "Needed for ±5%" in table and ">137<" in table
    assert "Margin with 100 cases" in table and "±7.1%" in table


def test_size_help_refuses_a_silly_margin(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    list_cases(inspection, 50)
    page = (
        login_as(lead)
        .get(f"/inspections/{inspection.id}/sampling?margin=90")
        .get_data(as_text=True)
    )
    assert "Enter a margin between 1 and 50" in page
    assert "Needed for ±10%" in page  # falls back to the default


# By hand -----------------------------------------------------------------------------------------


def test_lead_adds_and_removes_cases_by_hand(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    cases = list_cases(inspection, 4)
    c = login_as(lead)
    page = c.get(f"/inspections/{inspection.id}/cases").get_data(as_text=True)
    assert 'name="case_ids"' in page and "DA-001" in page
    response = c.post_form(
        f"/inspections/{inspection.id}/cases",
        {"case_ids": [str(cases[0].id), str(cases[2].id)], "action": "add"},
    )
    assert response.status_code == 302
    assert "Added 2 cases to the sample." in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert sampled_refs(inspection) == ["DA-001", "DA-003"]
    db.session.refresh(cases[0])
    assert cases[0].question_set_id is not None and cases[0].sample_draw_id is None
    page = c.get(f"/inspections/{inspection.id}/cases?show=sampled").get_data(as_text=True)
    assert "By hand" in page and "Not sampled" not in page and "DA-002" not in page
    c.post_form(
        f"/inspections/{inspection.id}/cases", {"case_ids": [str(cases[0].id)], "action": "remove"}
    )
    assert sampled_refs(inspection) == ["DA-003"]
    actions = [
        (e.action, e.case_id)
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "sample"))
    ]
    assert actions == [("add", cases[0].id), ("add", cases[2].id), ("remove", cases[0].id)]


def test_case_being_audited_stays_in_the_sample(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    case = factories.make_case(inspection, "DA-1", auditor=auditor)
    db.session.add(Answer(case_id=case.id, question_code="q1", value="yes"))
    db.session.commit()
    c = login_as(lead)
    response = c.post_form(
        f"/inspections/{inspection.id}/cases", {"case_ids": [str(case.id)], "action": "remove"}
    )
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cases already being audited stay in the sample: DA-1" in page
    assert sampled_refs(inspection) == ["DA-1"]


def test_cases_of_another_inspection_cannot_be_sampled(
    login_as: Any, inspection: Inspection, lead: User, other_inspection: Inspection
) -> None:
    (foreign,) = list_cases(other_inspection, 1)
    c = login_as(lead)
    response = c.post_form(
        f"/inspections/{inspection.id}/cases", {"case_ids": [str(foreign.id)], "action": "add"}
    )
    assert "not in this inspection" in c.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(foreign)
    assert foreign.in_sample is False


def test_nothing_selected_is_explained(login_as: Any, inspection: Inspection, lead: User) -> None:
    list_cases(inspection, 2)
    c = login_as(lead)
    response = c.post_form(f"/inspections/{inspection.id}/cases", {"action": "add"})
    assert "Select at least one case" in c.get(response.headers["Location"]).get_data(as_text=True)


# Assignment --------------------------------------------------------------------------------------


def sampled(inspection: Inspection, n: int) -> list[Case]:
    cases = list_cases(inspection, n)
    for case in cases:
        case.in_sample = True
        case.question_set_id = factories.question_set().id
    db.session.commit()
    return cases


def test_lead_assigns_selected_cases_to_an_auditor(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    cases = sampled(inspection, 3)
    c = login_as(lead)
    response = c.post_form(
        f"/inspections/{inspection.id}/assignment",
        {"case_ids": [str(cases[0].id), str(cases[1].id)], "auditor_id": str(auditor.id),
         "action": "assign"},
    )  # fmt: skip
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Assigned 2 cases." in page
    assert [c_.auditor_id for c_ in cases] == [auditor.id, auditor.id, None]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assign", AuditEvent.case_id == cases[0].id)
    )
    assert event is not None and event.new_value == str(auditor.id)


def test_lead_may_take_cases_but_observers_and_outsiders_may_not(
    login_as: Any, inspection: Inspection, lead: User, observer: User, outsider: User
) -> None:
    (case,) = sampled(inspection, 1)
    c = login_as(lead)
    for person in (observer, outsider):
        response = c.post_form(
            f"/inspections/{inspection.id}/assignment",
            {"case_ids": [str(case.id)], "auditor_id": str(person.id), "action": "assign"},
        )
        page = c.get(response.headers["Location"]).get_data(as_text=True)
        assert "only be assigned to the inspection&#39;s auditors and leads" in page
        db.session.refresh(case)
        assert case.auditor_id is None
    c.post_form(
        f"/inspections/{inspection.id}/assignment",
        {"case_ids": [str(case.id)], "auditor_id": str(lead.id), "action": "assign"},
    )
    db.session.refresh(case)
    assert case.auditor_id == lead.id


def test_unsampled_and_submitted_cases_are_not_reassigned(
    login_as: Any, inspection: Inspection, lead: User, auditor: User, second_auditor: User
) -> None:
    (loose,) = list_cases(inspection, 1, prefix="LOOSE")
    done = factories.make_case(inspection, "DONE-1", auditor=auditor, status=CaseStatus.SUBMITTED)
    c = login_as(lead)
    for case, message in [(loose, "Only sampled cases can be assigned: LOOSE-001"),
                          (done, "Submitted cases keep their auditor")]:  # fmt: skip
        response = c.post_form(
            f"/inspections/{inspection.id}/assignment",
            {"case_ids": [str(case.id)], "auditor_id": str(second_auditor.id), "action": "assign"},
        )
        assert message in c.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(done)
    assert done.auditor_id == auditor.id and loose.auditor_id is None


def test_assignment_page_offers_only_draft_cases_and_words_each_status(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    (draft,) = sampled(inspection, 1)
    done = factories.make_case(inspection, "DONE-1", auditor=auditor, status=CaseStatus.SUBMITTED)

    page = login_as(lead).get(f"/inspections/{inspection.id}/assignment").get_data(as_text=True)

    cases_table = page[page.index('id="cases"') :]
    rows = {
        ref: cases_table[cases_table.index(ref) :].split("</tr>")[0] for ref in ("DA-001", "DONE-1")
    }
    assert f'id="case-{draft.id}"' in rows["DA-001"] and ">Not started<" in rows["DA-001"]
    assert f'id="case-{done.id}"' not in page and ">Submitted<" in rows["DONE-1"]


def test_balance_gives_cases_to_the_auditor_with_fewest_first(
    login_as: Any, inspection: Inspection, lead: User, auditor: User, second_auditor: User
) -> None:
    factories.make_case(inspection, "HELD-1", auditor=auditor)
    factories.make_case(inspection, "HELD-2", auditor=auditor)
    new = sampled(inspection, 5)
    c = login_as(lead)
    response = c.post_form(
        f"/inspections/{inspection.id}/assignment", {"action": "balance_all", "auditor_id": ""}
    )
    assert "Shared 5 unassigned cases across the auditors." in c.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    loads = Counter(
        db.session.scalars(select(Case.auditor_id).where(Case.inspection_id == inspection.id))
    )
    assert loads == {auditor.id: 4, second_auditor.id: 3}  # leads are not given cases
    assert all(case.auditor_id in (auditor.id, second_auditor.id) for case in new)
    page = c.get(f"/inspections/{inspection.id}/assignment").get_data(as_text=True)
    loads_table = page[page.index('id="loads"') :]
    assert ">4<" in loads_table and ">3<" in loads_table


def test_assignment_page_filters_to_unassigned_cases(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    factories.make_case(inspection, "HELD-1", auditor=auditor)
    sampled(inspection, 2)
    c = login_as(lead)
    page = c.get(f"/inspections/{inspection.id}/assignment?show=unassigned").get_data(as_text=True)
    cases_table = page[page.index('id="cases"') :]
    assert "DA-001" in cases_table and "DA-002" in cases_table
    assert "HELD-1" not in cases_table
    assert "HELD-1" in c.get(f"/inspections/{inspection.id}/assignment").get_data(as_text=True)


def test_balance_selected_cases_only(
    login_as: Any, inspection: Inspection, lead: User, auditor: User, second_auditor: User
) -> None:
    cases = sampled(inspection, 4)
    login_as(lead).post_form(
        f"/inspections/{inspection.id}/assignment",
        {"case_ids": [str(cases[0].id), str(cases[1].id)], "action": "balance", "auditor_id": ""},
    )
    for case in cases:
        db.session.refresh(case)
    assert {cases[0].auditor_id, cases[1].auditor_id} == {auditor.id, second_auditor.id}
    assert cases[2].auditor_id is None and cases[3].auditor_id is None


def test_balance_without_auditors_explains(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    sampled(inspection, 2)
    c = login_as(lead)
    response = c.post_form(
        f"/inspections/{inspection.id}/assignment", {"action": "balance_all", "auditor_id": ""}
    )
    assert "There is no auditor in this inspection" in c.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_hub_counts_follow_sampling_and_assignment(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    list_cases(inspection, 12)
    c = login_as(lead)
    draw(c, inspection, "4", seed=9)
    c.post_form(f"/inspections/{inspection.id}/assignment", {"action": "balance_all"})
    page = c.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    table = page[page.index('id="progress-table"') :]
    cells = [cell.split(">")[-1] for cell in table[: table.index("</table>")].split("</td>")[:-1]]
    assert cells[-6:] == ["12", "4", "4", "4", "0", "0"]


def test_long_case_lists_are_shown_a_page_at_a_time_keeping_filters(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    list_cases(inspection, 205)
    c = login_as(lead)
    first = c.get(f"/inspections/{inspection.id}/cases?show=unsampled").get_data(as_text=True)
    assert "205 cases, showing 1 to 200" in first
    assert "DA-200" in first and "DA-201" not in first
    assert f"/inspections/{inspection.id}/cases?page=2&amp;show=unsampled" in first
    second = c.get(f"/inspections/{inspection.id}/cases?show=unsampled&page=2").get_data(
        as_text=True
    )
    assert "205 cases, showing 201 to 205" in second
    assert "DA-201" in second and "DA-200" not in second
    # A page past the end (cases removed since the link was made) shows the last page.
    past = c.get(f"/inspections/{inspection.id}/cases?show=unsampled&page=9").get_data(as_text=True)
    assert "205 cases, showing 201 to 205" in past


def test_a_query_string_cannot_choose_the_scheme_or_host_of_the_kept_filters(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    sampled(inspection, 2)
    c = login_as(lead)
    hostile = "show=unassigned&_external=1&_scheme=javascript&_anchor=x"
    response = c.post_form(
        f"/inspections/{inspection.id}/assignment?{hostile}",
        {"action": "balance_all", "auditor_id": ""},
    )
    location = response.headers["Location"]
    assert location.startswith(f"/inspections/{inspection.id}/assignment?")
    assert "show=unassigned" in location
    assert "javascript" not in location and "#" not in location and "_scheme" not in location
