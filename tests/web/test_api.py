"""The JSON API: OpenAPI document, responses matching it, session and token sign-in, tokens."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from auditapp.api.openapi import openapi_document
from auditapp.extensions import db
from auditapp.models import ApiToken, CaseStatus, Inspection, Recommendation, User, utcnow
from auditapp.services.accounts import deactivate_user
from auditapp.services.demo_report import GOOD_ANSWERS
from tests import factories

TOKEN_RE = re.compile(r'id="new-token">(aud_[A-Za-z0-9_-]+)<')


@pytest.fixture
def reviewed(inspection: Inspection, auditor: User, lead: User) -> Inspection:
    """An inspection with a baseline recommendation and two audited cases (one moderated)."""
    base = factories.make_inspection("Inspection 2021", kind="full_inspection")
    db.session.add(
        Recommendation(
            inspection_id=base.id,
            code="R1",
            position=1,
            chapter="Initial contact",
            timescale="within six months",
            text="Children's views are recorded.",
            sub_points=["one point"],
        )
    )
    inspection.baseline_id = base.id
    db.session.commit()
    answers = {k: v for k, v in GOOD_ANSWERS["domestic-abuse"].items() if isinstance(v, str)}
    factories.make_case(
        inspection,
        "DA-1",
        auditor=auditor,
        answers=answers,
        status=CaseStatus.MODERATED,
        final_grade="good",
    )
    factories.make_case(
        inspection,
        "DA-2",
        auditor=auditor,
        answers={**answers, "DA06": "no"},
        status=CaseStatus.SUBMITTED,
    )
    return inspection


def _schema_validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one component schema, resolving $refs within the OpenAPI document."""
    document = openapi_document()
    registry: Registry = Registry().with_resource(
        "urn:auditapp-openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    schema = {"$ref": f"urn:auditapp-openapi#/components/schemas/{name}"}
    return jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.FormatChecker()
    )


def _response_schema(path: str, status: str) -> str:
    """The component schema the OpenAPI document names for a path and status."""
    operation = openapi_document()["paths"][path]["get"]
    ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def test_openapi_document_is_valid_openapi_3_1(client: Any) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises OpenAPIValidationError when invalid


def test_every_documented_response_matches_its_schema(
    login_as: Callable[[User], Any], reviewed: Inspection, lead: User
) -> None:
    client = login_as(lead)
    document = openapi_document()
    assert set(document["paths"]) == {
        "/api/inspections",
        "/api/inspections/{inspection_id}/summary",
        "/api/inspections/{inspection_id}/findings",
        "/api/inspections/{inspection_id}/recommendations",
        "/api/inspections/{inspection_id}/evidence",
        "/api/inspections/{inspection_id}/action-plan",
    }
    for template in document["paths"]:
        response = client.get(template.replace("{inspection_id}", str(reviewed.id)))
        assert response.status_code == 200, template
        _schema_validator(_response_schema(template, "200")).validate(response.get_json())
    missing = client.get("/api/inspections/999999/summary")
    assert missing.status_code == 404
    _schema_validator(_response_schema("/api/inspections/{inspection_id}/summary", "404")).validate(
        missing.get_json()
    )


def test_schemas_reject_a_response_that_does_not_match() -> None:
    validator = _schema_validator("Share")
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"count": 1, "total": 2})


def test_summary_gives_the_same_figures_as_the_dashboard(
    login_as: Callable[[User], Any], reviewed: Inspection, observer: User
) -> None:
    data = login_as(observer).get(f"/api/inspections/{reviewed.id}/summary").get_json()
    assert data["headline"] == (
        "2 cases audited: 1 good (50%), 0 requires improvement (0%), 1 inadequate (50%)"
    )
    assert data["provisional"] is True and data["unmoderated"] == 1
    inadequate = data["total"]["grades"]["inadequate"]
    assert (inadequate["count"], inadequate["total"], inadequate["percent"]) == (1, 2, 50)
    assert (inadequate["ci_low_percent"], inadequate["ci_high_percent"]) == (9, 91)
    assert [row["key"] for row in data["by_case_type"]] == ["domestic-abuse"]


def test_findings_and_recommendations_give_counts_and_progress(
    login_as: Callable[[User], Any], reviewed: Inspection, auditor: User
) -> None:
    client = login_as(auditor)
    sets = client.get(f"/api/inspections/{reviewed.id}/findings").get_json()["question_sets"]
    da06 = next(q for q in sets[0]["questions"] if q["code"] == "DA06")
    assert (da06["met"], da06["not_met"], da06["applicable"]) == (1, 1, 2)
    assert da06["summary"] == "met in 1 of 2 applicable cases"
    recs = client.get(f"/api/inspections/{reviewed.id}/recommendations").get_json()
    (r1,) = recs["recommendations"]
    assert r1["code"] == "R1" and r1["baseline_rate"] is None
    assert r1["suggested"]["judgement"] == "not_assessed"
    assert [w["reference"] for w in r1["weak_answers"]] == ["DA-2"]


def test_data_endpoints_answer_401_json_without_credentials(
    client: Any, reviewed: Inspection
) -> None:
    for path in ("/api/inspections", f"/api/inspections/{reviewed.id}/summary"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.is_json and response.get_json()["error"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_non_members_get_404_json(
    login_as: Callable[[User], Any], reviewed: Inspection, outsider: User
) -> None:
    client = login_as(outsider)
    for part in ("summary", "findings", "recommendations"):
        response = client.get(f"/api/inspections/{reviewed.id}/{part}")
        assert response.status_code == 404
        assert response.get_json()["error"] == 404
    listed = client.get("/api/inspections").get_json()["inspections"]
    assert reviewed.id not in [i["id"] for i in listed]


def _create_token(client: Any, name: str = "Report sheet") -> str:
    response = client.post_form("/api/tokens", {"name": name})
    assert response.status_code == 200
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match, "the new token is not shown"
    return match.group(1)


def test_token_is_shown_once_and_stored_only_as_a_hash(
    login_as: Callable[[User], Any], lead: User
) -> None:
    client = login_as(lead)
    token = _create_token(client)
    row = db.session.scalar(select(ApiToken))
    assert row is not None and row.user_id == lead.id and row.name == "Report sheet"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    page = client.get("/api/tokens").get_data(as_text=True)
    assert "Report sheet" in page and token not in page


def test_bearer_token_reads_the_api_without_a_session(
    app: Any, login_as: Callable[[User], Any], reviewed: Inspection, lead: User
) -> None:
    token = _create_token(login_as(lead))
    anonymous = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    response = anonymous.get("/api/inspections", headers=headers)
    assert response.status_code == 200
    assert [i["id"] for i in response.get_json()["inspections"]] == [reviewed.id]
    assert response.get_json()["inspections"][0]["role"] == "lead"
    assert "Set-Cookie" not in response.headers  # a token request starts no session
    summary = anonymous.get(f"/api/inspections/{reviewed.id}/summary", headers=headers)
    assert summary.status_code == 200
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None
    # The token opens the API only: pages still need a signed-in session.
    assert anonymous.get(f"/findings/inspections/{reviewed.id}", headers=headers).status_code == 302


def test_wrong_or_revoked_token_is_refused(
    app: Any, login_as: Callable[[User], Any], reviewed: Inspection, lead: User
) -> None:
    client = login_as(lead)
    token = _create_token(client)
    anonymous = app.test_client()
    wrong = anonymous.get("/api/inspections", headers={"Authorization": "Bearer aud_nope"})
    assert wrong.status_code == 401
    basic = anonymous.get("/api/inspections", headers={"Authorization": f"Basic {token}"})
    assert basic.status_code == 401
    row = db.session.scalar(select(ApiToken))
    assert client.post_form(f"/api/tokens/{row.id}/revoke").status_code == 302
    revoked = anonymous.get("/api/inspections", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    assert "You have no active tokens" in client.get("/api/tokens").get_data(as_text=True)


def test_token_of_a_non_member_gets_404(
    app: Any, login_as: Callable[[User], Any], reviewed: Inspection, outsider: User
) -> None:
    token = _create_token(login_as(outsider))
    response = app.test_client().get(
        f"/api/inspections/{reviewed.id}/summary", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404


def test_users_cannot_revoke_each_others_tokens(
    login_as: Callable[[User], Any], lead: User, auditor: User
) -> None:
    _create_token(login_as(lead))
    row = db.session.scalar(select(ApiToken))
    response = login_as(auditor).post_form(f"/api/tokens/{row.id}/revoke", follow_redirects=True)
    assert "does not exist or is already revoked" in response.get_data(as_text=True)
    db.session.refresh(row)
    assert row.revoked_at is None


def test_token_needs_a_name(login_as: Callable[[User], Any], lead: User) -> None:
    response = login_as(lead).post_form("/api/tokens", {"name": ""})
    page = response.get_data(as_text=True)
    assert "<title>Error: Your API tokens" in page
    assert "Enter a name for the token" in page
    assert db.session.scalar(select(ApiToken)) is None


def test_token_page_needs_sign_in(client: Any) -> None:
    response = client.get("/api/tokens")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- token expiry and revocation with the account (issue 20) -----------------------------------


def _bearer(app: Any, token: str) -> int:
    response = app.test_client().get(
        "/api/inspections", headers={"Authorization": f"Bearer {token}"}
    )
    return int(response.status_code)


def test_token_expiry_is_chosen_at_creation_and_defaults_to_90_days(
    login_as: Callable[[User], Any], lead: User
) -> None:
    client = login_as(lead)
    page = client.get("/api/tokens").get_data(as_text=True)
    assert 'value="90" checked' in page
    _create_token(client, "Default")
    response = client.post_form("/api/tokens", {"name": "Yearly", "expires_in_days": "365"})
    assert TOKEN_RE.search(response.get_data(as_text=True))
    rows = {row.name: row for row in db.session.scalars(select(ApiToken))}
    for name, days in (("Default", 90), ("Yearly", 365)):
        lifetime = rows[name].expires_at - rows[name].created_at
        assert timedelta(days=days) - timedelta(minutes=1) < lifetime <= timedelta(days=days)
    assert "Expires" in response.get_data(as_text=True)


def test_a_token_expiry_outside_the_choices_is_refused(
    login_as: Callable[[User], Any], lead: User
) -> None:
    response = login_as(lead).post_form(
        "/api/tokens", {"name": "Forever", "expires_in_days": "99999"}
    )
    assert "<title>Error: Your API tokens" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_an_expired_token_is_refused(
    app: Any, login_as: Callable[[User], Any], reviewed: Inspection, lead: User
) -> None:
    client = login_as(lead)
    token = _create_token(client)
    assert _bearer(app, token) == 200
    row = db.session.scalar(select(ApiToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _bearer(app, token) == 401
    assert "You have no active tokens" in client.get("/api/tokens").get_data(as_text=True)


def test_tokens_are_revoked_when_the_password_changes(
    app: Any, login_as: Callable[[User], Any], reviewed: Inspection, lead: User
) -> None:
    """A token made by whoever knew the old password must not outlive it."""
    client = login_as(lead)
    token = _create_token(client)
    assert _bearer(app, token) == 200
    response = client.post_form(
        "/auth/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": "a-much-better-passphrase",
            "confirm_password": "a-much-better-passphrase",
        },
    )
    assert response.status_code == 302
    assert _bearer(app, token) == 401
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None


def test_tokens_are_revoked_when_the_account_is_disabled(
    app: Any, login_as: Callable[[User], Any], reviewed: Inspection, lead: User
) -> None:
    token = _create_token(login_as(lead))
    deactivate_user(db.session.get(User, lead.id), by=None)  # type: ignore[arg-type]  # the lead exists
    db.session.commit()
    assert _bearer(app, token) == 401
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None


def test_the_tokens_page_shows_the_last_use(
    app: Any, login_as: Callable[[User], Any], reviewed: Inspection, lead: User
) -> None:
    client = login_as(lead)
    token = _create_token(client)
    assert "Never" in client.get("/api/tokens").get_data(as_text=True)
    assert _bearer(app, token) == 200
    page = client.get("/api/tokens").get_data(as_text=True)
    assert "Last used" in page and "Never" not in page
