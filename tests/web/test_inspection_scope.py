"""Scope of an inspection: the case types it audits, chosen by the lead with their versions.

Only types in scope are offered anywhere in the inspection (import mapping, sampling, filters);
a type leaves the scope only while none of its cases is sampled.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from auditapp.domain.sampling import SamplingError
from auditapp.extensions import db
from auditapp.models import Case, Inspection, InspectionQuestionSet, User
from auditapp.services import sampling
from auditapp.services.case_list_mapping import inspection_case_types
from tests import factories
from tests.case_list_steps import choose_columns, upload
from tests.web.test_case_list_mapping import FORCE_COLUMNS, FORCE_EXPORT, case_count
from tests.web.test_sampling import list_cases

DA, MC = "domestic-abuse", "missing-child"
DA_NAME, MC_NAME = (
    "Domestic abuse incident with children present or linked",
    "Missing child episode",
)


@pytest.fixture
def bare(lead: User) -> Inspection:
    """The lead's inspection with both question sets imported and no type in scope yet."""
    factories.question_set(DA)
    factories.question_set(MC)
    inspection = db.session.scalar(select(Inspection))
    assert inspection is not None
    for choice in list(inspection.question_set_choices):
        db.session.delete(choice)
    db.session.commit()
    db.session.refresh(inspection)
    return inspection


def scope_form(*slugs: str) -> dict[str, Any]:
    data: dict[str, Any] = {"in_scope": []}
    for slug in slugs:
        qs = factories.question_set(slug)
        data["in_scope"].append(str(qs.case_type_id))
        data[f"case_type_{qs.case_type_id}"] = str(qs.id)
    return data


def scoped_slugs(inspection: Inspection) -> list[str]:
    return sorted(ct.slug for ct in inspection_case_types(inspection))


def test_the_lead_chooses_the_case_types_in_scope_with_their_versions(
    login_as: Any, bare: Inspection
) -> None:
    c = login_as(db.session.scalar(select(User).where(User.email == "lead@example.test")))
    url = f"/inspections/{bare.id}/question-sets"
    page = c.get(url).get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Case types and question sets</h1>' in page
    assert 'name="in_scope"' in page and " checked" not in page
    response = c.post_form(url, scope_form(DA))
    assert response.status_code == 302
    assert scoped_slugs(bare) == [DA]
    assert f"Added to scope: {DA_NAME}." in c.get(response.headers["Location"]).get_data(
        as_text=True
    )
    # both, then back to one: a type with no sampled case leaves freely
    c.post_form(url, scope_form(DA, MC))
    assert scoped_slugs(bare) == [DA, MC]
    c.post_form(url, scope_form(MC))
    assert scoped_slugs(bare) == [MC]


def test_a_type_with_sampled_cases_cannot_leave_the_scope(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    factories.make_case(inspection, "DA-1")
    factories.make_case(inspection, "DA-2")
    factories.make_case(inspection, "MC-1", slug=MC)
    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/question-sets", scope_form(MC)
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"{DA_NAME} cannot be taken out of scope: 2 cases are sampled" in page
    assert scoped_slugs(inspection) == [DA, MC]
    assert db.session.scalar(select(func.count(Case.id))) == 3


def test_listed_cases_not_sampled_leave_with_their_type(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    list_cases(inspection, 4, slug=MC, prefix="MC")
    factories.make_case(inspection, "DA-1")
    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/question-sets", scope_form(DA)
    )
    assert response.status_code == 302
    assert scoped_slugs(inspection) == [DA]
    assert db.session.scalars(select(Case.reference)).all() == ["DA-1"]


def test_the_import_mapping_offers_only_types_in_scope(
    login_as: Any, bare: Inspection, lead: User
) -> None:
    c = login_as(lead)
    c.post_form(f"/inspections/{bare.id}/question-sets", scope_form(DA))
    response = upload(c, bare, FORCE_EXPORT, "export.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    response = choose_columns(c, response.headers["Location"], ("District",), **FORCE_COLUMNS)
    assert response.status_code == 302, response.get_data(as_text=True)
    labels_page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert DA_NAME in labels_page
    assert MC_NAME not in labels_page
    template = c.get(f"/inspections/{bare.id}/import/template.csv").get_data(as_text=True)
    assert DA_NAME in template and MC_NAME not in template
    assert case_count() == 0


def test_sampling_and_filters_offer_only_types_in_scope(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    list_cases(inspection, 10)
    factories.question_set(MC)  # imported, never put in scope
    c = login_as(lead)
    for path in ("sampling", "cases", "assignment"):
        page = c.get(f"/inspections/{inspection.id}/{path}").get_data(as_text=True)
        assert DA_NAME in page, path
        assert MC_NAME not in page, path
    mc = factories.question_set(MC)
    with pytest.raises(SamplingError, match="Choose a case type"):
        sampling.draw_all(inspection, {mc.case_type_id: "1"}, by=lead)


def test_a_non_lead_cannot_change_the_scope(
    login_as: Any, inspection: Inspection, auditor: User
) -> None:
    factories.question_set(DA)
    c = login_as(auditor)
    assert c.get(f"/inspections/{inspection.id}/question-sets").status_code == 403
    response = c.post_form(f"/inspections/{inspection.id}/question-sets", scope_form(DA))
    assert response.status_code == 403
    assert inspection_case_types(inspection) == []


def test_a_scope_change_without_the_csrf_token_changes_nothing(
    login_as: Any, bare: Inspection, lead: User
) -> None:
    response = login_as(lead).post(f"/inspections/{bare.id}/question-sets", data=scope_form(DA))
    assert response.status_code == 400
    assert inspection_case_types(bare) == []


def test_a_follow_up_starts_with_its_baselines_scope(login_as: Any, admin: User) -> None:
    from tests.web.test_inspections import _details

    baseline = factories.make_inspection("Review 2022")
    factories.scope(baseline, MC)
    factories.question_set(DA)  # imported, not in the baseline's scope
    lead = factories.make_user("newlead@example.test")
    c = login_as(admin)
    c.post_form("/inspections/new", _details(lead_email=lead.email, baseline_id=str(baseline.id)))
    follow_up = db.session.scalar(select(Inspection).where(Inspection.baseline_id == baseline.id))
    assert follow_up is not None
    assert scoped_slugs(follow_up) == [MC]
    c.post_form("/inspections/new", _details(lead_email=lead.email, title="Fresh 2025"))
    fresh = db.session.scalar(select(Inspection).where(Inspection.title == "Fresh 2025"))
    assert fresh is not None and scoped_slugs(fresh) == []


def test_the_migration_puts_existing_inspections_case_types_in_scope(app: Flask) -> None:
    inspection = factories.make_inspection("Review 2022")
    da = factories.question_set(DA)
    mc = factories.question_set(MC)
    # as before scope: cases of DA with no choice row; MC chosen but with no cases
    db.session.add(Case(inspection_id=inspection.id, case_type_id=da.case_type_id, reference="1"))
    db.session.add(
        InspectionQuestionSet(
            inspection_id=inspection.id, case_type_id=mc.case_type_id, question_set_id=mc.id
        )
    )
    db.session.commit()
    downgrade(revision="0011")
    upgrade()
    db.session.expire_all()
    assert scoped_slugs(inspection) == [DA, MC]
    choice = db.session.scalar(
        select(InspectionQuestionSet).where(InspectionQuestionSet.case_type_id == da.case_type_id)
    )
    assert choice is not None and choice.question_set_id == da.id
