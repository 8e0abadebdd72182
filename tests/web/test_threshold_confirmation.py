"""Unverified thresholds: shown to the lead, confirmed per inspection; until then provisional."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from auditapp.domain.question_sets import dump_question_set, load_library
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    AuditEvent,
    Case,
    CaseStatus,
    Inspection,
    InspectionQuestionSet,
    QuestionSet,
    User,
)
from auditapp.services import thresholds
from auditapp.services.grading import regrade_case
from auditapp.services.question_sets import import_question_set

CSAE_V2 = next(qs for qs in load_library() if qs.case_type == "online-csae" and qs.version == 2)
LOW_PRIORITY = {
    "OC01": "nca_ceop", "OC02": "2022-05-02", "OC03": "yes", "OC04": "yes", "OC05": "yes",
    "OC06": "yes", "OC07": "low", "OC08": "yes", "OC17": "yes", "OC09": "2022-05-20",
    "OC18": "2022-11-06", "OC12": "yes", "OC13": "yes", "OC14": "yes", "OC15": "yes",
    "OC16": "yes",
}  # fmt: skip


def _text(response: Any) -> str:
    page = response.get_data(as_text=True)
    main = page[page.find("<main") : page.find("</main>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


@pytest.fixture
def low_priority_case(inspection: Inspection, auditor: User) -> Case:
    """An online referral of low priority acted on in 18 days, audited with version 2."""
    row: QuestionSet = import_question_set(dump_question_set(CSAE_V2), filename="v2.yaml")
    db.session.add(
        InspectionQuestionSet(
            inspection_id=inspection.id,
            case_type_id=row.case_type_id,
            question_set_id=row.id,
        )
    )
    case = Case(
        inspection_id=inspection.id,
        case_type_id=row.case_type_id,
        question_set_id=row.id,
        reference="OC-1",
        in_sample=True,
        auditor_id=auditor.id,
        status=CaseStatus.SUBMITTED,
    )
    db.session.add(case)
    db.session.flush()
    for code, value in LOW_PRIORITY.items():
        db.session.add(Answer(case_id=case.id, question_code=code, value=value))
    db.session.flush()
    regrade_case(case)
    db.session.commit()
    return case


def test_a_grade_on_an_unverified_threshold_is_provisional_until_the_lead_confirms_it(
    login_as: Callable[[User], Any], low_priority_case: Case, lead: User
) -> None:
    assert low_priority_case.computed_explanation["provisional"] is True
    assert low_priority_case.computed_explanation["unconfirmed"] == ["OC10:low"]
    client = login_as(lead)
    url = f"/inspections/{low_priority_case.inspection_id}/thresholds"
    page = client.get(url)
    text = _text(page)
    assert "OC10's threshold of 28 days for OC07 Low" in text
    assert "OC11's threshold of 1 day for OC07 Very high" in text
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    )
    assert token
    set_id = low_priority_case.question_set_id
    response = client.post(
        url,
        data={"csrf_token": token.group(1), "question_set_id": set_id, "threshold": "OC10:low"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, low_priority_case.id)
    assert case.computed_explanation["provisional"] is False
    assert case.computed_grade == "good"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "confirm_threshold"))
    assert event is not None and event.field == "OC10:low"
    assert "Confirmed" in _text(client.get(url))


def test_only_an_unverified_threshold_of_the_inspections_sets_can_be_confirmed(
    low_priority_case: Case, lead: User
) -> None:
    inspection = db.session.get(Inspection, low_priority_case.inspection_id)
    with pytest.raises(thresholds.ThresholdError):
        thresholds.confirm_threshold(
            inspection, low_priority_case.question_set_id, "OC10:medium", lead
        )
    thresholds.confirm_threshold(inspection, low_priority_case.question_set_id, "OC10:low", lead)
    with pytest.raises(thresholds.ThresholdError, match="already confirmed"):
        thresholds.confirm_threshold(
            inspection, low_priority_case.question_set_id, "OC10:low", lead
        )


def test_auditors_cannot_confirm_thresholds(
    login_as: Callable[[User], Any], low_priority_case: Case, auditor: User
) -> None:
    response = login_as(auditor).get(f"/inspections/{low_priority_case.inspection_id}/thresholds")
    assert response.status_code == 403
