"""Notifications: an urgent concern reaches every lead of the inspection at once (home-page banner,
header count, list), and by email over SMTP to a real server on 127.0.0.1 (aiosmtpd) when mail is
configured; a returned, assigned or second-audit case reaches its auditor the same way. Each
user sees and opens only their own notifications."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    Inspection,
    InspectionRole,
    Notification,
    NotificationKind,
    User,
)
from tests import factories
from tests.mail_server import SmtpServer

NOTE = "Child left alone with the suspect overnight; address on the force record"
GOOD = factories.GOOD_DOMESTIC_ABUSE_ANSWERS


def rows() -> list[tuple[str, int, str]]:
    """Every notification as (recipient email, case id, kind)."""
    db.session.expire_all()
    return sorted(
        (n_user.email, n.case_id, n.kind)
        for n, n_user in db.session.execute(
            select(Notification, User).join(User, User.id == Notification.recipient_id)
        )
    )


def flag(client: Any, case: Case) -> Any:
    response = client.post_form(f"/audit/cases/{case.id}/current-risk", {"note": NOTE})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def people(inspection: Inspection) -> dict[str, User]:
    """Two leads, two auditors and an observer of the inspection, and a lead of another one."""
    other = factories.make_inspection("Another force 2023")
    return {
        "lead": factories.make_member(inspection, "lead@example.test", InspectionRole.LEAD),
        "lead2": factories.make_member(inspection, "lead2@example.test", InspectionRole.LEAD),
        "auditor": factories.make_member(
            inspection, "auditor@example.test", InspectionRole.AUDITOR
        ),
        "auditor2": factories.make_member(
            inspection, "auditor2@example.test", InspectionRole.AUDITOR
        ),
        "observer": factories.make_member(
            inspection, "observer@example.test", InspectionRole.OBSERVER
        ),
        "outsider": factories.make_member(other, "outsider@example.test", InspectionRole.LEAD),
    }


def test_an_urgent_concern_tells_every_lead_of_the_inspection_and_nobody_else(
    login_as: Any, inspection: Inspection
) -> None:
    p = people(inspection)
    case = factories.make_case(inspection, "DA-0001", auditor=p["auditor"])
    flag(login_as(p["auditor"]), case)
    kind = NotificationKind.URGENT_CONCERN
    assert rows() == [("lead2@example.test", case.id, kind), ("lead@example.test", case.id, kind)]
    (one, _) = db.session.scalars(select(Notification)).all()
    assert one.text == "Case DA-0001: a child at current risk was flagged. Act on it now."
    assert "Jane" not in one.text


def test_a_lead_who_flags_it_is_not_told_of_their_own_concern(
    login_as: Any, inspection: Inspection
) -> None:
    p = people(inspection)
    case = factories.make_case(inspection, "DA-0001", auditor=p["auditor"])
    flag(login_as(p["lead"]), case)
    assert rows() == [("lead2@example.test", case.id, NotificationKind.URGENT_CONCERN)]


def test_home_page_banner_and_header_count_until_the_notification_is_opened(
    login_as: Any, inspection: Inspection
) -> None:
    p = people(inspection)
    case = factories.make_case(inspection, "DA-0001", auditor=p["auditor"])
    lead = login_as(p["lead"])
    home = lead.get("/").get_data(as_text=True)
    assert "Notifications (0)" in home
    assert "app-urgent-banner" not in home

    flag(login_as(p["auditor"]), case)
    home = lead.get("/").get_data(as_text=True)
    assert "Notifications (1)" in home
    assert "app-urgent-banner" in home
    assert "1 urgent concern waiting for you" in home
    assert "Case DA-0001: a child at current risk was flagged" in home
    assert NOTE not in home
    # the auditor who flagged it is told nothing
    assert "Notifications (0)" in login_as(p["auditor"]).get("/").get_data(as_text=True)

    listing = lead.get("/notifications").get_data(as_text=True)
    assert "Urgent concern" in listing and "Unread" in listing
    (mine,) = db.session.scalars(
        select(Notification).where(Notification.recipient_id == p["lead"].id)
    ).all()
    response = lead.post_form(f"/notifications/{mine.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/audit/cases/{case.id}"
    home = lead.get("/").get_data(as_text=True)
    assert "Notifications (0)" in home
    assert "app-urgent-banner" not in home
    assert "Unread" not in lead.get("/notifications").get_data(as_text=True)
    # the other lead's stays unread
    assert "Notifications (1)" in login_as(p["lead2"]).get("/").get_data(as_text=True)


def test_another_users_notification_is_404_and_stays_unread(
    login_as: Any, inspection: Inspection
) -> None:
    p = people(inspection)
    case = factories.make_case(inspection, "DA-0001", auditor=p["auditor"])
    flag(login_as(p["auditor"]), case)
    (theirs,) = db.session.scalars(
        select(Notification).where(Notification.recipient_id == p["lead2"].id)
    ).all()
    for intruder in ("lead", "auditor", "outsider"):
        c = login_as(p[intruder])
        assert c.post_form(f"/notifications/{theirs.id}/open").status_code == 404
        assert f"/notifications/{theirs.id}/" not in c.get("/notifications").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None  # type: ignore[union-attr]


def test_opening_a_notification_needs_the_csrf_token(login_as: Any, inspection: Inspection) -> None:
    p = people(inspection)
    case = factories.make_case(inspection, "DA-0001", auditor=p["auditor"])
    flag(login_as(p["auditor"]), case)
    (mine,) = db.session.scalars(
        select(Notification).where(Notification.recipient_id == p["lead"].id)
    ).all()
    c = login_as(p["lead"])
    response = c.post(f"/notifications/{mine.id}/open", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is None  # type: ignore[union-attr]


def test_the_email_to_each_lead_links_to_the_case_and_holds_no_note(
    login_as: Any, inspection: Inspection, smtp_server: SmtpServer
) -> None:
    p = people(inspection)
    case = factories.make_case(inspection, "DA-0001", auditor=p["auditor"])
    flag(login_as(p["auditor"]), case)
    assert sorted(r for m in smtp_server.messages for r in m.rcpt_tos) == [
        "lead2@example.test",
        "lead@example.test",
    ]
    (received,) = smtp_server.messages_to("lead@example.test")
    assert received.subject == "Urgent concern on case DA-0001"
    (url,) = received.links()
    assert url == f"http://localhost/audit/cases/{case.id}"
    assert "Jane" not in received.body and "Mill Road" not in received.body
    assert NOTE not in received.body
    # the link works for the lead it was sent to
    assert login_as(p["lead"]).get(urlparse(url).path).status_code == 200


def test_nothing_is_emailed_when_mail_is_off(
    app: Any, login_as: Any, inspection: Inspection
) -> None:
    from tests.mail_server import SmtpServer

    server = SmtpServer().start()  # listening, but the app is not told of it
    try:
        assert not app.config.get("MAIL_SERVER")
        p = people(inspection)
        case = factories.make_case(inspection, "DA-0001", auditor=p["auditor"])
        flag(login_as(p["auditor"]), case)
        assert len(rows()) == 2  # told in the app
        assert server.messages == []
    finally:
        server.stop()


def test_a_refused_flag_tells_nobody(
    login_as: Any, inspection: Inspection, smtp_server: SmtpServer
) -> None:
    p = people(inspection)
    case = factories.make_case(inspection, "DA-0001", auditor=p["auditor"])
    response = login_as(p["auditor"]).post_form(
        f"/audit/cases/{case.id}/current-risk", {"note": "   "}
    )
    assert response.status_code == 200
    assert rows() == []
    assert smtp_server.messages == []


def test_a_returned_case_tells_its_auditor_only(
    login_as: Any, inspection: Inspection, smtp_server: SmtpServer
) -> None:
    p = people(inspection)
    case = factories.make_case(
        inspection, "DA-0002", auditor=p["auditor"], answers=GOOD, status=CaseStatus.SUBMITTED
    )
    response = login_as(p["lead"]).post_form(
        f"/moderation/cases/{case.id}/return", {"return-comment": "Check DA04 against the log"}
    )
    assert response.status_code == 302
    assert rows() == [("auditor@example.test", case.id, NotificationKind.CASE_RETURNED)]
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["auditor@example.test"]
    assert received.links() == [f"http://localhost/audit/cases/{case.id}"]
    assert "Check DA04" not in received.body


def test_a_second_audit_request_tells_the_second_auditor_only(
    login_as: Any, inspection: Inspection, smtp_server: SmtpServer
) -> None:
    p = people(inspection)
    case = factories.make_case(
        inspection, "DA-0003", auditor=p["auditor"], answers=GOOD, status=CaseStatus.SUBMITTED
    )
    response = login_as(p["lead"]).post_form(
        f"/moderation/cases/{case.id}/second-audit", {"second-auditor": str(p["auditor2"].id)}
    )
    assert response.status_code == 302
    assert rows() == [("auditor2@example.test", case.id, NotificationKind.SECOND_AUDIT_REQUESTED)]
    (received,) = smtp_server.messages
    assert received.links() == [f"http://localhost/audit/cases/{case.id}/second-audit"]


def test_assigning_cases_tells_the_new_auditor_only(
    login_as: Any, inspection: Inspection, smtp_server: SmtpServer
) -> None:
    p = people(inspection)
    case = factories.make_case(inspection, "DA-0004")
    response = login_as(p["lead"]).post_form(
        f"/inspections/{inspection.id}/assignment",
        {"action": "assign_matching", "auditor_id": str(p["auditor2"].id)},
    )
    assert response.status_code == 302
    assert rows() == [("auditor2@example.test", case.id, NotificationKind.CASE_ASSIGNED)]
    (received,) = smtp_server.messages
    assert received.subject == "Case DA-0004 assigned to you"
    assert received.links() == [f"http://localhost/audit/cases/{case.id}"]
