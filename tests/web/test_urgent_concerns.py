"""Urgent concerns (a child at current risk) and case studies."""

from __future__ import annotations

from typing import Any

import pytest
from flask import render_template_string
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, CaseStatus, User
from auditapp.services.audit.concerns import open_concerns_count
from tests import factories

GOOD = factories.GOOD_DOMESTIC_ABUSE_ANSWERS
ACKNOWLEDGED = {
    "action": "Passed to the force's duty inspector",
    "day": "2",
    "month": "12",
    "year": "2025",
    "hour": "14",
    "minute": "10",
}
SEEN = "Child B (case ref only) left with the suspect; no safeguarding referral on file"


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(inspection, "DA-0300", auditor=auditor, answers=GOOD)


def _reload(case: Case) -> Case:
    db.session.expire_all()
    found = db.session.get(Case, case.id)
    assert found is not None
    return found


def _flag(c: Any, case: Case, note: str = SEEN) -> Any:
    return c.post_form(f"/audit/cases/{case.id}/current-risk", {"note": note})


def test_flag_form_warns_against_personal_details(login_as: Any, case: Case, auditor: User) -> None:
    page = login_as(auditor).get(f"/audit/cases/{case.id}/current-risk").get_data(True)
    assert "Flag a child at current risk" in page
    assert "Never write names, dates of birth, addresses" in page


def test_flagging_makes_the_case_inadequate_and_records_who_and_when(
    login_as: Any, case: Case, auditor: User
) -> None:
    assert case.computed_grade == "good"
    c = login_as(auditor)
    response = _flag(c, case)
    assert response.status_code == 302
    flagged = _reload(case)
    assert flagged.current_risk is True
    assert flagged.current_risk_note == SEEN
    assert flagged.current_risk_flagged_by_id == auditor.id
    assert flagged.current_risk_flagged_at is not None
    assert flagged.computed_grade == "inadequate"
    assert flagged.grade == "inadequate"
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "The auditor flagged a child at current risk" in page
    assert "Urgent concern" in page
    assert "Child at current risk flagged" in page  # history


def test_flag_needs_a_description(login_as: Any, case: Case, auditor: User) -> None:
    response = _flag(login_as(auditor), case, note="  ")
    page = response.get_data(True)
    assert response.status_code == 200
    assert "Describe what you saw that shows a child is at current risk" in page
    assert "<title>Error:" in page
    assert _reload(case).current_risk is False


def test_auditor_can_flag_even_after_submitting(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    case = factories.make_case(
        inspection, "DA-0301", auditor=auditor, answers=GOOD, status=CaseStatus.SUBMITTED
    )
    assert _flag(login_as(auditor), case).status_code == 302
    assert _reload(case).grade == "inadequate"


def test_flag_overrides_a_better_proposed_or_final_grade_in_the_figures(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    case = factories.make_case(
        inspection,
        "DA-0302",
        auditor=auditor,
        answers=GOOD,
        status=CaseStatus.MODERATED,
        proposed_grade="requires_improvement",
        proposed_reason="x",
        final_grade="good",
    )
    _flag(login_as(auditor), case)
    flagged = _reload(case)
    assert (flagged.proposed_grade, flagged.final_grade) == (None, "inadequate")
    assert flagged.grade == "inadequate"


def test_leads_see_every_concern_with_who_flagged_it(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as(auditor), case)
    page = login_as(lead).get(f"/audit/inspections/{case.inspection_id}/concerns").get_data(True)
    assert "DA-0300" in page
    assert auditor.name in page
    assert SEEN in page
    assert "Needs a lead" in page
    assert "Acknowledge" in page and "Mark raised with force" in page


def test_lead_acknowledges_then_marks_raised(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as(auditor), case)
    c = login_as(lead)
    assert open_concerns_count(case.inspection_id) == 1
    response = c.post_form(f"/audit/cases/{case.id}/current-risk/acknowledge", ACKNOWLEDGED)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/audit/cases/{case.id}"
    acknowledged = _reload(case)
    assert acknowledged.current_risk_acknowledged_by_id == lead.id
    assert acknowledged.current_risk_acknowledged_at is not None
    assert open_concerns_count(case.inspection_id) == 1  # still to raise with the force

    c.post_form(f"/audit/cases/{case.id}/current-risk/raised", {})
    raised = _reload(case)
    assert raised.current_risk_raised_at is not None
    assert raised.current_risk is True  # raised, but still counted as inadequate
    assert raised.grade == "inadequate"
    assert open_concerns_count(case.inspection_id) == 0
    page = c.get(f"/audit/inspections/{case.inspection_id}/concerns").get_data(True)
    assert "Raised with force" in page
    assert lead.name in page
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
    ).all()
    assert "acknowledge_concern" in actions and "raise_concern" in actions


def test_marking_raised_also_acknowledges(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as(auditor), case)
    login_as(lead).post_form(f"/audit/cases/{case.id}/current-risk/raised", {})
    raised = _reload(case)
    assert raised.current_risk_acknowledged_by_id == lead.id
    assert raised.current_risk_raised_at is not None


def test_acknowledging_twice_says_so(login_as: Any, case: Case, auditor: User, lead: User) -> None:
    _flag(login_as(auditor), case)
    c = login_as(lead)
    c.post_form(f"/audit/cases/{case.id}/current-risk/acknowledge", ACKNOWLEDGED)
    response = c.post_form(f"/audit/cases/{case.id}/current-risk/acknowledge", ACKNOWLEDGED)
    page = c.get(response.headers["Location"]).get_data(True)
    assert "This concern has already been acknowledged" in page


def test_only_a_lead_removes_a_flag_and_only_with_a_reason(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as(auditor), case)
    c = login_as(lead)
    response = c.post_form(f"/audit/cases/{case.id}/current-risk/remove", {"reason": ""})
    assert "Give the reason for removing the flag" in response.get_data(True)
    assert _reload(case).current_risk is True
    response = c.post_form(
        f"/audit/cases/{case.id}/current-risk/remove",
        {"reason": "Checked with the force: the child was placed with a relative that day"},
    )
    assert response.status_code == 302
    removed = _reload(case)
    assert removed.current_risk is False
    assert removed.computed_grade == "good"
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "Current-risk flag removed" in page
    assert "placed with a relative that day" in page


def test_banner_tells_leads_how_many_concerns_need_attention(
    app: Any, login_as: Any, inspection: Any, auditor: User, lead: User
) -> None:
    c = login_as(auditor)
    for ref in ("DA-0310", "DA-0311"):
        _flag(c, factories.make_case(inspection, ref, auditor=auditor))
    template = '{% include "audit/_urgent_concerns_banner.html" %}'
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(User, lead.id))
        html = render_template_string(template, inspection=inspection)
    assert "2 urgent concerns need a lead&#39;s attention" in html or (
        "2 urgent concerns need a lead's attention" in html
    )
    assert f"/audit/inspections/{inspection.id}/concerns" in html
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(User, auditor.id))
        assert "urgent concern" not in render_template_string(template, inspection=inspection)


def test_banner_is_empty_without_open_concerns(app: Any, inspection: Any, lead: User) -> None:
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(User, lead.id))
        html = render_template_string(
            '{% include "audit/_urgent_concerns_banner.html" %}', inspection=inspection
        )
    assert html.strip() == ""


# --- case studies -------------------------------------------------------------------------------


def test_auditor_flags_a_case_study_with_a_narrative(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    response = c.post_form(
        f"/audit/cases/{case.id}/case-study",
        {"is_case_study": "yes", "narrative": "Officers saw and spoke to each child at school."},
    )
    assert response.status_code == 302
    flagged = _reload(case)
    assert flagged.is_case_study is True
    assert flagged.case_study_narrative == "Officers saw and spoke to each child at school."
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert "Officers saw and spoke to each child at school." in page
    assert "Case study flag changed" in page


def test_case_study_needs_a_narrative(login_as: Any, case: Case, auditor: User) -> None:
    response = login_as(auditor).post_form(
        f"/audit/cases/{case.id}/case-study", {"is_case_study": "yes", "narrative": ""}
    )
    assert "Write a short narrative of the case study" in response.get_data(True)
    assert _reload(case).is_case_study is False


def test_lead_can_flag_a_submitted_case_as_a_case_study_but_its_auditor_cannot(
    login_as: Any, inspection: Any, auditor: User, lead: User
) -> None:
    case = factories.make_case(
        inspection, "DA-0320", auditor=auditor, answers=GOOD, status=CaseStatus.SUBMITTED
    )
    data = {"is_case_study": "yes", "narrative": "Good example of a MARAC referral"}
    assert (
        login_as(auditor).post_form(f"/audit/cases/{case.id}/case-study", data).status_code == 403
    )
    assert login_as(lead).post_form(f"/audit/cases/{case.id}/case-study", data).status_code == 302
    assert _reload(case).is_case_study is True


def test_unflagging_a_case_study_clears_its_narrative(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    case = factories.make_case(
        inspection, "DA-0321", auditor=auditor, is_case_study=True, case_study_narrative="x"
    )
    login_as(auditor).post_form(f"/audit/cases/{case.id}/case-study", {"is_case_study": "no"})
    unflagged = _reload(case)
    assert (unflagged.is_case_study, unflagged.case_study_narrative) == (False, None)


def test_inspection_overview_shows_leads_the_urgent_concerns_banner(
    login_as: Any, inspection: Any, auditor: User, lead: User, observer: User
) -> None:
    _flag(login_as(auditor), factories.make_case(inspection, "DA-0320", auditor=auditor))
    lead_page = login_as(lead).get(f"/inspections/{inspection.id}").get_data(True)
    assert "1 urgent concern needs a lead" in lead_page
    assert f"/audit/inspections/{inspection.id}/concerns" in lead_page
    observer_page = login_as(observer).get(f"/inspections/{inspection.id}").get_data(True)
    assert "urgent concern" not in observer_page


def test_moderation_queue_shows_the_urgent_concerns_banner(
    login_as: Any, inspection: Any, auditor: User, lead: User
) -> None:
    _flag(login_as(auditor), factories.make_case(inspection, "DA-0321", auditor=auditor))
    page = login_as(lead).get(f"/moderation/inspections/{inspection.id}").get_data(True)
    assert "1 urgent concern needs a lead" in page
