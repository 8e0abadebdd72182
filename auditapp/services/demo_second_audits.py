"""The demo's blind second audits: one case of each case type of the review audited again by
the other auditor, so the agreement page shows figures from independent audits.

The second auditor answers as the first did except where the demo says otherwise (a shared
reading of the file, with one question read differently), and submits; the lead has not
resolved them yet. Safe to run twice: a case with a second audit is left alone.
"""

from __future__ import annotations

from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseType,
    Inspection,
    SecondAudit,
    SecondAuditStatus,
    User,
    utcnow,
)
from auditapp.services.audit.round import FIRST_ROUND, SECOND_ROUND
from auditapp.services.audit_log import record_event
from auditapp.services.grading import regrade_outcomes

# Per case type: the question the second auditor reads differently, and the answer given.
SECOND_READINGS: dict[str, tuple[str, str]] = {
    "domestic-abuse": ("DA13", "yes"),
    "missing-child": ("MC05", "partly"),
    "police-protection": ("PP13", "partly"),
    "child-detention": ("CD06", "partly"),
    "online-csae": ("OC16", "partly"),
    "sex-offender-management": ("SO07", "partly"),
    "da-diary-appointment": ("DY01", "yes"),
    "da-telephone-appointment": ("TA01", "yes"),
}


def add_second_audits(inspection: Inspection, lead: User, auditors: list[User]) -> int:
    """Give the first case (by reference) of each case type a submitted blind second audit."""
    audited = set(
        db.session.scalars(
            select(SecondAudit.case_id).join(Case).where(Case.inspection_id == inspection.id)
        )
    )
    firsts: dict[str, Case] = {}
    for case, slug in db.session.execute(
        select(Case, CaseType.slug)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(Case.inspection_id == inspection.id, Case.in_sample.is_(True))
        .order_by(Case.reference)
    ):
        firsts.setdefault(slug, case)
    added = 0
    for slug, case in firsts.items():
        if case.id in audited or slug not in SECOND_READINGS:
            continue
        other = next(a for a in auditors if a.id != case.auditor_id)
        answers = {
            code: value
            for code, value in db.session.execute(
                select(Answer.question_code, Answer.value).where(
                    Answer.case_id == case.id, Answer.audit_round == FIRST_ROUND
                )
            )
        }
        code, value = SECOND_READINGS[slug]
        answers[code] = value
        for question_code, answer in answers.items():
            db.session.add(
                Answer(
                    case_id=case.id,
                    audit_round=SECOND_ROUND,
                    question_code=question_code,
                    value=answer,
                    answered_by_id=other.id,
                )
            )
        db.session.flush()
        grade = regrade_outcomes(case, SECOND_ROUND, answers)
        second = SecondAudit(
            case_id=case.id,
            auditor_id=other.id,
            requested_by_id=lead.id,
            status=SecondAuditStatus.SUBMITTED,
            computed_grade=str(grade.grade) if grade.grade else None,
            submitted_at=utcnow(),
        )
        db.session.add(second)
        db.session.flush()
        record_event(
            "demo_second_audit",
            "second_audit",
            user=other,
            entity_id=second.id,
            inspection_id=inspection.id,
            case_id=case.id,
            field="status",
            new=SecondAuditStatus.SUBMITTED,
        )
        added += 1
    db.session.flush()
    return added
