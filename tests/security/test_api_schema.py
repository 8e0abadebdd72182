"""schemathesis against the served OpenAPI document, with every check on (issue 20, point 8).

The schema is loaded from the app itself (/api/openapi.json, through WSGI), and every operation
is called with schema-valid and schema-breaking input, authenticated with a real API token, on
an inspection with cases in every state: responses must match the document (status, content
type, headers, body schema), never be a 5xx, refuse broken input, enforce authentication and
answer methods the document does not list with 405 and an `Allow` header.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from auditapp import create_app
from auditapp.extensions import db
from auditapp.models import CaseStatus, InspectionRole, utcnow
from auditapp.services import api_tokens
from config import TestConfig
from tests import factories

EXAMPLES = 25


def _config() -> SchemathesisConfig:
    """Every built-in check on, the response-time one included (a figure page within 10 s).

    Half the drawn inspection ids are the lead's own inspections (1 and 2: the fixture makes
    them first), so valid requests reach real figures and their bodies are checked against the
    document; the rest are whatever the generator draws.
    """
    return SchemathesisConfig.from_dict(
        {
            "checks": {"enabled": True, "max_response_time": 10.0},
            "dictionaries": {"own-inspections": {"values": [1, 2]}},
            "parameters": {
                "path.inspection_id": {"dictionary": "own-inspections", "probability": 0.5}
            },
        },
    )


@pytest.fixture
def api_token(app: Flask) -> Iterator[str]:
    """A lead's token; the lead is in both inspections (ids 1 and 2, which the generator draws
    often), one with cases in every state, so valid requests get real figures."""
    baseline = factories.make_inspection("Inspection 2021")
    inspection = factories.make_inspection("Review 2022", baseline_id=baseline.id)
    lead = factories.make_member(inspection, "lead@example.test", InspectionRole.LEAD)
    factories.add_member(baseline, lead, InspectionRole.LEAD)
    auditor = factories.make_member(inspection, "auditor@example.test", InspectionRole.AUDITOR)
    factories.make_case(inspection, "DA-DRAFT", auditor=auditor)
    for number, answer in enumerate(("yes", "no", "partly")):
        factories.make_case(
            inspection,
            f"DA-{number}",
            auditor=auditor,
            answers={"DA01": "yes", "DA02": answer},
            status=CaseStatus.SUBMITTED,
            submitted_at=utcnow(),
        )
    _, token = api_tokens.create_token(lead, "schemathesis")
    db.session.commit()
    yield token


# The document as the app serves it. Loaded at import (schemathesis' fixture-based loader does
# not work with pytest 9); each call then goes to the test's app, on the test database.
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", create_app(TestConfig), config=_config()
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_conforms_to_its_document(
    case: Any, app: Flask, api_token: str
) -> None:
    # Run as in production: each request in its own app context. (The test's app context would
    # otherwise be shared, and `g` would carry one request's signed-in user into the next, as
    # schemathesis' probe without credentials found.)
    contextvars.Context().run(
        case.call_and_validate, headers={"Authorization": f"Bearer {api_token}"}, app=app
    )
