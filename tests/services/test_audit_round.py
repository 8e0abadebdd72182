"""The audit round's rules, enforced where the round is resolved and changed (not only by views).

Each test calls the service directly, so removing the service's own check fails it even though
the view checks too.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import Answer, CaseStatus, InspectionRole, SecondAudit, User
from auditapp.services.audit import saving, submitting, timeline
from auditapp.services.audit.errors import CaseLocked, RoundNotFound
from auditapp.services.audit.round import (
    FIRST_ROUND,
    SECOND_ROUND,
    BlindSecondAudit,
    FirstAudit,
    load_first_audit,
    load_second_audit,
)
from tests import factories


@pytest.fixture
def second(inspection: Any, auditor: User, second_auditor: User, lead: User) -> SecondAudit:
    """A submitted case of ``auditor`` with a blind second audit asked of ``second_auditor``."""
    case = factories.make_case(
        inspection,
        "DA-0001",
        auditor=auditor,
        answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS),
        status=CaseStatus.SUBMITTED,
    )
    row = SecondAudit(case_id=case.id, auditor_id=second_auditor.id, requested_by_id=lead.id)
    db.session.add(row)
    db.session.commit()
    return row


def test_a_second_auditor_cannot_open_the_first_audit(
    second: SecondAudit, second_auditor: User
) -> None:
    with pytest.raises(PermissionError):
        load_first_audit(second.case_id, second_auditor)


def test_the_second_audit_is_only_its_own_auditors(
    second: SecondAudit, auditor: User, lead: User
) -> None:
    for user in (auditor, lead):
        with pytest.raises(PermissionError):
            load_second_audit(second.case_id, user)


def test_no_round_outside_the_users_inspections(second: SecondAudit, other_inspection: Any) -> None:
    outsider = factories.make_member(other_inspection, "outsider@example.test", InspectionRole.LEAD)
    with pytest.raises(RoundNotFound):
        load_first_audit(second.case_id, outsider)
    with pytest.raises(RoundNotFound):
        load_second_audit(second.case_id, outsider)


def test_no_second_audit_unless_one_was_asked_for(inspection: Any, auditor: User) -> None:
    case = factories.make_case(inspection, "DA-0002", auditor=auditor)
    with pytest.raises(RoundNotFound):
        load_second_audit(case.id, auditor)


def test_an_observer_cannot_write_answers(inspection: Any, auditor: User, observer: User) -> None:
    case = factories.make_case(inspection, "DA-0003", auditor=auditor)
    audit = load_first_audit(case.id, observer)
    assert not audit.editable
    with pytest.raises(PermissionError):
        saving.save_answer(audit, "DA01", value="yes", base_version=case.version)
    with pytest.raises(PermissionError):
        submitting.submit_case(audit)


def test_a_submitted_case_cannot_be_edited_by_its_auditor(
    second: SecondAudit, auditor: User
) -> None:
    audit = load_first_audit(second.case_id, auditor)
    with pytest.raises(CaseLocked):
        saving.save_answer(audit, "DA01", value="no", base_version=audit.case.version)


def test_second_audit_answers_and_grade_stay_in_their_round(
    second: SecondAudit, second_auditor: User
) -> None:
    audit = load_second_audit(second.case_id, second_auditor)
    first_grade = audit.case.computed_grade
    state = saving.save_answer(audit, "DA04", value="no", base_version=audit.case.version)
    db.session.commit()
    rounds = db.session.scalars(
        select(Answer.audit_round).where(
            Answer.case_id == second.case_id, Answer.question_code == "DA04"
        )
    ).all()
    assert sorted(rounds) == [FIRST_ROUND, SECOND_ROUND]
    assert second.computed_grade == state.grade_value == "inadequate"
    assert audit.case.computed_grade == first_grade  # the first audit's grade is untouched


def test_each_rounds_history_shows_only_its_own_events(
    second: SecondAudit, auditor: User, second_auditor: User
) -> None:
    audit = load_second_audit(second.case_id, second_auditor)
    saving.save_answer(audit, "DA02", value="no", base_version=audit.case.version)
    db.session.commit()
    first_history = timeline.case_timeline(FirstAudit(audit.case, auditor))
    second_history = timeline.case_timeline(BlindSecondAudit(audit.case, second_auditor, second))
    assert not any(entry.by == second_auditor.name for entry in first_history)
    assert [entry.by for entry in second_history] == [second_auditor.name] * len(second_history)
    assert second_history


def test_a_blind_second_audit_never_sees_the_current_risk_flag(
    second: SecondAudit, second_auditor: User
) -> None:
    second.case.current_risk = True
    db.session.commit()
    audit = load_second_audit(second.case_id, second_auditor)
    assert not audit.current_risk
    state = saving.save_answer(audit, "DA02", value="yes", base_version=audit.case.version)
    assert not state.grade.current_risk
