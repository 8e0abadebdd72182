"""The inspection's moderation policy: stored, read as a domain rule, and what it still requires."""

from __future__ import annotations

from sqlalchemy import select

from auditapp.domain.moderation import PolicyCase, PolicyProgress, PolicyRule, policy_progress
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, Inspection, ModerationPolicy, User
from auditapp.permissions import is_lead
from auditapp.services.audit_log import record_event
from auditapp.services.moderation.decisions import ModerationRefused


def policy_row(inspection_id: int) -> ModerationPolicy | None:
    """The inspection's stored policy, or None while the defaults apply."""
    return db.session.scalar(
        select(ModerationPolicy).where(ModerationPolicy.inspection_id == inspection_id)
    )


def policy_rule(inspection_id: int) -> PolicyRule:
    """The inspection's policy as a domain rule (the defaults until a lead sets one)."""
    row = policy_row(inspection_id)
    if row is None:
        return PolicyRule()
    return PolicyRule(
        all_inadequate=row.all_inadequate,
        all_disagreements=row.all_disagreements,
        min_percent_per_auditor=row.min_percent_per_auditor,
    )


def set_policy(
    inspection: Inspection,
    lead: User,
    *,
    all_inadequate: bool,
    all_disagreements: bool,
    min_percent_per_auditor: int,
) -> ModerationPolicy:
    """Store the inspection's moderation policy, recording each changed part.

    Only a lead of the inspection sets it (ModerationRefused otherwise).
    """
    if not is_lead(lead, inspection.id):
        raise ModerationRefused("Only a lead of the inspection can set its moderation policy.")
    rule = PolicyRule(all_inadequate, all_disagreements, min_percent_per_auditor)
    row = policy_row(inspection.id)
    before = policy_rule(inspection.id)
    if row is None:
        row = ModerationPolicy(inspection_id=inspection.id)
        db.session.add(row)
    for field in ("all_inadequate", "all_disagreements", "min_percent_per_auditor"):
        old, new = getattr(before, field), getattr(rule, field)
        setattr(row, field, new)
        if old != new or row.id is None:
            record_event(
                "set_moderation_policy",
                "moderation_policy",
                user=lead,
                entity_id=inspection.id,
                inspection_id=inspection.id,
                field=field,
                old=old,
                new=new,
            )
    row.updated_by_id = lead.id
    db.session.flush()
    return row


def policy_cases(inspection_id: int) -> list[PolicyCase]:
    """The inspection's submitted and moderated cases, as the policy sees them."""
    rows = db.session.execute(
        select(
            Case.id.label("case_id"),
            Case.auditor_id,
            User.name.label("auditor_name"),
            Case.status,
            Case.computed_grade,
            Case.proposed_grade,
        )
        .outerjoin(User, User.id == Case.auditor_id)
        .where(
            Case.inspection_id == inspection_id,
            Case.status.in_([CaseStatus.SUBMITTED, CaseStatus.MODERATED]),
        )
        .order_by(Case.id)
    ).mappings()
    return [
        PolicyCase(
            case_id=row["case_id"],
            auditor_id=row["auditor_id"],
            auditor_name=row["auditor_name"] or "Unassigned",
            status=row["status"],
            computed_grade=row["computed_grade"],
            proposed_grade=row["proposed_grade"],
        )
        for row in rows
    ]


def inspection_policy_progress(inspection_id: int) -> PolicyProgress:
    """What the inspection's policy still requires."""
    return policy_progress(policy_rule(inspection_id), policy_cases(inspection_id))
