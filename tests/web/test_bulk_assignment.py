"""Assignment in bulk: by filter, balanced per case type, searched; Not started; My cases."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from auditapp.domain.sampling import balance_by_case_type
from auditapp.domain.statuses import case_progress_label
from auditapp.extensions import db
from auditapp.models import Answer, Case, CaseStatus, Inspection, User
from auditapp.services import sampling
from tests import factories
from tests.web.test_sampling import case_type_id, list_cases

DA, MC = "domestic-abuse", "missing-child"


def sample(inspection: Inspection, n: int, slug: str, prefix: str) -> list[Case]:
    cases = list_cases(inspection, n, slug=slug, prefix=prefix)
    for case in cases:
        case.in_sample = True
        case.question_set_id = factories.question_set(slug).id
    db.session.commit()
    return cases


def loads_by_type(inspection: Inspection) -> Counter[tuple[int | None, str]]:
    rows = db.session.execute(
        select(Case.auditor_id, Case.reference).where(Case.inspection_id == inspection.id)
    )
    return Counter((auditor_id, ref.split("-")[0]) for auditor_id, ref in rows)


def test_balance_spreads_each_case_type_evenly_worked_by_hand() -> None:
    # 6 A and 3 B over ann and bob, both empty: A goes ann, bob, ann, bob, ann, bob (3 each);
    # B: both hold 0 B and 3 in all, ann first by order, then bob, then ann: ann 2 B, bob 1 B.
    items = [(f"a{i}", "A") for i in range(6)] + [(f"b{i}", "B") for i in range(3)]
    plan = balance_by_case_type(items, {"ann": {}, "bob": {}})
    counts = Counter((plan[item], kind) for item, kind in items)
    assert counts == {("ann", "A"): 3, ("bob", "A"): 3, ("ann", "B"): 2, ("bob", "B"): 1}
    # Already holding 2 B, bob gets no B until ann has 2 too.
    plan = balance_by_case_type(
        [("b1", "B"), ("b2", "B"), ("b3", "B")], {"ann": {}, "bob": {"B": 2}}
    )
    assert [plan["b1"], plan["b2"], plan["b3"]] == ["ann", "ann", "ann"]


def test_balance_all_spreads_each_case_type_across_auditors(
    login_as: Any, inspection: Inspection, lead: User, auditor: User, second_auditor: User
) -> None:
    sample(inspection, 6, DA, "DA")
    sample(inspection, 4, MC, "MC")
    c = login_as(lead)
    response = c.post_form(
        f"/inspections/{inspection.id}/assignment", {"action": "balance_all", "auditor_id": ""}
    )
    assert response.status_code == 302
    loads = loads_by_type(inspection)
    assert loads == {
        (auditor.id, "DA"): 3, (second_auditor.id, "DA"): 3,
        (auditor.id, "MC"): 2, (second_auditor.id, "MC"): 2,
    }  # fmt: skip


def test_assign_every_case_matching_the_filter(
    app: Any,
    monkeypatch: Any,
    login_as: Any,
    inspection: Inspection,
    lead: User,
    auditor: User,
) -> None:
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 10)
    sample(inspection, 30, DA, "DA")
    mc = sample(inspection, 3, MC, "MC")
    c = login_as(lead)
    mc_type = mc[0].case_type_id
    response = c.post_form(
        f"/inspections/{inspection.id}/assignment?case_type={mc_type}&show=sampled",
        {"action": "assign_matching", "auditor_id": str(auditor.id)},
    )
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Assigned 3 of the 3 matching cases." in page
    assert loads_by_type(inspection) == {(auditor.id, "MC"): 3, (None, "DA"): 30}
    # Every page, not only the first: 30 DA cases, 10 a page.
    c.post_form(
        f"/inspections/{inspection.id}/assignment?q=da-&status=not_started",
        {"action": "assign_matching", "auditor_id": str(auditor.id)},
    )
    assert loads_by_type(inspection) == {(auditor.id, "MC"): 3, (auditor.id, "DA"): 30}


def test_status_filter_and_search_choose_the_matching_cases(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    cases = sample(inspection, 3, DA, "DA")
    db.session.add(Answer(case_id=cases[0].id, question_code="q1", value="yes"))
    db.session.commit()
    c = login_as(lead)
    c.post_form(
        f"/inspections/{inspection.id}/assignment?status=not_started",
        {"action": "assign_matching", "auditor_id": str(auditor.id)},
    )
    assert [case.auditor_id for case in cases] == [None, auditor.id, auditor.id]
    page = c.get(f"/inspections/{inspection.id}/assignment?q=a-001").get_data(as_text=True)
    table = page[page.index('id="cases"') :]
    assert "DA-001" in table and "DA-002" not in table
    assert ">In progress<" in table
    listed = c.get(f"/inspections/{inspection.id}/cases?q=002").get_data(as_text=True)
    assert "DA-002" in listed and "DA-001" not in listed
    # a % in the search is a character, not a wildcard
    none = c.get(f"/inspections/{inspection.id}/assignment?q=%25").get_data(as_text=True)
    assert "DA-001" not in none


def test_not_started_is_told_apart_from_in_progress() -> None:
    assert case_progress_label(CaseStatus.DRAFT, False) == "Not started"
    assert case_progress_label(CaseStatus.DRAFT, True) == "In progress"
    assert case_progress_label(CaseStatus.SUBMITTED, False) == "Submitted"
    assert case_progress_label(CaseStatus.MODERATED, True) == "Moderated"


def test_only_leads_assign_in_bulk_and_csrf_is_required(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    cases = sample(inspection, 2, DA, "DA")
    c = login_as(auditor)
    response = c.post_form(
        f"/inspections/{inspection.id}/assignment",
        {"action": "assign_matching", "auditor_id": str(auditor.id)},
    )
    assert response.status_code == 403
    c = login_as(lead)
    c.post(
        f"/inspections/{inspection.id}/assignment",
        data={"action": "assign_matching", "auditor_id": str(auditor.id)},
    )
    db.session.expire_all()
    assert [case.auditor_id for case in cases] == [None, None]


def test_my_cases_filters_sorts_searches_and_counts_progress(
    login_as: Any, inspection: Inspection, auditor: User
) -> None:
    factories.make_case(inspection, "DA-2", auditor=auditor)
    factories.make_case(inspection, "DA-1", auditor=auditor, status=CaseStatus.SUBMITTED)
    factories.make_case(inspection, "MC-1", auditor=auditor, slug=MC)
    c = login_as(auditor)
    page = c.get("/audit/cases").get_data(as_text=True)
    assert "1 of 3 submitted" in page
    page = c.get("/audit/cases?status=Not+started").get_data(as_text=True)
    table = page[page.index('id="my-cases"') :]
    assert "DA-2" in table and "MC-1" in table and "DA-1" not in table
    page = c.get("/audit/cases?q=mc").get_data(as_text=True)
    table = page[page.index('id="my-cases"') :]
    assert "MC-1" in table and "DA-2" not in table
    assert "1 of 3 submitted" in page  # the count is of all the user's cases
    page = c.get("/audit/cases?sort=status").get_data(as_text=True)
    table = page[page.index('id="my-cases"') :]
    assert table.index("DA-2") < table.index("MC-1") < table.index("DA-1")  # Not started < S
    page = c.get("/audit/cases?q=nothing-like-it").get_data(as_text=True)
    assert "No cases match these filters." in page


def test_stratum_filter_assigns_only_the_cases_of_that_stratum(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    # 40 cases, Area North 24 / South 16; a 10-case draw stratified by Area takes 6 North and
    # 4 South (proportional: 10 * 24/40 = 6). Assigning every North match gives exactly 6.
    list_cases(inspection, 40, slug=DA, prefix="DA", Area=["North"] * 24 + ["South"] * 16)
    c = login_as(lead)
    draw = {f"size-{case_type_id(DA)}": "10", "stratify_by": "Area", "seed": "4821"}
    assert c.post_form(f"/inspections/{inspection.id}/sampling", draw).status_code == 302
    north = f"{case_type_id(DA)}:North"
    page = c.get(f"/inspections/{inspection.id}/assignment").get_data(as_text=True)
    assert f'value="{north}"' in page and "children present or linked, Area: North" in page
    filtered = c.get(
        f"/inspections/{inspection.id}/assignment", query_string={"stratum": north}
    ).get_data(as_text=True)
    assert "6 sampled cases" in filtered
    response = c.post_form(
        f"/inspections/{inspection.id}/assignment?stratum={north.replace(':', '%3A')}",
        {"action": "assign_matching", "auditor_id": str(auditor.id)},
    )
    assert response.status_code == 302
    assigned = db.session.scalars(select(Case).where(Case.auditor_id == auditor.id)).all()
    assert len(assigned) == 6
    assert {case.attributes["Area"] for case in assigned} == {"North"}
    # A key naming no case type matches nothing, never everything.
    assert sampling.matching_case_ids(inspection, stratum="x:North") == []
    assert sampling.matching_case_ids(inspection, stratum=f"{case_type_id(DA)}:West") == []
