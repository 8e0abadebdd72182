"""The auditor's workspace: my cases, who may open a case, read-only views, history."""

from __future__ import annotations

from typing import Any

import pytest

from auditapp.extensions import db
from auditapp.models import CaseStatus, InspectionRole, SecondAudit, User
from tests import factories

# Every route of the audit blueprint, with the user allowed to use it ("auditor" = the case's
# assigned auditor, "lead", "second" = the case's blind second auditor).
ROUTES = [
    ("GET", "/audit/cases", None),
    ("GET", "/audit/inspections/{inspection}/cases", None),
    ("GET", "/audit/cases/{case}", None),
    ("GET", "/audit/cases/{case}/history", None),
    ("POST", "/audit/cases/{case}", None),
    ("POST", "/audit/cases/{case}/answers/DA01", None),
    ("GET", "/audit/cases/{case}/submit", None),
    ("POST", "/audit/cases/{case}/submit", None),
    ("GET", "/audit/cases/{case}/case-study", None),
    ("POST", "/audit/cases/{case}/case-study", None),
    ("GET", "/audit/cases/{case}/current-risk", None),
    ("POST", "/audit/cases/{case}/current-risk", None),
    ("POST", "/audit/cases/{case}/current-risk/acknowledge", None),
    ("POST", "/audit/cases/{case}/current-risk/raised", None),
    ("GET", "/audit/cases/{case}/current-risk/remove", None),
    ("POST", "/audit/cases/{case}/current-risk/remove", None),
    ("GET", "/audit/inspections/{inspection}/concerns", None),
    ("GET", "/audit/cases/{case}/second-audit", None),
    ("GET", "/audit/cases/{case}/second-audit/history", None),
    ("POST", "/audit/cases/{case}/second-audit", None),
    ("POST", "/audit/cases/{case}/second-audit/answers/DA01", None),
    ("GET", "/audit/cases/{case}/second-audit/submit", None),
    ("POST", "/audit/cases/{case}/second-audit/submit", None),
]

# Routes a member in the wrong role is refused (403), with a role that is refused.
WRONG_ROLE = [
    ("GET", "/audit/cases/{case}", "other_auditor"),
    ("GET", "/audit/cases/{case}/history", "other_auditor"),
    ("POST", "/audit/cases/{case}", "observer"),
    ("POST", "/audit/cases/{case}", "lead"),
    ("POST", "/audit/cases/{case}/answers/DA01", "observer"),
    ("POST", "/audit/cases/{case}/answers/DA01", "lead"),
    ("GET", "/audit/cases/{case}/case-study", "observer"),
    ("GET", "/audit/cases/{case}/current-risk", "observer"),
    ("POST", "/audit/cases/{case}/current-risk/acknowledge", "auditor"),
    ("POST", "/audit/cases/{case}/current-risk/raised", "auditor"),
    ("GET", "/audit/cases/{case}/current-risk/remove", "auditor"),
    ("GET", "/audit/inspections/{inspection}/concerns", "auditor"),
    ("GET", "/audit/inspections/{inspection}/concerns", "observer"),
    ("GET", "/audit/cases/{case}/second-audit", "auditor"),
    ("GET", "/audit/cases/{case}/second-audit", "lead"),
    ("GET", "/audit/cases/{case}/second-audit/history", "auditor"),
    ("GET", "/audit/cases/{case}/second-audit/history", "lead"),
    ("POST", "/audit/cases/{case}/second-audit/answers/DA01", "auditor"),
    ("GET", "/audit/cases/{case}/second-audit/submit", "auditor"),
]


@pytest.fixture
def case(inspection: Any, auditor: User) -> Any:
    return factories.make_case(inspection, "DA-0001", auditor=auditor)


@pytest.fixture
def with_second_audit(case: Any, second_auditor: User, lead: User) -> Any:
    db.session.add(
        SecondAudit(case_id=case.id, auditor_id=second_auditor.id, requested_by_id=lead.id)
    )
    db.session.commit()
    return case


def _path(template: str, inspection: Any, case: Any) -> str:
    return template.format(inspection=inspection.id, case=case.id)


def _request(c: Any, method: str, path: str) -> Any:
    if method == "GET":
        return c.get(path)
    if "/answers/" in path:
        return c.post(
            path,
            json={"value": "yes", "base_version": 1},
            headers={"X-CSRFToken": c.csrf_token or ""},
        )
    return c.post_form(path, {})


@pytest.mark.parametrize(("method", "template", "_"), ROUTES)
def test_every_route_sends_anonymous_users_to_sign_in(
    client: Any, inspection: Any, case: Any, method: str, template: str, _: Any
) -> None:
    path = _path(template, inspection, case)
    response = client.get(path) if method == "GET" else client.post(path)
    if method == "POST":
        # Without a session there is no CSRF token: refused before reaching the route.
        assert response.status_code in (302, 400)
    else:
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(("method", "template", "_"), [r for r in ROUTES if r[1] != "/audit/cases"])
def test_every_route_is_not_found_for_non_members(
    login_as: Any, outsider: User, inspection: Any, case: Any, method: str, template: str, _: Any
) -> None:
    c = login_as(outsider)
    assert _request(c, method, _path(template, inspection, case)).status_code == 404


@pytest.mark.parametrize(("method", "template", "who"), WRONG_ROLE)
def test_wrong_role_is_forbidden(
    login_as: Any,
    inspection: Any,
    with_second_audit: Any,
    auditor: User,
    lead: User,
    observer: User,
    method: str,
    template: str,
    who: str,
) -> None:
    users = {
        "auditor": auditor,
        "lead": lead,
        "observer": observer,
        "other_auditor": factories.make_member(
            inspection, "other@example.test", InspectionRole.AUDITOR
        ),
    }
    c = login_as(users[who])
    response = _request(c, method, _path(template, inspection, with_second_audit))
    assert response.status_code == 403


def test_anonymous_post_with_token_goes_to_sign_in(client: Any, case: Any) -> None:
    client.refresh_csrf("/auth/login")
    response = client.post_form(f"/audit/cases/{case.id}", {})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_my_cases_lists_progress_status_and_grade_so_far(
    login_as: Any, inspection: Any, auditor: User, second_auditor: User
) -> None:
    factories.make_case(inspection, "DA-0001", auditor=auditor, answers={"DA01": "no"})
    factories.make_case(inspection, "DA-0002", auditor=second_auditor)
    page = login_as(auditor).get(f"/audit/inspections/{inspection.id}/cases").get_data(True)
    assert "DA-0001" in page
    assert "DA-0002" not in page  # someone else's case
    assert "Domestic abuse incident" in page
    # DA01 = no hides the five child questions and DA11 unanswered hides the MARAC question:
    # 11 of the 17 questions are asked (all required), 1 answered, and nothing graded yet.
    assert "Answered 1 of 11 required questions" in page
    assert "In progress" in page
    assert "Not graded" in page


def test_my_cases_across_inspections_never_lists_other_peoples_cases(
    login_as: Any, inspection: Any, auditor: User, outsider: User
) -> None:
    factories.make_case(inspection, "DA-0009", auditor=auditor)
    response = login_as(outsider).get("/audit/cases")
    assert response.status_code == 200
    assert "DA-0009" not in response.get_data(True)
    assert "No cases are assigned to you" in response.get_data(True)


def test_my_cases_across_inspections_shows_each_inspection(
    login_as: Any, inspection: Any, other_inspection: Any, auditor: User
) -> None:
    factories.add_member(other_inspection, auditor, InspectionRole.AUDITOR)
    factories.make_case(inspection, "DA-0001", auditor=auditor)
    factories.make_case(other_inspection, "MC-0001", slug="missing-child", auditor=auditor)
    page = login_as(auditor).get("/audit/cases").get_data(True)
    assert "DA-0001" in page and "MC-0001" in page
    assert "Review 2022" in page and "Another force&#39;s review" in page


def test_returned_case_shows_the_leads_comment(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    factories.make_case(
        inspection, "DA-0003", auditor=auditor, returned_comment="Check DA06 against the log"
    )
    page = login_as(auditor).get(f"/audit/inspections/{inspection.id}/cases").get_data(True)
    assert "Returned" in page
    assert "Check DA06 against the log" in page


def test_submitted_case_shows_final_grade_not_provisional(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    factories.make_case(
        inspection,
        "DA-0004",
        auditor=auditor,
        status=CaseStatus.SUBMITTED,
        proposed_grade="good",  # a final grade only counts once moderated (figure_grade)
    )
    page = login_as(auditor).get("/audit/cases").get_data(True)
    assert "Submitted" in page
    assert "Good" in page


def test_case_page_shows_form_for_assigned_auditor(login_as: Any, case: Any, auditor: User) -> None:
    page = login_as(auditor).get(f"/audit/cases/{case.id}").get_data(True)
    assert 'data-module="app-audit-form"' in page
    assert 'name="answer-DA01"' in page
    assert "dist/audit-form.js" in page
    assert "Provisional grade" in page


@pytest.mark.parametrize("who", ["lead", "observer"])
def test_leads_and_observers_see_the_case_read_only(
    login_as: Any, inspection: Any, auditor: User, lead: User, observer: User, who: str
) -> None:
    case = factories.make_case(
        inspection, "DA-0005", auditor=auditor, answers={"DA01": "yes", "DA02": "partly"}
    )
    user = lead if who == "lead" else observer
    response = login_as(user).get(f"/audit/cases/{case.id}")
    page = response.get_data(True)
    assert response.status_code == 200
    assert 'name="answer-DA01"' not in page
    assert "only its assigned auditor can change it" in page
    assert "DA02. Did the call handler record a THRIVE assessment" in page
    assert "Partly" in page


def test_case_page_shows_history_of_changes(login_as: Any, case: Any, auditor: User) -> None:
    c = login_as(auditor)
    c.post(
        f"/audit/cases/{case.id}/answers/DA02",
        json={"value": "yes", "base_version": case.version},
        headers={"X-CSRFToken": c.csrf_token},
    )
    page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert 'class="moj-timeline"' in page
    assert "Answer to DA02 changed" in page
    assert "Not answered → Yes" in page
    assert f"by {auditor.name}" in page


def test_workspace_scripts_are_modules_without_inline_code(
    login_as: Any, case: Any, auditor: User
) -> None:
    page = login_as(auditor).get(f"/audit/cases/{case.id}").get_data(True)
    assert "<script>" not in page
    assert ' style="' not in page


def test_my_cases_is_in_the_main_navigation(login_as: Any, case: Any, auditor: User) -> None:
    page = login_as(auditor).get("/").get_data(True)
    assert 'href="/audit/cases"' in page
    assert "My cases" in page


def test_history_names_moderation_events_in_words(
    login_as: Any, case: Any, auditor: User, lead: User
) -> None:
    from auditapp.services.audit_log import record_event

    for field, old, new in (
        ("status", "submitted", "draft"),
        ("returned_comment", None, "See DA06"),
    ):
        record_event(
            "moderation_returned",
            "case",
            user=lead,
            entity_id=case.id,
            inspection_id=case.inspection_id,
            case_id=case.id,
            field=field,
            old=old,
            new=new,
        )
    db.session.commit()
    page = login_as(auditor).get(f"/audit/cases/{case.id}").get_data(True)
    assert "Returned to the auditor" in page
    assert "submitted → draft" in page
    assert "Lead&#39;s comment" in page and "See DA06" in page


def test_case_without_a_question_set_says_what_to_do(
    login_as: Any, inspection: Any, auditor: User
) -> None:
    case = factories.make_case(inspection, "DA-0404", auditor=auditor)
    case.question_set_id = None
    db.session.commit()
    c = login_as(auditor)
    response = c.get(f"/audit/cases/{case.id}")
    assert response.status_code == 409
    assert "has no question set yet" in response.get_data(True)
    assert "No question set yet" in c.get("/audit/cases").get_data(True)
    saved = c.post(
        f"/audit/cases/{case.id}/answers/DA01",
        json={"value": "yes", "base_version": case.version},
        headers={"X-CSRFToken": c.csrf_token},
    )
    assert saved.status_code == 409
