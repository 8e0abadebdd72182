"""Personal data typed into free text is refused on save, with a message beside the field.

The one rule is domain/personal_data.free_text_findings; the case form's autosave (JSON) and
its whole-form save, the urgent-concern form and the as-typed check all answer with it, and a
refused text is neither saved nor written to the audit log.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import Answer, AuditEvent, Case, FreeText, User
from tests import factories
from tests.web.pages import Page

ISSUE_NOTE = "Child Jane Smith, DOB 12/03/2015, 14 Mill Road CB1 2AB"
ISSUE_MESSAGE = (
    "This note seems to hold a name ('Jane Smith'), a date of birth, a street address and a "
    "UK postcode. Rephrase it without personal details."
)


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(inspection, "DA-0001", auditor=auditor)


def _autosave(c: Any, case: Case, question: str, **body: Any) -> Any:
    body.setdefault("base_version", db.session.get(Case, case.id).version)
    return c.post(
        f"/audit/cases/{case.id}/answers/{question}",
        json=body,
        headers={"X-CSRFToken": c.csrf_token},
    )


def _note(case: Case, question: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Answer.note).where(Answer.case_id == case.id, Answer.question_code == question)
    )


def _nothing_logged(text: str) -> bool:
    """No event of a note change, and no kept-apart text holding ``text``."""
    notes = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "change_note")
    )
    kept = db.session.scalar(
        select(func.count()).select_from(FreeText).where(FreeText.body.contains(text[:10]))
    )
    return notes == 0 and kept == 0


def test_autosave_refuses_a_note_with_personal_data_and_saves_nothing(
    login_as: Any, case: Case, auditor: User
) -> None:
    response = _autosave(login_as(auditor), case, "DA02", note=ISSUE_NOTE)

    assert response.status_code == 422
    assert response.get_json() == {
        "error": "personal_data",
        "question_id": "DA02",
        "field": "note",
        "message": ISSUE_MESSAGE,
    }
    assert _note(case, "DA02") is None
    assert _nothing_logged(ISSUE_NOTE)


def test_autosave_keeps_an_ordinary_note(login_as: Any, case: Case, auditor: User) -> None:
    note = "Child seen on 12/03/2022; strategy discussion held within 24 hours."

    response = _autosave(login_as(auditor), case, "DA02", note=note)

    assert response.status_code == 200, response.get_json()
    assert _note(case, "DA02") == note


def test_whole_form_save_shows_the_refusal_beside_the_note_and_keeps_what_was_typed(
    login_as: Any, case: Case, auditor: User
) -> None:
    c = login_as(auditor)
    html = c.get(f"/audit/cases/{case.id}").get_data(True)
    payload = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    payload["note-DA02"] = ISSUE_NOTE

    response = c.post_form(f"/audit/cases/{case.id}", payload)

    assert response.status_code == 200
    page = Page(response.get_data(True))
    assert page.text("title").startswith("Error: ")
    summary = page.one(".govuk-error-summary a[href='#note-DA02']")
    assert "".join(summary.itertext()) == f"Note on DA02: {ISSUE_MESSAGE}"
    beside = page.one("#note-DA02-error")
    assert " ".join("".join(beside.itertext()).split()) == f"Error: {ISSUE_MESSAGE}"
    assert page.one("textarea#note-DA02").text == ISSUE_NOTE  # to rephrase, not retype
    assert _note(case, "DA02") is None
    assert _nothing_logged(ISSUE_NOTE)


def test_an_urgent_concern_with_personal_data_is_refused_and_not_flagged(
    login_as: Any, case: Case, auditor: User
) -> None:
    response = login_as(auditor).post_form(
        f"/audit/cases/{case.id}/current-risk",
        {"note": "Mother Jane Smith says the child is at 14 Mill Road"},
    )

    assert response.status_code == 200
    page = Page(response.get_data(True))
    assert (
        "This description seems to hold a name ('Jane Smith') and a street address. Rephrase "
        "it without personal details."
    ) in page.text(".govuk-error-message")
    db.session.expire_all()
    assert db.session.get(Case, case.id).current_risk is False


def test_the_as_typed_check_names_what_looks_personal(login_as: Any, auditor: User) -> None:
    c = login_as(auditor)

    response = c.post(
        "/audit/personal-data-check",
        json={"text": ISSUE_NOTE, "what": "note"},
        headers={"X-CSRFToken": c.csrf_token},
    )

    assert response.status_code == 200
    data = response.get_json()
    assert data["message"] == ISSUE_MESSAGE
    assert [ISSUE_NOTE[f["start"] : f["end"]] for f in data["findings"]] == [
        "Jane Smith",
        "12/03/2015",
        "14 Mill Road",
        "CB1 2AB",
    ]
    clean = c.post(
        "/audit/personal-data-check",
        json={"text": "The child was seen.", "what": "note"},
        headers={"X-CSRFToken": c.csrf_token},
    )
    assert clean.get_json() == {"message": None, "findings": []}


def test_the_as_typed_check_needs_a_text(login_as: Any, auditor: User) -> None:
    c = login_as(auditor)

    response = c.post(
        "/audit/personal-data-check", json={"text": 5}, headers={"X-CSRFToken": c.csrf_token}
    )

    assert response.status_code == 400


def test_every_signed_in_page_loads_the_as_typed_check(
    login_as: Any, case: Case, auditor: User
) -> None:
    page = Page(login_as(auditor).get(f"/audit/cases/{case.id}").get_data(True))

    script = page.one("script[data-personal-data-check]")
    assert script.get("data-personal-data-check") == "/audit/personal-data-check"
