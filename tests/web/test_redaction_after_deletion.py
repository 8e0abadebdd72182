"""Every free text a user typed can be redacted, even once only the audit log holds it.

A deleted evidence entry, a deleted action (with its updates) and a cleared chapter judgement
leave their text in the audit log's kept-apart ``free_text``; an entry's figures, a baseline
rate's source and the text answer that stands after a second audit is reconciled are free text
too. A lead redacts each through the same flow: the text leaves the database, and
``flask audit-log verify`` still passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import (
    ActionPlanItem,
    Answer,
    AnswerReconciliation,
    Base,
    Case,
    CaseStatus,
    EvidenceEntry,
    InspectionQuestionSet,
    Redaction,
    SecondAudit,
    User,
)
from auditapp.services.findings.chapters import record_chapter_judgement
from auditapp.services.findings.recommendations import record_recommendation_judgement
from auditapp.services.grading import regrade_case
from auditapp.services.moderation.reconciliation import reconcile_answer
from auditapp.services.question_sets import import_question_set
from tests import factories
from tests.web.pages import Page
from tests.web.test_redaction import (
    MARKER,
    REASON,
    _every_stored_value,
    _inspection_shown,
    _redaction_words,
    _verify,
)
from tests.web.test_second_audit import make_second_audit

ENTRY = {
    "kind": "focus_group", "held_on": ["9", "9", "2022"], "source": "Quill hub supervisors",
    "description": "Quill said the backlog had grown",
    "figures": "48 Quill cases not yet visited",
}  # fmt: skip


def _listed(c: Any, inspection_id: int) -> dict[str, str]:
    """The redaction page's rows: label to the text shown, with the link's target."""
    page = Page(c.get(f"/evidence/inspections/{inspection_id}/redactions").get_data(True))
    rows = {}
    for row in page.select(".govuk-summary-list__row"):
        label = " ".join("".join(row.find(".//dt").itertext()).split())
        value = " ".join("".join(row.find(".//dd").itertext()).split())
        link = row.find(".//a").get("href")
        rows[label] = f"{value} -> {link.split('text=')[-1]}"
    return rows


@pytest.fixture
def rec(inspection: Any) -> Any:
    """A recommendation the inspection made, for entries and actions to follow up."""
    return factories.make_recommendation(inspection, "R1")


def _erased_and_verified(app: Flask) -> None:
    """The marked text is nowhere in the database, and the audit log still verifies."""
    db.session.expire_all()
    assert MARKER not in _every_stored_value()
    assert _verify(app)[0] == 0


def _redact(c: Any, inspection_id: int, target: str) -> Any:
    return c.post_form(
        f"/evidence/inspections/{inspection_id}/redact", {"text": target, "reason": REASON}
    )


def test_a_lead_redacts_a_deleted_evidence_entry_from_the_audit_log(
    app: Flask, login_as: Any, inspection: Any, rec: Any, auditor: User, lead: User
) -> None:
    c = login_as(auditor)
    entries = f"/evidence/inspections/{inspection.id}/entries"
    form = {**ENTRY, "recommendations": [str(rec.id)]}
    assert c.post_form(f"{entries}/new", form).status_code == 302
    entry_id = db.session.scalars(select(EvidenceEntry.id)).one()
    changed = {**form, "description": "Quillfeather said the backlog had grown"}
    assert c.post_form(f"{entries}/{entry_id}/edit", changed).status_code == 302
    assert c.post_form(f"{entries}/{entry_id}/delete", {}).status_code == 302
    assert db.session.scalars(select(EvidenceEntry)).all() == []
    assert MARKER in _every_stored_value()  # the log keeps it: the search can fail
    target = f"deleted-evidence_entry-{entry_id}"
    assert _redact(c, inspection.id, target).status_code == 403  # an auditor may not

    lead_client = login_as(lead)
    listed = _listed(lead_client, inspection.id)
    shown = listed["Deleted evidence entry"]
    assert "Source: Quill hub supervisors" in shown and shown.endswith(target)
    assert _redact(lead_client, inspection.id, target).status_code == 302

    db.session.expire_all()
    assert MARKER not in _every_stored_value()
    assert "Deleted evidence entry" not in _listed(lead_client, inspection.id)
    redaction = db.session.scalars(select(Redaction)).one()
    assert (redaction.entity, redaction.field) == ("evidence_entry", "deleted")
    assert _verify(app)[0] == 0


def test_a_lead_redacts_a_deleted_action_and_its_updates(
    app: Flask, login_as: Any, inspection: Any, rec: Any, auditor: User, lead: User
) -> None:
    c = login_as(auditor)
    actions = f"/evidence/inspections/{inspection.id}/actions"
    added = c.post_form(
        f"{actions}/new",
        {"recommendation": str(rec.id), "description": "Train Quill staff", "owner": "Head of PP"},
    )
    assert added.status_code == 302
    item_id = db.session.scalars(select(ActionPlanItem.id)).one()
    update = {"given_on": ["9", "9", "2022"], "text": "Quillfeather team trained", "status": ""}
    assert c.post_form(f"{actions}/{item_id}/updates/new", update).status_code == 302
    assert c.post_form(f"{actions}/{item_id}/delete", {}).status_code == 302
    assert MARKER in _every_stored_value()

    lead_client = login_as(lead)
    shown = _listed(lead_client, inspection.id)["Deleted action (with its updates)"]
    assert "Action: Train Quill staff. Owner: Head of PP" in shown
    response = _redact(lead_client, inspection.id, f"deleted-action_plan_item-{item_id}")
    assert response.status_code == 302

    db.session.expire_all()
    assert MARKER not in _every_stored_value()  # the update's text went with the action
    assert _verify(app)[0] == 0


def test_a_lead_redacts_a_cleared_chapter_judgements_reasons(
    app: Flask, login_as: Any, inspection: Any, lead: User
) -> None:
    record_chapter_judgement(
        inspection, "Initial contact", lead, judgement="inadequate", reason="Quill diary gaps"
    )
    record_chapter_judgement(inspection, "Initial contact", lead, judgement=None, reason="")
    db.session.commit()
    c = login_as(lead)
    assert MARKER in _every_stored_value()
    listed = _listed(c, inspection.id)
    cleared = listed["Cleared judgement of the chapter Initial contact"]
    assert "inadequate: Quill diary gaps" in cleared

    response = _redact(c, inspection.id, "deleted-chapter_judgement-Initial contact")

    assert response.status_code == 302
    _erased_and_verified(app)


def test_a_lead_redacts_an_entrys_figures_and_a_baseline_source(
    app: Flask, login_as: Any, inspection: Any, rec: Any, auditor: User, lead: User
) -> None:
    c = login_as(auditor)
    form = {**ENTRY, "source": "Hub supervisors", "description": "The backlog had grown"}
    added = c.post_form(f"/evidence/inspections/{inspection.id}/entries/new", form)
    assert added.status_code == 302
    entry = db.session.scalars(select(EvidenceEntry)).one()
    judged = record_recommendation_judgement(
        inspection, rec, lead, judgement="insufficient_progress", narrative="No change seen",
        baseline_rate=0.3, baseline_source="Quill report, page 12", baseline_cases=10,
    )  # fmt: skip
    db.session.commit()
    lead_client = login_as(lead)
    listed = _listed(lead_client, inspection.id)
    assert "48 Quill cases not yet visited" in listed["Evidence of 9 September 2022: its figures"]
    assert "Quill report, page 12" in listed["Source of the baseline rate on R1"]
    before = _inspection_shown(lead_client, inspection.id)
    assert MARKER in before["evidence log"]  # the search can fail

    for target in (f"evidence-{entry.id}-figures", f"baseline-{judged.id}"):
        assert _redact(lead_client, inspection.id, target).status_code == 302

    db.session.expire_all()
    assert MARKER not in _every_stored_value()
    after = _inspection_shown(lead_client, inspection.id)
    for where, text in after.items():
        assert MARKER not in text, f"the redacted text is still in the {where}"
    figure = db.session.get(EvidenceEntry, entry.id).figures[0]  # type: ignore[union-attr]
    assert (figure["value"], figure["unit"]) == ("48", _redaction_words(lead))
    assert "Evidence of 9 September 2022: its figures" not in _listed(lead_client, inspection.id)
    assert _verify(app)[0] == 0


# --- the text answer that stands after a second audit is reconciled ---------------------------


def _question_set_with_a_text_question() -> Any:
    """The domestic-abuse set as its own case type, with an ungraded text question DA99."""
    library = Path(__file__).parents[2] / "auditapp/data/question_sets"
    source = (library / "domestic-abuse.yaml").read_text()
    source = source.replace("case_type: domestic-abuse", "case_type: da-with-notes", 1)
    source = source.replace("\ncase_type_name: ", "\ncase_type_name: With notes, ", 1)
    text_question = (
        "      - id: DA99\n        text: What did the file say?\n        type: text\n"
        "        graded: false\n  - id: children\n"
    )
    assert "  - id: children\n" in source
    source = source.replace("  - id: children\n", text_question, 1)
    qs = import_question_set(source, filename="da-with-notes.yaml")
    db.session.commit()
    return qs


@pytest.fixture
def reconciled(inspection: Any, auditor: User, second_auditor: User, lead: User) -> Case:
    """A submitted case whose two audits differ on the text question, with an agreed answer."""
    qs = _question_set_with_a_text_question()
    db.session.add(
        InspectionQuestionSet(
            inspection_id=inspection.id, case_type_id=qs.case_type_id, question_set_id=qs.id
        )
    )
    answers = {**factories.GOOD_DOMESTIC_ABUSE_ANSWERS, "DA99": "The file was thin"}
    case = factories.make_case(
        inspection, "DA-0900", auditor=auditor, answers=answers, status=CaseStatus.SUBMITTED
    )
    case.case_type_id, case.question_set_id = qs.case_type_id, qs.id  # the set with DA99
    regrade_case(case)
    db.session.commit()
    second = make_second_audit(
        case, second_auditor, lead, {**answers, "DA99": "The file named no officer"}
    )
    reconcile_answer(
        second, lead, "DA99", "agreed", "Quillfeather's file was thin", "Agreed with both"
    )
    db.session.commit()
    return case


def test_a_lead_redacts_the_agreed_text_answer_of_a_reconciled_second_audit(
    app: Flask, login_as: Any, reconciled: Case, lead: User
) -> None:
    c = login_as(lead)
    assert MARKER in _every_stored_value()
    page = Page(c.get(f"/audit/cases/{reconciled.id}/redactions").get_data(True))
    assert "Answer that stands on DA99 (second audit reconciled)" in page.text("main")
    assert "Quillfeather's file was thin" in page.text("main")
    assert "Answer that stands on DA04" not in page.text("main")  # no text to redact there

    response = c.post_form(
        f"/audit/cases/{reconciled.id}/redact", {"text": "agreed-DA99", "reason": REASON}
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert MARKER not in _every_stored_value()
    decision = db.session.scalars(select(AnswerReconciliation)).one()
    assert decision.value == _redaction_words(lead)
    assert decision.reason == "Agreed with both"  # only the answer was redacted
    second = db.session.scalars(select(SecondAudit)).one()
    differences = f"/moderation/cases/{reconciled.id}/second-audit/differences"
    assert second.id and MARKER not in c.get(differences).get_data(True)
    assert _verify(app)[0] == 0


# --- events written before free text was kept apart (payload version 1) -----------------------


def test_the_lead_is_told_that_older_log_entries_holding_the_text_cannot_be_erased(
    app: Flask, login_as: Any, inspection: Any, auditor: User, lead: User
) -> None:
    """An event chained before migration 0013 holds its text inline; redacting cannot erase
    it without breaking the chain, so the list, the redact page and the result say so."""
    from auditapp.models import AuditEvent

    case = factories.make_case(
        inspection, "DA-0001", auditor=auditor, answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS)
    )
    answers = {a.question_code: a for a in db.session.scalars(select(Answer))}
    db.session.add(  # as written before 0013: the text in the event row, no kept-apart key
        AuditEvent(
            user_id=auditor.id, inspection_id=inspection.id, case_id=case.id,
            action="change_note", entity="answer", entity_id="DA03", field="DA03",
            new_value="Spoke with Quillfeather",
        )
    )  # fmt: skip
    answers["DA03"].note = "Spoke with Quillfeather"
    answers["DA02"].note = "Seen at school"  # a note with no older entry
    db.session.commit()
    c = login_as(lead)

    listed = Page(c.get(f"/audit/cases/{case.id}/redactions").get_data(True))
    rows = {
        " ".join("".join(row.find(".//dt").itertext()).split()): " ".join(
            "".join(row.find(".//dd").itertext()).split()
        )
        for row in listed.select(".govuk-summary-list__row")
    }
    warning = (
        "1 audit-log entry written before free text was kept apart from the log also holds "
        "this text. They cannot be erased without breaking the log's hash chain"
    )
    assert warning in rows["Note on DA03"]
    assert "Older entries" not in rows["Note on DA02"]
    form = Page(c.get(f"/audit/cases/{case.id}/redact?text=note-1-DA03").get_data(True))
    assert warning in " ".join(form.texts(".govuk-warning-text"))

    response = c.post_form(
        f"/audit/cases/{case.id}/redact", {"text": "note-1-DA03", "reason": REASON}
    )

    assert response.status_code == 302
    done = Page(c.get(response.headers["Location"]).get_data(True))
    assert "Note on DA03 redacted. 1 audit-log entry" in done.text(".govuk-notification-banner")
    db.session.expire_all()
    redacted = db.session.get(Answer, answers["DA03"].id)
    assert redacted is not None and redacted.note == _redaction_words(lead)
    # What the lead was told: the old row keeps the text, and nothing else does.
    holding = [
        event.id
        for event in db.session.scalars(select(AuditEvent))
        if MARKER in (event.new_value or "")
    ]
    assert len(holding) == 1
    for table in Base.metadata.sorted_tables:
        if table.name != "audit_event":
            rows = db.session.execute(table.select()).all()
            assert MARKER not in repr(rows), table.name
    assert MARKER not in c.get(f"/audit/cases/{case.id}/history").get_data(True)
    assert _verify(app)[0] == 0


def test_an_inspections_narrative_held_inline_by_an_older_entry_is_redacted_with_a_warning(
    app: Flask, login_as: Any, inspection: Any, rec: Any, lead: User
) -> None:
    from auditapp.models import AuditEvent

    judged = record_recommendation_judgement(
        inspection, rec, lead, judgement="insufficient_progress", narrative="Quill saw no change"
    )
    db.session.add(  # as written before 0013: the narrative in the event row itself
        AuditEvent(
            user_id=lead.id, inspection_id=inspection.id, action="record_judgement",
            entity="recommendation_judgement", entity_id="R1", field="narrative",
            new_value="Quill saw no change",
        )
    )  # fmt: skip
    db.session.commit()
    c = login_as(lead)
    listed = _listed(c, inspection.id)
    assert "Older entries: 1 audit-log entry written before" in listed["Narrative on R1"]

    response = _redact(c, inspection.id, f"narrative-{judged.id}")

    assert response.status_code == 302
    done = Page(c.get(response.headers["Location"]).get_data(True))
    assert "Narrative on R1 redacted. 1 audit-log entry" in done.text(".govuk-notification-banner")
    db.session.expire_all()
    for table in Base.metadata.sorted_tables:  # only the older entry keeps the text
        rows = repr(db.session.execute(table.select()).all())
        assert (MARKER in rows) == (table.name == "audit_event"), table.name
    assert _verify(app)[0] == 0
