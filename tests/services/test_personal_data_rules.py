"""Free text with personal data and redaction, enforced by the services (not only the views).

Each test calls the service directly, without a test client: removing the service's own check
fails it even though the form checks first.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, CaseStatus, Redaction, User
from auditapp.permissions import NotAllowed
from auditapp.services import redaction
from auditapp.services.audit import case_studies, concerns, saving
from auditapp.services.audit.errors import AuditFormError, ConcernError, PersonalDataRefused
from auditapp.services.audit.round import load_first_audit
from auditapp.services.moderation.decisions import ModerationError, return_to_auditor
from auditapp.validators import NoPersonalData
from tests import factories

PERSONAL = "Victim Amy Jones, DOB 01/02/2010"


def _case(inspection: Any, auditor: User, status: CaseStatus = CaseStatus.DRAFT) -> Case:
    return factories.make_case(
        inspection,
        "DA-0001",
        auditor=auditor,
        answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS),
        status=status,
    )


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_saving_refuses_a_note_with_personal_data_before_writing_anything(
    inspection: Any, auditor: User
) -> None:
    case = _case(inspection, auditor)
    audit = load_first_audit(case.id, auditor)
    before = _events()

    with pytest.raises(PersonalDataRefused) as refused:
        saving.save_note(audit, "DA02", PERSONAL, base_version=case.version)

    assert refused.value.field == "note"
    assert refused.value.message.startswith("This note seems to hold a name ('Amy Jones')")
    assert _events() == before


def test_the_urgent_concern_and_the_case_study_refuse_personal_data(
    inspection: Any, auditor: User
) -> None:
    case = _case(inspection, auditor)

    with pytest.raises(ConcernError, match="This description seems to hold"):
        concerns.flag_current_risk(load_first_audit(case.id, auditor), PERSONAL)
    with pytest.raises(AuditFormError, match="This narrative seems to hold"):
        case_studies.set_case_study(
            load_first_audit(case.id, auditor), flagged=True, narrative=PERSONAL
        )
    assert case.current_risk is False and case.case_study_narrative is None


def test_a_lead_cannot_return_a_case_with_a_comment_holding_personal_data(
    inspection: Any, auditor: User, lead: User
) -> None:
    case = _case(inspection, auditor, CaseStatus.SUBMITTED)

    with pytest.raises(ModerationError, match="This comment seems to hold a name"):
        return_to_auditor(case, lead, PERSONAL)
    assert case.status == CaseStatus.SUBMITTED


def test_only_a_lead_of_the_inspection_may_redact(
    inspection: Any, auditor: User, observer: User, lead: User
) -> None:
    case = _case(inspection, auditor)
    saving.save_note(
        load_first_audit(case.id, auditor), "DA02", "Spoke to Quill", base_version=case.version
    )
    for user in (auditor, observer):
        with pytest.raises(NotAllowed):
            redaction.redact(case, user, "note-1-DA02", "Name typed by mistake")
    assert db.session.scalar(select(func.count()).select_from(Redaction)) == 0

    done = redaction.redact(case, lead, "note-1-DA02", "Name typed by mistake")

    assert done.redacted_by_id == lead.id
    with pytest.raises(redaction.RedactionError, match="no such text"):
        redaction.redact(case, lead, "note-1-DA02", "Again")  # nothing left to redact


def test_the_form_validator_uses_the_same_rule() -> None:
    class Field:
        data = PERSONAL

    with pytest.raises(Exception, match="This comment seems to hold a name"):
        NoPersonalData("comment")(None, Field())
    Field.data = "The victim was seen within 24 hours."
    NoPersonalData("comment")(None, Field())  # no finding: no error
