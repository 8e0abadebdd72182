"""Blind second audits: asking for one, comparing the two audits, resolving, and blindness."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from auditapp.extensions import db
from auditapp.models import (
    Answer,
    AuditEvent,
    Case,
    CaseStatus,
    InspectionRole,
    QuestionSet,
    SecondAudit,
    SecondAuditStatus,
    User,
)
from auditapp.services.audit.round import SECOND_ROUND
from auditapp.services.grading import regrade_outcomes
from tests import factories
from tests.web.test_moderation import GOOD, INADEQUATE, reload, submitted

# Text only the first audit holds: none of it may reach the second auditor.
FIRST_NOTE = "FIRSTNOTE-7QX call log shows a diary appointment"
FIRST_REASON = "FIRSTREASON-7QX appointment justified by the call notes"
FIRST_RISK = "FIRSTRISK-7QX child left with the suspect"
FIRST_NARRATIVE = "FIRSTSTUDY-7QX a case study of drift"
FIRST_TIMELINE = "FIRSTTIMELINE-7QX earlier note text"
FIRST_MARKERS = (
    "FIRSTNOTE-7QX",
    "FIRSTREASON-7QX",
    "FIRSTRISK-7QX",
    "FIRSTSTUDY-7QX",
    "FIRSTTIMELINE-7QX",
)


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return submitted(
        inspection,
        "DA-0001",
        auditor,
        GOOD,
        proposed_grade="requires_improvement",
        proposed_reason="Appointment was justified by the call notes",
    )


def request_second(client: Any, case: Case, second_auditor: User) -> Any:
    return client.post_form(
        f"/moderation/cases/{case.id}/second-audit", {"second-auditor": str(second_auditor.id)}
    )


def make_second_audit(
    case: Case,
    second_auditor: User,
    lead: User,
    answers: dict[str, str],
    *,
    notes: dict[str, str] | None = None,
    status: SecondAuditStatus = SecondAuditStatus.SUBMITTED,
    proposed_grade: str | None = None,
    proposed_reason: str | None = None,
) -> SecondAudit:
    """A second audit with round-2 answers, graded, in the given state."""
    second = SecondAudit(
        case_id=case.id,
        auditor_id=second_auditor.id,
        requested_by_id=lead.id,
        status=status,
        proposed_grade=proposed_grade,
        proposed_reason=proposed_reason,
    )
    db.session.add(second)
    for code, value in answers.items():
        db.session.add(
            Answer(
                case_id=case.id,
                audit_round=2,
                question_code=code,
                value=value,
                note=(notes or {}).get(code),
                answered_by_id=second_auditor.id,
            )
        )
    db.session.flush()
    result = regrade_outcomes(case, SECOND_ROUND)
    second.computed_grade = str(result.grade) if result.grade else None
    db.session.commit()
    return second


# --- asking for a second audit ------------------------------------------------------------------


def test_lead_asks_another_auditor_for_a_second_audit(
    login_as: Any, lead: User, second_auditor: User, case: Case
) -> None:
    c = login_as(lead)
    page = c.get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    assert "Ask for a second audit" in page
    response = request_second(c, case, second_auditor)
    assert response.status_code == 302
    assert f"{second_auditor.name} has been asked to audit case DA-0001" in c.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    second = db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == case.id))
    assert second is not None
    assert (second.auditor_id, second.requested_by_id, second.status) == (
        second_auditor.id,
        lead.id,
        SecondAuditStatus.IN_PROGRESS,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "request_second_audit"))
    assert event is not None
    assert (event.case_id, event.inspection_id, event.user_id) == (
        case.id,
        case.inspection_id,
        lead.id,
    )


def test_first_auditor_cannot_be_the_second_auditor(
    login_as: Any, lead: User, auditor: User, case: Case
) -> None:
    response = request_second(login_as(lead), case, auditor)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(SecondAudit)) is None


def test_second_auditor_must_be_an_auditor_of_the_inspection(
    login_as: Any, lead: User, observer: User, outsider: User, case: Case
) -> None:
    c = login_as(lead)
    for user in (observer, outsider, lead):
        assert request_second(c, case, user).status_code == 200
    assert db.session.scalar(select(SecondAudit)) is None


def test_no_second_audit_of_a_draft_or_twice(
    login_as: Any, inspection: Any, lead: User, auditor: User, second_auditor: User, case: Case
) -> None:
    c = login_as(lead)
    draft = factories.make_case(inspection, "DA-DRAFT", auditor=auditor, answers=GOOD)
    response = request_second(c, draft, second_auditor)
    assert "ask for a second audit once it is submitted" in c.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    request_second(c, case, second_auditor)
    response = request_second(c, case, second_auditor)
    assert "Case DA-0001 already has a second audit." in c.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert len(db.session.scalars(select(SecondAudit)).all()) == 1


def test_lead_who_audited_the_case_cannot_ask_for_its_second_audit(
    login_as: Any, inspection: Any, lead: User, second_auditor: User
) -> None:
    own = submitted(inspection, "DA-OWN", lead, GOOD)
    response = request_second(login_as(lead), own, second_auditor)
    assert response.status_code == 403
    assert "another lead must ask for a second audit" in response.get_data(as_text=True)


# --- comparing and resolving --------------------------------------------------------------------


def test_comparison_waits_for_the_second_audit(
    login_as: Any, lead: User, second_auditor: User, case: Case
) -> None:
    make_second_audit(case, second_auditor, lead, {}, status=SecondAuditStatus.IN_PROGRESS)
    page = login_as(lead).get(f"/moderation/cases/{case.id}/second-audit").get_data(as_text=True)
    assert "has not submitted the second audit yet" in page
    assert "Reconcile the answers question by question" not in page


def test_comparison_shows_both_audits_question_by_question_and_grade_by_grade(
    login_as: Any, lead: User, second_auditor: User, case: Case
) -> None:
    make_second_audit(
        case,
        second_auditor,
        lead,
        INADEQUATE,
        notes={"DA04": "No justification for the diary appointment"},
    )
    page = login_as(lead).get(f"/moderation/cases/{case.id}/second-audit").get_data(as_text=True)
    assert "Compare audits of case DA-0001" in page
    assert "Grades differ" in page
    assert "Outcomes differ on 1 of" in page
    assert ": DA04." in page
    assert "No justification for the diary appointment" in page
    da04 = page[page.index("DA04 · critical") :]
    da04 = da04[: da04.index("</tr>")]
    assert "Met" in da04 and "Not met" in da04 and "Differs" in da04
    da02 = page[page.index(">DA02") :]
    assert "Same" in da02[: da02.index("</tr>")]
    # Grade by grade: first audit proposed requires improvement over a computed good.
    assert "Appointment was justified by the call notes" in page
    assert "Inadequate" in page


def test_second_auditor_and_observer_cannot_see_the_comparison(
    login_as: Any, lead: User, second_auditor: User, observer: User, case: Case
) -> None:
    make_second_audit(case, second_auditor, lead, INADEQUATE)
    for user in (second_auditor, observer):
        assert login_as(user).get(f"/moderation/cases/{case.id}/second-audit").status_code == 403


def test_second_audit_through_the_audit_form_is_compared(
    login_as: Any, lead: User, second_auditor: User, case: Case
) -> None:
    from auditapp.services.audit import saving, submitting
    from auditapp.services.audit.round import load_second_audit

    request_second(login_as(lead), case, second_auditor)
    fresh = reload(case)
    audit = load_second_audit(fresh.id, second_auditor)
    assert audit.editable
    for code, value in INADEQUATE.items():
        saving.save_answer(audit, code, value=value, base_version=fresh.version)
    submitting.submit_case(audit)
    db.session.commit()
    second = db.session.scalar(select(SecondAudit))
    assert second is not None
    assert (second.status, second.computed_grade) == (SecondAuditStatus.SUBMITTED, "inadequate")
    page = login_as(lead).get(f"/moderation/cases/{case.id}/second-audit").get_data(as_text=True)
    assert "Grades differ" in page


# --- blindness ----------------------------------------------------------------------------------


def _body_text(response: Any) -> str:
    """The response as text: zip members (XLSX, CSV bundles) unpacked, PDF text extracted."""
    data: bytes = response.get_data()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    if data.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", "replace")


def _candidates(name: str, converter: Any, ids: dict[str, list[Any]]) -> list[Any]:
    """Values to try for one URL argument, chosen by its name (all ids for unknown numbers)."""
    if name in ids:
        return ids[name]
    if isinstance(converter, IntegerConverter):
        return ids["any_int"]
    return ids["any_str"]


def _urls(app: Flask, ids: dict[str, list[Any]]) -> Iterator[tuple[str, str]]:
    """Every GET route of the app, with each argument filled from the candidate values."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        names = sorted(rule.arguments)
        options = [_candidates(name, rule._converters[name], ids) for name in names]
        for values in product(*options):
            filled = dict(zip(names, values, strict=True))
            path = re.sub(
                r"<(?:[^:<>]+:)?([^<>]+)>", lambda m, f=filled: str(f[m.group(1)]), rule.rule
            )
            yield rule.endpoint, path
            if "case_id" in names:
                for query in ("?audit_round=1", "?round=1", "?history=1", "?format=json"):
                    yield rule.endpoint, path + query


@pytest.fixture
def first_audit(inspection: Any, auditor: User, lead: User) -> Case:
    """A submitted first audit whose notes, reason, concern, case study and history are marked."""
    case = submitted(
        inspection,
        "DA-BLIND",
        auditor,
        GOOD,
        proposed_grade="requires_improvement",
        proposed_reason=FIRST_REASON,
        current_risk=True,
        current_risk_note=FIRST_RISK,
        current_risk_flagged_by_id=auditor.id,
        is_case_study=True,
        case_study_narrative=FIRST_NARRATIVE,
    )
    for answer in case.answers:
        answer.note = f"{FIRST_NOTE} ({answer.question_code})"
    db.session.add(
        AuditEvent(
            user_id=auditor.id,
            inspection_id=inspection.id,
            case_id=case.id,
            action="save_answer",
            entity="answer",
            entity_id="DA04",
            field="note",
            old_value=FIRST_TIMELINE,
            new_value=FIRST_NOTE,
        )
    )
    db.session.commit()
    return case


def _assert_blind(app: Flask, client: Any, ids: dict[str, list[Any]]) -> int:
    """GET every route; no response may hold the first audit's text. Returns pages reached."""
    reached = 0
    leaks = []
    for endpoint, url in _urls(app, ids):
        response = client.get(url)
        if response.status_code == 200:
            reached += 1
        body = _body_text(response)
        leaks += [f"{endpoint}: {url} shows {marker}" for marker in FIRST_MARKERS if marker in body]
    assert leaks == [], "the second auditor reaches the first audit:\n" + "\n".join(leaks)
    return reached


@pytest.mark.parametrize("state", [SecondAuditStatus.IN_PROGRESS, SecondAuditStatus.SUBMITTED])
def test_second_auditor_cannot_reach_the_first_audit_by_any_route(
    app: Flask,
    login_as: Any,
    inspection: Any,
    lead: User,
    auditor: User,
    second_auditor: User,
    first_audit: Case,
    state: SecondAuditStatus,
) -> None:
    second = make_second_audit(
        first_audit,
        second_auditor,
        lead,
        INADEQUATE,
        notes={"DA04": "SECONDNOTE-7QX no justification"},
        status=state,
    )
    question_sets = list(db.session.scalars(select(QuestionSet.id)))
    everyone = [auditor.id, second_auditor.id, lead.id]
    ids: dict[str, list[Any]] = {
        "case_id": [first_audit.id],
        "inspection_id": [inspection.id],
        "question_set_id": question_sets,
        "user_id": everyone,
        "answer_id": list(db.session.scalars(select(Answer.id))),
        "event_id": list(db.session.scalars(select(AuditEvent.id))),
        "second_audit_id": [second.id],
        "code": ["DA04", "DA02"],
        "question_id": ["DA04"],
        "outcome": ["met", "not_met", "partly_met", "not_applicable"],
        "any_int": sorted({first_audit.id, inspection.id, second.id, 1, *everyone}),
        "any_str": [str(first_audit.id), first_audit.reference, "DA04", "cases", "answers", "1"],
    }
    c = login_as(second_auditor)
    reached = _assert_blind(app, c, ids)
    assert reached > 0
    # The second auditor does reach their own form (so the sweep saw real pages).
    if "audit.show_second_audit" in app.view_functions:
        own_form = c.get(f"/audit/cases/{first_audit.id}/second-audit")
        assert own_form.status_code == 200
        assert "SECONDNOTE-7QX" in own_form.get_data(as_text=True)


def test_a_lead_does_see_the_first_audits_notes(
    login_as: Any, lead: User, second_auditor: User, first_audit: Case
) -> None:
    # The markers are real: the lead's pages show them, so their absence above means something.
    make_second_audit(first_audit, second_auditor, lead, INADEQUATE)
    c = login_as(lead)
    assert FIRST_NOTE in c.get(f"/moderation/cases/{first_audit.id}").get_data(as_text=True)
    compare = c.get(f"/moderation/cases/{first_audit.id}/second-audit").get_data(as_text=True)
    assert FIRST_NOTE in compare
    assert FIRST_REASON in compare


def test_second_auditor_in_another_role_elsewhere_still_cannot_see_moderation(
    login_as: Any, inspection: Any, lead: User, second_auditor: User, first_audit: Case
) -> None:
    other = factories.make_inspection("Elsewhere")
    factories.add_member(other, second_auditor, InspectionRole.LEAD)
    make_second_audit(first_audit, second_auditor, lead, INADEQUATE)
    c = login_as(second_auditor)
    assert c.get(f"/moderation/cases/{first_audit.id}").status_code == 403
    assert c.get(f"/moderation/inspections/{inspection.id}").status_code == 403


def test_agreement_page_compares_first_and_second_audits(
    login_as: Any, inspection: Any, lead: User, auditor: User, second_auditor: User
) -> None:
    # (first, second): (good, inadequate) and (inadequate, inadequate): 1 of 2 agree.
    # The second audit said inadequate both times, so chance alone explains its agreement:
    # observed disagreement 1/2 = expected 1/2 x 1, so kappa is 0.
    good = submitted(inspection, "DA-1", auditor, GOOD)
    bad = submitted(inspection, "DA-2", auditor, INADEQUATE)
    make_second_audit(good, second_auditor, lead, INADEQUATE)
    make_second_audit(bad, second_auditor, lead, INADEQUATE)
    page = login_as(lead).get(f"/moderation/inspections/{inspection.id}/agreement")
    text = page.get_data(as_text=True)
    second_part = text[text.index("First and second audits") :]
    assert "the same grade in <strong>1 of 2</strong> cases (50%)" in second_part
    assert "weighted kappa 0.00, slight agreement" in second_part
    questions = text[text.index("Questions with most disagreement") :]
    assert "Did the type of response fit the risk" in questions  # DA04, 1 of 2 differ
    assert "Did the call handler record a THRIVE" not in questions  # DA02 always agreed


def test_lead_who_audited_the_case_cannot_resolve_its_second_audit(
    login_as: Any, inspection: Any, lead: User, second_auditor: User
) -> None:
    own = submitted(inspection, "DA-OWN", lead, GOOD)
    other_lead = factories.make_member(inspection, "lead2@example.test", InspectionRole.LEAD)
    make_second_audit(own, second_auditor, other_lead, INADEQUATE)
    c = login_as(lead)
    page = c.get(f"/moderation/cases/{own.id}/second-audit").get_data(as_text=True)
    assert "another lead must resolve the differences" in page
    response = c.post_form(
        f"/moderation/cases/{own.id}/second-audit/differences/resolve",
        {"resolve-note": "Mine was right"},
    )
    assert response.status_code == 403
    assert "another lead must resolve it" in response.get_data(as_text=True)
    assert reload(own).status == CaseStatus.SUBMITTED
