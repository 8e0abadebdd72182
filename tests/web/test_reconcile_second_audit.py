"""Reconciling a blind second audit question by question: the differences only, the lead's
decision on each (first answer, second answer, or an agreed one, with a reason), the resolved
answers regrading the case, and the agreement figures still comparing the two audits."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import (
    Answer,
    AnswerReconciliation,
    AuditEvent,
    Case,
    CaseStatus,
    InspectionRole,
    ModerationDecision,
    SecondAudit,
    SecondAuditStatus,
    User,
)
from auditapp.services.moderation import agreement_figures
from auditapp.services.moderation.reconciliation import reconcile_answer
from auditapp.services.question_sets import question_set_data
from tests import factories
from tests.web.test_moderation import GOOD, reload, submitted
from tests.web.test_second_audit import make_second_audit

# The second auditor saw a critical failure (DA04) and no supervisor's review (DA16).
SECOND = {**GOOD, "DA04": "no", "DA16": "no"}


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return submitted(inspection, "DA-0700", auditor, GOOD)


@pytest.fixture
def second(case: Case, second_auditor: User, lead: User) -> SecondAudit:
    return make_second_audit(case, second_auditor, lead, SECOND)


def _url(case: Case, rest: str = "") -> str:
    return f"/moderation/cases/{case.id}/second-audit/differences{rest}"


def _words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _decide(client: Any, case: Case, question: str, source: str, **extra: str) -> Any:
    data = {"reconcile-source": source, "reconcile-reason": f"Checked {question} on the file"}
    data.update({f"reconcile-{key}": value for key, value in extra.items()})
    return client.post_form(_url(case, f"/{question}"), data)


def _resolve(client: Any, case: Case, note: str, da04: str = "second", da16: str = "first") -> Any:
    """Decide both questions that differ, then resolve with the note."""
    _decide(client, case, "DA04", da04)
    _decide(client, case, "DA16", da16)
    return client.post_form(_url(case, "/resolve"), {"resolve-note": note})


def _assert_unresolved(case: Case, second: SecondAudit) -> None:
    assert reload(case).status == CaseStatus.SUBMITTED
    db.session.expire_all()
    assert db.session.get(SecondAudit, second.id).status == SecondAuditStatus.SUBMITTED  # type: ignore[union-attr]


def _round_one(case: Case) -> dict[str, str | None]:
    rows = db.session.execute(
        select(Answer.question_code, Answer.value).where(
            Answer.case_id == case.id, Answer.audit_round == 1
        )
    )
    return dict(rows.tuples().all())


def test_the_differences_only_view_lists_just_the_questions_that_differ(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    page = login_as(lead).get(_url(case)).get_data(as_text=True)
    assert re.findall(r'data-difference="(\w+)"', page) == ["DA04", "DA16"]
    card = _words(page[page.index('data-difference="DA04"') :].split("</dl>")[0])
    assert "First audit Yes" in card and "Second audit No" in card
    assert "Decided 0 of 2 questions that differ" in _words(page)
    compare = login_as(lead).get(f"/moderation/cases/{case.id}/second-audit").get_data(True)
    assert _url(case) in compare  # the full comparison links to the differences only


def test_lead_reconciles_question_by_question_and_the_resolved_answers_regrade_the_case(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    c = login_as(lead)
    form = c.get(_url(case, "/DA04")).get_data(as_text=True)
    assert "The first audit&#39;s answer: Yes" in form
    assert "The second audit&#39;s answer: No" in form
    assert _decide(c, case, "DA04", "second").status_code == 302
    assert _decide(c, case, "DA16", "first").status_code == 302
    page = c.get(_url(case)).get_data(as_text=True)
    assert "Decided 2 of 2 questions that differ" in _words(page)
    assert re.search(r"data-resolved-grade>Inadequate<", page)

    response = c.post_form(
        _url(case, "/resolve"), {"resolve-note": "DA04 was not met: no visit to the child"}
    )
    assert response.status_code == 302
    moderated = reload(case)
    assert (moderated.status, moderated.final_grade) == (CaseStatus.MODERATED, "inadequate")
    assert moderated.computed_grade == "good"  # the first audit's own grade stands
    assert _round_one(case) == GOOD  # and so do its answers
    db.session.expire_all()
    done = db.session.get(SecondAudit, second.id)
    assert done is not None
    assert (done.status, done.resolved_grade) == (SecondAuditStatus.RESOLVED, "inadequate")
    assert done.computed_grade == "inadequate"  # the second audit's own grade stands too
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    )
    assert {"reconcile_answer", "resolve_second_audit", "moderation_changed"} <= actions


def test_an_agreed_answer_stands_with_its_reason(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    c = login_as(lead)
    form = c.get(_url(case, "/DA04")).get_data(as_text=True)
    assert case.question_set is not None
    allowed = question_set_data(case.question_set).question("DA04").allowed_values()
    assert re.findall(r'<option value="(\w*)"', form) == ["", *allowed]  # what DA04 takes
    response = _decide(c, case, "DA04", "agreed", agreed_choice="maybe")
    assert response.status_code == 200  # not an answer DA04 takes
    assert db.session.scalars(select(AnswerReconciliation)).all() == []
    _decide(c, case, "DA04", "agreed", agreed_choice="no")
    (row,) = db.session.scalars(select(AnswerReconciliation)).all()
    assert (row.question_code, row.source, row.value, row.reason) == (
        "DA04",
        "agreed",
        "no",
        "Checked DA04 on the file",
    )
    page = _words(c.get(_url(case)).get_data(as_text=True))
    assert "Stands No (an answer agreed with both auditors)" in page


def test_an_agreed_answer_must_be_given(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    response = _decide(login_as(lead), case, "DA04", "agreed")
    assert response.status_code == 200
    assert "Enter the agreed answer" in response.get_data(as_text=True)
    assert db.session.scalars(select(AnswerReconciliation)).all() == []


def test_a_decision_needs_a_reason(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    response = login_as(lead).post_form(
        _url(case, "/DA04"), {"reconcile-source": "first", "reconcile-reason": ""}
    )
    assert response.status_code == 200
    assert "Enter the reason this answer stands" in response.get_data(as_text=True)
    assert db.session.scalars(select(AnswerReconciliation)).all() == []


def test_a_question_that_does_not_differ_cannot_be_reconciled(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    assert login_as(lead).get(_url(case, "/DA01")).status_code == 404


def test_resolving_before_every_difference_is_decided_is_refused(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    c = login_as(lead)
    _decide(c, case, "DA04", "second")
    response = c.post_form(_url(case, "/resolve"), {"resolve-note": "Too soon"})
    assert response.status_code == 302
    assert "Decide the 1 question(s) that still differ first" in c.get(_url(case)).get_data(True)
    _assert_unresolved(case, second)


def test_resolving_records_the_note_and_the_lead_and_changes_the_cases_grade(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    c = login_as(lead)
    response = _resolve(c, case, "DA04 was not met")
    assert response.headers["Location"].endswith(_url(case))
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Second audit of case DA-0700 resolved: Inadequate." in page
    compare = c.get(f"/moderation/cases/{case.id}/second-audit").get_data(as_text=True)
    assert "Resolved as <strong>Inadequate</strong>" in compare
    assert "DA04 was not met" in compare
    db.session.expire_all()
    done = db.session.get(SecondAudit, second.id)
    assert done is not None
    assert (done.resolved_grade, done.resolution_note, done.resolved_by_id) == (
        "inadequate",
        "DA04 was not met",
        lead.id,
    )
    (decision,) = db.session.scalars(select(ModerationDecision)).all()
    assert (decision.action, decision.grade_after, decision.reason) == (
        "change",
        "inadequate",
        "Resolved after a second audit: DA04 was not met",
    )


def test_resolving_with_the_first_audits_grade_agrees_with_the_auditor(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    _resolve(login_as(lead), case, "The first audit was right", da04="first")
    moderated = reload(case)
    assert (moderated.status, moderated.final_grade) == (CaseStatus.MODERATED, "good")
    (decision,) = db.session.scalars(select(ModerationDecision)).all()
    assert (decision.action, decision.grade_after) == ("agree", "good")


def test_resolving_needs_a_note(login_as: Any, lead: User, case: Case, second: SecondAudit) -> None:
    response = _resolve(login_as(lead), case, "")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert "Enter a note on how the differences were resolved" in page
    _assert_unresolved(case, second)


def test_a_second_audit_in_progress_cannot_be_reconciled_or_resolved(
    login_as: Any, lead: User, second_auditor: User, case: Case
) -> None:
    started = make_second_audit(
        case, second_auditor, lead, SECOND, status=SecondAuditStatus.IN_PROGRESS
    )
    c = login_as(lead)
    for response in (
        c.get(_url(case, "/DA04")),
        _decide(c, case, "DA04", "second"),
        c.post_form(_url(case, "/resolve"), {"resolve-note": "Too early"}),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(_url(case))
    page = c.get(_url(case)).get_data(as_text=True)
    assert "has not submitted the second audit yet" in page
    assert db.session.scalars(select(AnswerReconciliation)).all() == []
    db.session.expire_all()
    assert db.session.get(SecondAudit, started.id).status == SecondAuditStatus.IN_PROGRESS  # type: ignore[union-attr]
    assert reload(case).status == CaseStatus.SUBMITTED


def test_agreement_figures_keep_using_the_two_independent_audits(
    login_as: Any, inspection: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    before = agreement_figures(inspection.id)
    c = login_as(lead)
    _decide(c, case, "DA04", "first")
    _decide(c, case, "DA16", "first")
    c.post_form(_url(case, "/resolve"), {"resolve-note": "The first audit was right"})
    assert reload(case).final_grade == "good"
    after = agreement_figures(inspection.id)
    assert after.second_audits == before.second_audits
    assert after.second_audits.overall.compared == 1
    assert after.second_audits.overall.agreed == 0  # good against inadequate, as submitted
    assert after.questions == before.questions


def test_non_leads_and_the_cases_own_auditor_are_refused(
    login_as: Any,
    inspection: Any,
    auditor: User,
    observer: User,
    second_auditor: User,
    lead: User,
) -> None:
    own = submitted(inspection, "DA-0701", lead, GOOD)
    make_second_audit(own, second_auditor, lead, SECOND)
    other = submitted(inspection, "DA-0702", auditor, GOOD)
    make_second_audit(other, second_auditor, lead, SECOND)
    for user in (auditor, observer, second_auditor):
        c = login_as(user)
        assert c.get(_url(other)).status_code == 403
        assert _decide(c, other, "DA04", "second").status_code == 403
        assert c.post_form(_url(other, "/resolve"), {"resolve-note": "x"}).status_code == 403
    c = login_as(lead)
    assert "another lead must resolve the differences" in c.get(_url(own)).get_data(True)
    assert _decide(c, own, "DA04", "second").status_code == 403
    assert db.session.scalars(select(AnswerReconciliation)).all() == []


def test_the_service_refuses_a_lead_who_audited_the_case(
    inspection: Any, lead: User, second_auditor: User
) -> None:
    from auditapp.services.moderation import SelfModerationError

    own = submitted(inspection, "DA-0703", lead, GOOD)
    second = make_second_audit(own, second_auditor, lead, SECOND)
    with pytest.raises(SelfModerationError):
        reconcile_answer(second, lead, "DA04", "second", None, "Mine")


def test_a_resolved_grade_becomes_the_final_grade_of_a_moderated_case(
    login_as: Any, inspection: Any, lead: User, auditor: User, second_auditor: User
) -> None:
    case = submitted(inspection, "DA-0704", auditor, GOOD)
    other_lead = factories.make_member(inspection, "lead7@example.test", InspectionRole.LEAD)
    login_as(other_lead).post_form(f"/moderation/cases/{case.id}/agree")
    assert reload(case).final_grade == "good"
    make_second_audit(case, second_auditor, lead, SECOND)
    c = login_as(lead)
    _decide(c, case, "DA04", "second")
    _decide(c, case, "DA16", "second")
    c.post_form(_url(case, "/resolve"), {"resolve-note": "The second audit was right"})
    assert reload(case).final_grade == "inadequate"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"reconcile-source": "first", "reconcile-reason": "As told by victim Jane Smith"},
            "This reason seems to hold a name",
        ),
        (
            {"reconcile-source": "agreed", "reconcile-agreed_text": "Ring 07700 900123",
             "reconcile-reason": "Agreed with both"},
            "This answer seems to hold a phone number",
        ),
    ],
)  # fmt: skip
def test_a_decision_whose_text_looks_personal_is_refused_and_nothing_is_kept(
    login_as: Any,
    lead: User,
    case: Case,
    second: SecondAudit,
    data: dict[str, str],
    message: str,
) -> None:
    before = len(list(db.session.scalars(select(AuditEvent.id))))
    response = login_as(lead).post_form(_url(case, "/DA04"), data)
    assert response.status_code == 200
    assert message in unescape(response.get_data(as_text=True))
    assert db.session.scalars(select(AnswerReconciliation)).all() == []
    assert len(list(db.session.scalars(select(AuditEvent.id)))) == before + 1  # the sign-in


def test_the_service_refuses_a_reason_that_looks_personal(
    lead: User, case: Case, second: SecondAudit
) -> None:
    from auditapp.services.moderation import ModerationError

    with pytest.raises(ModerationError, match="This reason seems to hold a UK postcode"):
        reconcile_answer(second, lead, "DA04", "first", None, "Visited CB1 2AB")


def test_a_resolution_note_that_looks_personal_is_refused(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    c = login_as(lead)
    _decide(c, case, "DA04", "second")
    _decide(c, case, "DA16", "first")
    response = c.post_form(_url(case, "/resolve"), {"resolve-note": "Mum Jane Smith agreed"})
    assert response.status_code == 200
    assert "This note seems to hold a name" in unescape(response.get_data(as_text=True))
    assert reload(case).status == CaseStatus.SUBMITTED
    assert db.session.get(SecondAudit, second.id).status != SecondAuditStatus.RESOLVED  # type: ignore[union-attr]


def test_a_decisions_reason_is_kept_apart_in_the_log(
    login_as: Any, lead: User, case: Case, second: SecondAudit
) -> None:
    _decide(login_as(lead), case, "DA04", "second")
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.field == "DA04.reason")).all()
    assert event.new_text_key is not None
    assert event.new_value != "Checked DA04 on the file"
