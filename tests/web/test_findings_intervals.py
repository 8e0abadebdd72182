"""Honest intervals: the weighted headline of a stratified sample, and how to read the figures."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from auditapp.domain.statistics import READING_NOTE
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, CaseType, Inspection, SampleDraw, User
from tests import factories


def _text(response: Any) -> str:
    page = response.get_data(as_text=True)
    main = page[page.find("<main") : page.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace(" :", ":")


@pytest.fixture
def stratified(inspection: Inspection, auditor: User) -> Inspection:
    """Domestic abuse cases stratified by area: North lists 6 and 2 are sampled (1 good, 1
    inadequate); South lists 2, both sampled and good. Plain: 3 of 4 good (75%); weighted:
    good 6/8 x 1/2 + 2/8 x 1 = 62.5%, inadequate 6/8 x 1/2 = 37.5%."""
    grades = {"N1": "good", "N2": "inadequate", "S1": "good", "S2": "good"}
    for reference, grade in grades.items():
        area = "North" if reference.startswith("N") else "South"
        case = factories.make_case(
            inspection,
            reference,
            auditor=auditor,
            status=CaseStatus.MODERATED,
            attributes={"area": area},
        )
        case.final_grade = grade
    case_type = db.session.scalar(select(CaseType).where(CaseType.slug == "domestic-abuse"))
    for n in range(3, 7):
        db.session.add(
            Case(
                inspection_id=inspection.id,
                case_type_id=case_type.id,
                reference=f"N{n}",
                in_sample=False,
                attributes={"area": "North"},
            )
        )
    db.session.add(
        SampleDraw(
            inspection_id=inspection.id,
            case_type_id=case_type.id,
            seed=1,
            frame_size=8,
            requested="4",
            sample_size=4,
            stratify_by="area",
            batch=1,
        )
    )
    db.session.commit()
    return inspection


def test_dashboard_gives_the_weighted_estimate_beside_the_plain_counts(
    login_as: Callable[[User], Any], stratified: Inspection, observer: User
) -> None:
    text = _text(login_as(observer).get(f"/findings/inspections/{stratified.id}"))
    assert "4 cases audited: 3 good (75%), 0 requires improvement (0%), 1 inadequate (25%)" in text
    assert "Weighted for the sampling (2 strata, 4 graded cases): good 63% (95% CI" in text
    assert "inadequate 38% (95% CI" in text
    assert "How to read these figures" in text
    assert READING_NOTE[1][:60] in text


def test_api_summary_carries_the_weighted_estimate(
    login_as: Callable[[User], Any], stratified: Inspection, observer: User
) -> None:
    data = login_as(observer).get(f"/api/inspections/{stratified.id}/summary").get_json()
    weighted = data["weighted"]
    assert weighted["strata"] == 2
    assert weighted["grades"]["good"]["estimate"] == pytest.approx(0.625)
    assert weighted["grades"]["inadequate"]["estimate"] == pytest.approx(0.375)
    assert data["total"]["grades"]["good"]["count"] == 3


def test_equal_sampling_fractions_show_no_weighted_estimate(
    login_as: Callable[[User], Any], inspection: Inspection, auditor: User, observer: User
) -> None:
    factories.make_case(inspection, "DA-1", auditor=auditor, status=CaseStatus.SUBMITTED)
    db.session.commit()
    response = login_as(observer).get(f"/findings/inspections/{inspection.id}")
    assert "Weighted for the sampling" not in _text(response)
    assert "How to read these figures" in _text(response)
    summary = login_as(observer).get(f"/api/inspections/{inspection.id}/summary").get_json()
    assert summary["weighted"] is None


def test_report_prints_the_weighted_estimate_and_how_to_read_the_figures(
    login_as: Callable[[User], Any], stratified: Inspection, lead: User
) -> None:
    text = _text(login_as(lead).get(f"/exports/{stratified.id}/report"))
    assert "Weighted for the sampling (2 strata, 4 graded cases): good 63%" in text
    assert "How to read these figures" in text


def test_case_types_sampled_at_different_fractions_are_weighted_by_their_lists(
    login_as: Callable[[User], Any], inspection: Inspection, auditor: User, observer: User
) -> None:
    """Domestic abuse: 2 listed, both sampled, both good. Missing child: 6 listed, 2 sampled,
    both inadequate. Plain: 2 of 4 good; weighted: good 2/8 x 1 = 25%, inadequate 75%."""
    for reference, slug, grade in (
        ("DA-1", "domestic-abuse", "good"),
        ("DA-2", "domestic-abuse", "good"),
        ("MC-1", "missing-child", "inadequate"),
        ("MC-2", "missing-child", "inadequate"),
    ):
        case = factories.make_case(
            inspection, reference, slug=slug, auditor=auditor, status=CaseStatus.MODERATED
        )
        case.final_grade = grade
    missing = db.session.scalar(select(CaseType).where(CaseType.slug == "missing-child"))
    for n in range(3, 7):
        db.session.add(
            Case(
                inspection_id=inspection.id,
                case_type_id=missing.id,
                reference=f"MC-{n}",
                in_sample=False,
            )
        )
    db.session.commit()
    data = login_as(observer).get(f"/api/inspections/{inspection.id}/summary").get_json()
    weighted = data["weighted"]
    assert weighted["strata"] == 2
    assert weighted["grades"]["good"]["estimate"] == pytest.approx(0.25)
    assert weighted["grades"]["inadequate"]["estimate"] == pytest.approx(0.75)
