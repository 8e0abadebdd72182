"""An urgent concern acknowledged by a lead, with what was done and when (GOV.UK date input);
acknowledged once only; shown with the auditor's account on the case and moderation pages; and
sent again to the leads (in the app and by email, to a real SMTP server on 127.0.0.1) when
nobody acknowledges it in time (`flask concerns resend`, run by a scheduler)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, CaseStatus, InspectionRole, Notification, User
from tests import factories
from tests.mail_server import SmtpServer

SEEN = "Child B left with the suspect; no safeguarding referral on file"
DONE = "Passed to the force's duty inspector"
AT_1410 = {"day": "2", "month": "12", "year": "2025", "hour": "14", "minute": "10"}


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(
        inspection, "DA-0400", auditor=auditor, answers=factories.GOOD_DOMESTIC_ABUSE_ANSWERS
    )


def _flag(login_as: Any, auditor: User, case: Case) -> None:
    response = login_as(auditor).post_form(f"/audit/cases/{case.id}/current-risk", {"note": SEEN})
    assert response.status_code == 302


def _text(html: str) -> str:
    """The words of some HTML as a reader sees them: tags gone, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _block(page: str, marker: str, end: str) -> str:
    """The words of the element carrying ``marker`` up to its closing ``end`` tag."""
    found = re.search(marker + r"[^>]*>(.*?)" + re.escape(end), page, re.DOTALL)
    assert found, f"{marker} not on the page"
    return _text(found.group(1))


def _reload(case: Case) -> Case:
    db.session.expire_all()
    found = db.session.get(Case, case.id)
    assert found is not None
    return found


def _acknowledge(client: Any, case: Case, **data: str) -> Any:
    return client.post_form(
        f"/audit/cases/{case.id}/current-risk/acknowledge", {"action": DONE, **AT_1410, **data}
    )


def _events(case: Case, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == action)
        )
    )


def test_lead_records_what_was_done_and_when(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as, auditor, case)
    c = login_as(lead)
    form = c.get(f"/audit/cases/{case.id}/current-risk/acknowledge").get_data(as_text=True)
    assert _block(form, "<h1", "</h1>") == "Acknowledge the urgent concern"
    date_input = r'class="govuk-input govuk-date-input__input[^"]*"[^>]*name="(\w+)"'
    assert re.findall(date_input, form) == ["day", "month", "year", "hour", "minute"]
    assert SEEN in _block(form, "data-concern-summary", "</dl>")

    response = _acknowledge(c, case)
    assert response.status_code == 302
    done = _reload(case)
    assert done.current_risk_acknowledged_by_id == lead.id
    assert done.current_risk_action == DONE
    # 14:10 on 2 December is GMT: 14:10 UTC
    assert done.current_risk_action_at == datetime(2025, 12, 2, 14, 10, tzinfo=UTC)
    fields = {e.field for e in _events(case, "acknowledge_concern")}
    assert fields == {
        "current_risk_acknowledged_at", "current_risk_action", "current_risk_action_at"
    }  # fmt: skip
    case_page = c.get(f"/audit/cases/{case.id}").get_data(as_text=True)
    banner = _block(case_page, "app-urgent-banner", "Remove the flag")
    assert DONE in banner and "2 December 2025, 14:10" in banner


def test_a_summer_time_is_read_as_uk_time(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as, auditor, case)
    _acknowledge(login_as(lead), case, month="7")
    assert _reload(case).current_risk_action_at == datetime(2025, 7, 2, 13, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": ""}, "Say what was done about the concern"),
        ({"hour": ""}, "Time must include an hour"),
        ({"day": "31", "month": "2"}, "Date must be a real date"),
        ({"year": "2099"}, "The time it was done must be now or in the past"),
        ({k: "" for k in AT_1410}, "Enter the date and time it was done"),
    ],
)
def test_an_incomplete_acknowledgement_is_refused_and_changes_nothing(
    login_as: Any, case: Case, auditor: User, lead: User, data: dict[str, str], message: str
) -> None:
    _flag(login_as, auditor, case)
    response = _acknowledge(login_as(lead), case, **data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _block(page, "<title", "</title>").startswith("Error: ")
    assert message in _block(page, 'class="govuk-error-summary"', "</ul>")
    assert _reload(case).current_risk_acknowledged_at is None
    assert _events(case, "acknowledge_concern") == []


def test_a_second_acknowledgement_changes_nothing(
    login_as: Any, inspection: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as, auditor, case)
    _acknowledge(login_as(lead), case)
    first = _reload(case)
    before = (
        first.current_risk_acknowledged_by_id,
        first.current_risk_acknowledged_at,
        first.current_risk_action,
        first.current_risk_action_at,
        first.version,
    )
    other_lead = factories.make_member(inspection, "lead9@example.test", InspectionRole.LEAD)
    c = login_as(other_lead)
    response = _acknowledge(c, case, action="Something else", hour="16")
    assert response.status_code == 302
    assert "This concern has already been acknowledged" in c.get(
        response.headers["Location"]
    ).get_data(True)
    again = _reload(case)
    assert (
        again.current_risk_acknowledged_by_id,
        again.current_risk_acknowledged_at,
        again.current_risk_action,
        again.current_risk_action_at,
        again.version,
    ) == before
    assert len(_events(case, "acknowledge_concern")) == 3  # the first one's three fields only


def test_only_a_lead_acknowledges(login_as: Any, case: Case, auditor: User, observer: User) -> None:
    _flag(login_as, auditor, case)
    for user in (auditor, observer):
        c = login_as(user)
        assert c.get(f"/audit/cases/{case.id}/current-risk/acknowledge").status_code == 403
        assert _acknowledge(c, case).status_code == 403
    assert _reload(case).current_risk_acknowledged_at is None


def test_moderation_page_shows_the_auditors_account_and_the_acknowledgement(
    login_as: Any, inspection: Any, auditor: User, lead: User
) -> None:
    case = factories.make_case(
        inspection,
        "DA-0401",
        auditor=auditor,
        answers=factories.GOOD_DOMESTIC_ABUSE_ANSWERS,
        status=CaseStatus.SUBMITTED,
    )
    _flag(login_as, auditor, case)
    c = login_as(lead)
    page = c.get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    account = _block(page, "data-concern-summary", "</dl>")
    assert SEEN in account and auditor.name in account
    flagged_at = _reload(case).current_risk_flagged_at
    assert flagged_at is not None
    assert "Needs a lead" in account
    _acknowledge(c, case)
    page = c.get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    account = _block(page, "data-concern-summary", "</dl>")
    assert DONE in account and "2 December 2025, 14:10" in account and lead.name in account


# --- sent again when nobody acknowledges it -----------------------------------------------------


def _age(case: Case, minutes: int) -> None:
    """Make the concern (its flag and every notification of it) ``minutes`` old."""
    then = datetime.now(UTC) - timedelta(minutes=minutes)
    db.session.execute(update(Case).where(Case.id == case.id).values(current_risk_flagged_at=then))
    db.session.execute(
        update(Notification).where(Notification.case_id == case.id).values(created_at=then)
    )
    db.session.commit()


def _resend(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["concerns", "resend"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def _urgent_rows(case: Case, user: User) -> int:
    db.session.expire_all()
    return len(
        db.session.scalars(
            select(Notification).where(
                Notification.case_id == case.id, Notification.recipient_id == user.id
            )
        ).all()
    )


def test_an_unacknowledged_concern_is_sent_again_in_the_app_and_by_email(
    app: Flask, login_as: Any, case: Case, auditor: User, lead: User, smtp_server: SmtpServer
) -> None:
    _flag(login_as, auditor, case)
    assert len(smtp_server.messages_to(lead.email)) == 1
    assert _urgent_rows(case, lead) == 1

    _age(case, 10)  # within the 30 minutes: not yet
    assert "0 urgent concern(s)" in _resend(app)
    assert _urgent_rows(case, lead) == 1

    _age(case, 31)
    assert "1 urgent concern(s)" in _resend(app)
    assert _urgent_rows(case, lead) == 2
    _first, again = smtp_server.messages_to(lead.email)
    assert again.subject == "Urgent concern on case DA-0400"
    assert "no lead has acknowledged it yet" in again.body
    assert SEEN not in again.body
    assert again.links() == [f"http://localhost/audit/cases/{case.id}"]
    assert smtp_server.messages_to(auditor.email) == []
    assert _events(case, "resend_concern")
    home = login_as(lead).get("/").get_data(as_text=True)
    assert "Notifications (2)" in home and "app-urgent-banner" in home

    assert "0 urgent concern(s)" in _resend(app)  # just told: the clock starts again
    assert _urgent_rows(case, lead) == 2


def test_the_resend_time_is_configurable(
    app: Flask, login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as, auditor, case)
    _age(case, 31)
    app.config["URGENT_CONCERN_RESEND_MINUTES"] = 60
    try:
        assert "0 urgent concern(s)" in _resend(app)
        _age(case, 61)
        assert "1 urgent concern(s)" in _resend(app)
    finally:
        app.config["URGENT_CONCERN_RESEND_MINUTES"] = 30
    assert _urgent_rows(case, lead) == 2


def test_an_acknowledged_concern_is_not_sent_again(
    app: Flask, login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as, auditor, case)
    _acknowledge(login_as(lead), case)
    _age(case, 120)
    assert "0 urgent concern(s)" in _resend(app)
    assert _urgent_rows(case, lead) == 1


def test_an_account_that_looks_personal_is_refused_and_changes_nothing(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as, auditor, case)
    response = _acknowledge(login_as(lead), case, action="Rang mother Jane Smith on 07700 900123")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This account seems to hold" in _block(page, 'class="govuk-error-summary"', "</ul>")
    assert _reload(case).current_risk_acknowledged_at is None
    assert _reload(case).current_risk_action is None
    assert _events(case, "acknowledge_concern") == []


def test_the_service_refuses_an_account_that_looks_personal(
    case: Case, lead: User, login_as: Any, auditor: User
) -> None:
    from auditapp.services.audit import concerns
    from auditapp.services.audit.errors import ConcernError
    from auditapp.services.audit.round import FirstAudit

    _flag(login_as, auditor, case)
    audit = FirstAudit(_reload(case), lead, InspectionRole.LEAD)
    with pytest.raises(ConcernError, match="This account seems to hold a name"):
        concerns.acknowledge_concern(audit, "Told victim Jane Smith", datetime.now(UTC))


def test_what_was_done_is_kept_apart_in_the_log(
    login_as: Any, case: Case, auditor: User, lead: User
) -> None:
    _flag(login_as, auditor, case)
    _acknowledge(login_as(lead), case)
    (event,) = [e for e in _events(case, "acknowledge_concern") if e.field == "current_risk_action"]
    assert event.new_text_key is not None and event.new_value != DONE
