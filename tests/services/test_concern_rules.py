"""Urgent concerns where the service enforces the rules: acknowledged once, by a lead, with what
was done and when; sent again only while nobody has acknowledged them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from auditapp.extensions import db
from auditapp.models import Case, InspectionRole, Notification, User
from auditapp.permissions import NotAllowed
from auditapp.services.audit import concerns
from auditapp.services.audit.errors import ConcernError
from auditapp.services.audit.round import load_first_audit
from tests import factories

WHEN = datetime(2025, 12, 2, 14, 10, tzinfo=UTC)


@pytest.fixture
def case(inspection: Any, auditor: User, lead: User) -> Case:
    case = factories.make_case(inspection, "DA-0500", auditor=auditor)
    concerns.flag_current_risk(load_first_audit(case.id, auditor), "Seen on the log")
    db.session.commit()
    return case


def test_a_second_acknowledgement_is_refused_and_the_first_stands(
    case: Case, lead: User, inspection: Any
) -> None:
    concerns.acknowledge_concern(load_first_audit(case.id, lead), "Passed on", WHEN)
    db.session.commit()
    other = factories.make_member(inspection, "lead5@example.test", InspectionRole.LEAD)
    with pytest.raises(ConcernError, match="already been acknowledged"):
        concerns.acknowledge_concern(
            load_first_audit(case.id, other), "Something else", WHEN + timedelta(hours=1)
        )
    assert (case.current_risk_acknowledged_by_id, case.current_risk_action) == (
        lead.id,
        "Passed on",
    )
    assert case.current_risk_action_at == WHEN


def test_only_a_lead_acknowledges(case: Case, auditor: User) -> None:
    with pytest.raises(NotAllowed):
        concerns.acknowledge_concern(load_first_audit(case.id, auditor), "Passed on", WHEN)
    assert case.current_risk_acknowledged_at is None


def test_what_was_done_is_needed_and_not_in_the_future(case: Case, lead: User) -> None:
    audit = load_first_audit(case.id, lead)
    with pytest.raises(ConcernError, match="Say what was done"):
        concerns.acknowledge_concern(audit, "  ", WHEN)
    with pytest.raises(ConcernError, match="now or in the past"):
        concerns.acknowledge_concern(audit, "Passed on", datetime.now(UTC) + timedelta(hours=1))
    assert case.current_risk_acknowledged_at is None


def _notifications(case: Case) -> int:
    query = select(func.count(Notification.id)).where(Notification.case_id == case.id)
    return db.session.scalar(query) or 0


def test_only_unacknowledged_concerns_past_the_time_are_sent_again(case: Case, lead: User) -> None:
    later = datetime.now(UTC) + timedelta(minutes=31)
    assert concerns.resend_unacknowledged(timedelta(minutes=30)) == []
    assert [c.id for c in concerns.resend_unacknowledged(timedelta(minutes=30), later)] == [case.id]
    assert _notifications(case) == 2  # told at the flag, then once more
    db.session.execute(
        update(Case)
        .where(Case.id == case.id)
        .values(
            current_risk_acknowledged_at=datetime.now(UTC), current_risk_acknowledged_by_id=lead.id
        )
    )
    db.session.expire_all()
    assert concerns.resend_unacknowledged(timedelta(minutes=30), later + timedelta(hours=2)) == []
    assert _notifications(case) == 2
