"""A lead redacts free text: it leaves the case, the history, the API and every export.

The audit log keeps every event (append-only, hash-chained); only the text it kept apart is
erased, and `flask audit-log verify` still passes. Auditors and observers are refused.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import Answer, AuditEvent, Base, Case, FreeText, Redaction, User
from tests import factories
from tests.web.pages import Page

MARKER = "Quill"  # in every version typed, and in nothing else the app writes
NOTE_VERSIONS = ("Spoke with Quill", "Spoke with Quillfeather at the school gate")
CONCERN = "Quillfeather told staff the house had no heating"
ACKNOWLEDGED = "Passed to the Quillfeather team's duty inspector"  # the lead's account
AT_1410 = {"day": "2", "month": "12", "year": "2025", "hour": "14", "minute": "10"}
REASON = "Name typed by mistake"


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(
        inspection, "DA-0001", auditor=auditor, answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS)
    )


def _autosave_note(c: Any, case: Case, question: str, note: str) -> None:
    db.session.expire_all()
    response = c.post(
        f"/audit/cases/{case.id}/answers/{question}",
        json={"note": note, "base_version": db.session.get(Case, case.id).version},
        headers={"X-CSRFToken": c.csrf_token},
    )
    assert response.status_code == 200, response.get_json()


def _typed_by_the_auditor(login_as: Any, case: Case, auditor: User) -> None:
    c = login_as(auditor)
    for note in NOTE_VERSIONS:
        _autosave_note(c, case, "DA02", note)
    response = c.post_form(f"/audit/cases/{case.id}/current-risk", {"note": CONCERN})
    assert response.status_code == 302, response.get_data(True)[:500]


def _redact(c: Any, case: Case, target: str, reason: str = REASON) -> Any:
    return c.post_form(f"/audit/cases/{case.id}/redact", {"text": target, "reason": reason})


def _redaction_words(lead: User) -> str:
    today = datetime.now(ZoneInfo("Europe/London"))
    return f"Redacted by {lead.name} on {today:%-d %B %Y}: {REASON}"


def _verify(app: Flask) -> tuple[int, str]:
    db.session.close()  # PostgreSQL: the command sees what the requests committed
    result = app.test_cli_runner().invoke(args=["audit-log", "verify"])
    return result.exit_code, result.output


@pytest.mark.parametrize("who", ["auditor", "observer"])
def test_auditors_and_observers_may_not_redact(
    login_as: Any, request: pytest.FixtureRequest, case: Case, auditor: User, who: str
) -> None:
    _typed_by_the_auditor(login_as, case, auditor)
    c = login_as(request.getfixturevalue(who))

    assert c.get(f"/audit/cases/{case.id}/redactions").status_code == 403
    assert c.get(f"/audit/cases/{case.id}/redact?text=note-1-DA02").status_code == 403
    assert _redact(c, case, "note-1-DA02").status_code == 403

    db.session.expire_all()
    assert db.session.get(Answer, _answer_id(case, "DA02")).note == NOTE_VERSIONS[-1]
    assert db.session.scalar(select(func.count()).select_from(Redaction)) == 0


def _answer_id(case: Case, question: str) -> int:
    return db.session.scalar(
        select(Answer.id).where(Answer.case_id == case.id, Answer.question_code == question)
    )


def test_a_lead_redacts_a_note_with_a_reason_and_the_redaction_is_logged(
    app: Flask, login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _typed_by_the_auditor(login_as, case, auditor)
    c = login_as(lead)
    listed = Page(c.get(f"/audit/cases/{case.id}/redactions").get_data(True))
    assert "Note on DA02" in listed.text(".govuk-summary-list")

    response = _redact(c, case, "note-1-DA02")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Answer, _answer_id(case, "DA02")).note == _redaction_words(lead)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "redact")).one()
    assert (event.user_id, event.case_id, event.field) == (lead.id, case.id, "DA02")
    page = Page(c.get(f"/audit/cases/{case.id}/history").get_data(True))
    items = {}
    for item in page.select(".moj-timeline__item"):
        parts = {
            element.get("class"): " ".join("".join(element.itertext()).split())
            for element in item.iter()
        }
        items[parts["moj-timeline__title"]] = parts.get("moj-timeline__description", "")
    assert items["Text redacted (DA02)"] == f"Reason: {REASON}"
    assert _redaction_words(lead) in items["Note on DA02 changed"]
    # The other text is untouched until it is redacted too.
    assert db.session.get(Case, case.id).current_risk_note == CONCERN
    assert _verify(app)[0] == 0


def test_a_redaction_needs_a_reason_without_personal_data(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _typed_by_the_auditor(login_as, case, auditor)
    c = login_as(lead)

    response = _redact(c, case, "note-1-DA02", reason="Mother Jane Smith asked")

    assert response.status_code == 200
    assert "This reason seems to hold a name ('Jane Smith')" in Page(response.get_data(True)).text(
        ".govuk-error-summary"
    )
    db.session.expire_all()
    assert db.session.get(Answer, _answer_id(case, "DA02")).note == NOTE_VERSIONS[-1]


def _every_stored_value() -> str:
    """Every value of every column of every table, as text."""
    values = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            values.extend(repr(value) for value in row)
    return "\n".join(values)


def _everything_shown(c: Any, case: Case) -> dict[str, str]:
    """Every page, API answer and export that could show the case's free text."""
    inspection_id = case.inspection_id
    shown = {
        "case page": c.get(f"/audit/cases/{case.id}").get_data(True),
        "history": c.get(f"/audit/cases/{case.id}/history").get_data(True),
        "moderation page": c.get(f"/moderation/cases/{case.id}").get_data(True),
        "report": c.get(f"/exports/{inspection_id}/report").get_data(True),
    }
    for part in ("summary", "findings", "recommendations"):
        response = c.get(f"/api/inspections/{inspection_id}/{part}")
        assert response.status_code == 200
        shown[f"API {part}"] = response.get_data(True)
    archive = zipfile.ZipFile(io.BytesIO(c.get(f"/exports/{inspection_id}/csv.zip").data))
    for name in archive.namelist():
        shown[f"CSV {name}"] = archive.read(name).decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(c.get(f"/exports/{inspection_id}/workbook.xlsx").data))
    shown["XLSX"] = "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    pdf = PdfReader(io.BytesIO(c.get(f"/exports/{inspection_id}/report.pdf").data))
    shown["PDF"] = "\n".join(page.extract_text() for page in pdf.pages)
    return shown


def test_redacted_text_appears_nowhere_in_the_database_the_history_the_api_or_any_export(
    app: Flask, login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _typed_by_the_auditor(login_as, case, auditor)
    c = login_as(lead)
    acknowledged = c.post_form(
        f"/audit/cases/{case.id}/current-risk/acknowledge", {"action": ACKNOWLEDGED, **AT_1410}
    )
    assert acknowledged.status_code == 302
    # The search finds the text where it is before the redaction: it can fail.
    before = _everything_shown(c, case)
    assert MARKER in _every_stored_value()
    assert MARKER in before["history"] and MARKER in before["CSV answers.csv"]
    assert MARKER in before["XLSX"]
    assert "Quillfeather team" in before["case page"]  # the lead's account, on the banner

    for target in ("note-1-DA02", "case-current_risk_note", "case-current_risk_action"):
        assert _redact(c, case, target).status_code == 302

    db.session.expire_all()
    assert MARKER not in _every_stored_value()
    after = _everything_shown(c, case)
    for where, text in after.items():
        assert MARKER not in text, f"the redacted text is still in the {where}"
    assert _redaction_words(lead) in after["CSV answers.csv"]
    # Every event stays, with its digest; only the kept-apart text is erased.
    erased = db.session.scalar(
        select(func.count()).select_from(FreeText).where(FreeText.redaction_id.is_not(None))
    )
    # The note's first save (new), its second (old and new), the concern (new), the lead's
    # account of what was done (new).
    assert erased == 5
    assert _verify(app)[0] == 0


def test_text_an_older_event_holds_inline_reads_as_redacted_in_the_history(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    """Events chained before free text was kept apart keep their text; once redacted, the
    history never shows it again (the README says what the old rows still hold)."""
    db.session.add(
        AuditEvent(
            user_id=auditor.id,
            inspection_id=case.inspection_id,
            case_id=case.id,
            action="change_note",
            entity="answer",
            entity_id="DA03",
            field="DA03",
            new_value="Spoke with Quillfeather",
        )
    )
    db.session.get(Answer, _answer_id(case, "DA03")).note = "Spoke with Quillfeather"
    db.session.commit()
    c = login_as(lead)

    assert _redact(c, case, "note-1-DA03").status_code == 302

    history = c.get(f"/audit/cases/{case.id}/history").get_data(True)
    assert MARKER not in history
    assert _redaction_words(lead) in history


def test_a_lead_redacts_an_agree_comment_and_a_reconciliation_reason(
    app: Flask,
    login_as: Any,
    inspection: Any,
    auditor: User,
    second_auditor: User,
    lead: User,
) -> None:
    from tests.web.test_moderation import GOOD, submitted
    from tests.web.test_second_audit import make_second_audit

    case = submitted(inspection, "DA-0700", auditor, GOOD)
    make_second_audit(case, second_auditor, lead, {**GOOD, "DA04": "no", "DA16": "no"})
    c = login_as(lead)
    differences = f"/moderation/cases/{case.id}/second-audit/differences"
    decided = c.post_form(
        f"{differences}/DA04",
        {"reconcile-source": "second", "reconcile-reason": "Quillfeather file shows no visit"},
    )
    assert decided.status_code == 302
    agreed = c.post_form(
        f"/moderation/cases/{case.id}/agree", {"agree-comment": "Quillfeather notes are clear"}
    )
    assert agreed.status_code == 302
    listed = Page(c.get(f"/audit/cases/{case.id}/redactions").get_data(True))
    assert "Why the answer to DA04 stands" in listed.text("main")
    assert MARKER in c.get(differences + "/DA04").get_data(True)  # the search can fail

    for target in ("reconcile-DA04", "case-moderation_reason"):
        assert _redact(c, case, target).status_code == 302

    db.session.expire_all()
    assert MARKER not in _every_stored_value()
    for page in (
        f"/moderation/cases/{case.id}",
        f"/audit/cases/{case.id}/history",
        differences,
        differences + "/DA04",
    ):
        assert MARKER not in c.get(page).get_data(True), page
    assert _redaction_words(lead) in c.get(differences + "/DA04").get_data(True)
    assert _verify(app)[0] == 0


# --- the evidence log and the action plan (inspection-level texts) ------------------------------


def _inspection_shown(c: Any, inspection_id: int) -> dict[str, str]:
    """The pages, API answers and exports that show the evidence log and the action plan."""
    shown = {
        "evidence log": c.get(f"/evidence/inspections/{inspection_id}/entries").get_data(True),
        "action plan": c.get(f"/evidence/inspections/{inspection_id}/actions").get_data(True),
        "API evidence": c.get(f"/api/inspections/{inspection_id}/evidence").get_data(True),
        "API plan": c.get(f"/api/inspections/{inspection_id}/action-plan").get_data(True),
    }
    archive = zipfile.ZipFile(io.BytesIO(c.get(f"/exports/{inspection_id}/csv.zip").data))
    for name in archive.namelist():
        shown[f"CSV {name}"] = archive.read(name).decode("utf-8-sig")
    return shown


def test_a_lead_redacts_evidence_and_an_update_and_the_text_appears_nowhere(
    app: Flask, login_as: Any, inspection: Any, auditor: User, lead: User
) -> None:
    from auditapp.models import ActionPlanItem, EvidenceEntry

    rec = factories.make_recommendation(inspection, "R1")
    c = login_as(auditor)
    entry_form = {
        "kind": "focus_group", "held_on": ["9", "9", "2022"], "source": "Demand hub supervisors",
        "description": "Quill said the backlog had grown", "recommendations": [str(rec.id)],
    }  # fmt: skip
    entries = f"/evidence/inspections/{inspection.id}/entries"
    assert c.post_form(f"{entries}/new", entry_form).status_code == 302
    entry = db.session.scalars(select(EvidenceEntry)).one()
    changed = {**entry_form, "description": "Quillfeather said the backlog had grown"}
    assert c.post_form(f"{entries}/{entry.id}/edit", changed).status_code == 302
    actions = f"/evidence/inspections/{inspection.id}/actions"
    added = c.post_form(
        f"{actions}/new",
        {"recommendation": str(rec.id), "description": "Train staff", "owner": "Head of PP"},
    )
    assert added.status_code == 302
    item = db.session.scalars(select(ActionPlanItem)).one()
    update = {"given_on": ["9", "9", "2022"], "text": "Quill team trained", "status": ""}
    assert c.post_form(f"{actions}/{item.id}/updates/new", update).status_code == 302
    db.session.expire_all()
    (given,) = db.session.get(ActionPlanItem, item.id).updates  # type: ignore[union-attr]

    # Only a lead may redact: the auditor is refused, and nothing changes.
    redact = f"/evidence/inspections/{inspection.id}/redact"
    target = f"evidence-{entry.id}-description"
    refused = c.post_form(redact, {"text": target, "reason": REASON})
    assert refused.status_code == 403
    lead_client = login_as(lead)
    assert MARKER in _every_stored_value()  # the search can fail
    before = _inspection_shown(lead_client, inspection.id)
    assert MARKER in before["evidence log"] and MARKER in before["action plan"]
    listed = lead_client.get(f"/evidence/inspections/{inspection.id}/redactions").get_data(True)
    assert "Redact" in listed and MARKER in listed

    for target in (f"evidence-{entry.id}-description", f"update-{given.id}"):
        response = lead_client.post_form(redact, {"text": target, "reason": REASON})
        assert response.status_code == 302

    db.session.expire_all()
    assert MARKER not in _every_stored_value()
    after = _inspection_shown(lead_client, inspection.id)
    for where, text in after.items():
        assert MARKER not in text, f"the redacted text is still in the {where}"
    assert _redaction_words(lead) in after["evidence log"]
    assert _redaction_words(lead) in after["action plan"]
    redactions = db.session.scalars(select(Redaction).order_by(Redaction.id)).all()
    assert [(r.entity, r.field) for r in redactions] == [
        ("evidence_entry", "description"),
        ("action_plan_item", "text"),
    ]
    assert _verify(app)[0] == 0


def test_a_lead_redacts_a_chapter_judgements_reason_everywhere_it_was_kept(
    app: Flask, login_as: Any, inspection: Any, lead: User
) -> None:
    from auditapp.models import ChapterJudgement
    from auditapp.services.findings.chapters import record_chapter_judgement

    for reason in ("Quill diary gaps", "Quillfeather diary gaps"):  # two versions in the log
        record_chapter_judgement(
            inspection, "Initial contact", lead, judgement="inadequate", reason=reason
        )
    db.session.commit()
    judgement = db.session.scalars(select(ChapterJudgement)).one()
    c = login_as(lead)
    assert MARKER in _every_stored_value()
    listed = c.get(f"/evidence/inspections/{inspection.id}/redactions").get_data(True)
    assert "Reason for the judgement of the chapter Initial contact" in listed

    response = c.post_form(
        f"/evidence/inspections/{inspection.id}/redact",
        {"text": f"chapter-{judgement.id}", "reason": REASON},
    )
    assert response.status_code == 302

    db.session.expire_all()
    assert MARKER not in _every_stored_value()
    assert db.session.get(ChapterJudgement, judgement.id).reason == _redaction_words(lead)  # type: ignore[union-attr]
    chapters = c.get(f"/findings/inspections/{inspection.id}/chapters").get_data(True)
    assert MARKER not in chapters
    assert _verify(app)[0] == 0
