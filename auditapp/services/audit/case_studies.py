"""Flagging a case as a case study for the report, with its narrative."""

from __future__ import annotations

from auditapp.extensions import db
from auditapp.permissions import NotAllowed
from auditapp.services.audit.errors import AuditFormError
from auditapp.services.audit.limits import NARRATIVE_MAX_LENGTH
from auditapp.services.audit.round import FirstAudit
from auditapp.services.audit.saving import touch_case
from auditapp.services.audit_log import record_case_event
from auditapp.services.personal_data import PersonalDataInText, check_free_text


def set_case_study(audit: FirstAudit, *, flagged: bool, narrative: str | None) -> None:
    """Flag (with a short narrative) or unflag the case as a case study for the report.

    A lead at any stage, or the case's auditor while it is theirs to edit (NotAllowed otherwise).
    """
    if not audit.may_mark_case_study:
        raise NotAllowed("only a lead, or the case's auditor before submitting, marks a case study")
    case, user = audit.case, audit.user
    narrative = (narrative or "").strip() or None
    if flagged and narrative is None:
        raise AuditFormError("Write a short narrative of the case study")
    if narrative and len(narrative) > NARRATIVE_MAX_LENGTH:
        raise AuditFormError(f"Narrative must be {NARRATIVE_MAX_LENGTH:,} characters or fewer")
    try:  # the form says it first; the service refuses on its own too
        check_free_text(narrative, "narrative")
    except PersonalDataInText as refused:
        raise AuditFormError(refused.message) from None
    new_narrative = narrative if flagged else None
    if case.is_case_study != flagged:
        record_case_event(case, user, "case_study", "is_case_study", case.is_case_study, flagged)
    if case.case_study_narrative != new_narrative:
        record_case_event(
            case,
            user,
            "case_study",
            "case_study_narrative",
            case.case_study_narrative,
            new_narrative,
        )
    case.is_case_study = flagged
    case.case_study_narrative = new_narrative
    touch_case(case)
    db.session.flush()
