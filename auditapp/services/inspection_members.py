"""An inspection's members: adding someone (or inviting someone new), changing a role (never
leaving the inspection without a lead), removing a member, and who may be given cases."""

from __future__ import annotations

from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import (
    Case,
    GlobalRole,
    Inspection,
    InspectionRole,
    Membership,
    User,
)
from auditapp.services import accounts
from auditapp.services.accounts import find_user_by_email
from auditapp.services.audit_log import record_event
from auditapp.services.inspections import InspectionSetupError, add_membership


def add_member(inspection: Inspection, email: str, role: InspectionRole, *, by: User) -> Membership:
    """Add an existing user to the inspection in a role."""
    user = find_user_by_email(email)
    if user is None:
        raise InspectionSetupError(
            f"There is no user with email {email.strip()}: invite them as someone new, below",
            field="email",
        )
    existing = db.session.scalar(
        select(Membership).where(
            Membership.inspection_id == inspection.id, Membership.user_id == user.id
        )
    )
    if existing is not None:
        raise InspectionSetupError(
            f"{user.name} is already a member ({InspectionRole(existing.role).label.lower()})",
            field="email",
        )
    return add_membership(inspection, user, InspectionRole(role), by)


def invite_member(
    inspection: Inspection, name: str, email: str, role: InspectionRole, *, by: User
) -> Membership:
    """A new person: create their account (a user, with no password yet) and add them in a
    role. The caller gives them an invitation link to set their password."""
    if find_user_by_email(email) is not None:
        raise InspectionSetupError(
            f"{email.strip()} already has an account: add them as a member above", field="email"
        )
    try:
        user = accounts.create_account(email, name, GlobalRole.USER, by=by)
    except accounts.InvalidNameError as error:
        raise InspectionSetupError(str(error), field="name") from error
    except accounts.InvalidEmailError as error:
        raise InspectionSetupError(str(error), field="email") from error
    return add_membership(inspection, user, InspectionRole(role), by)


def _membership(inspection: Inspection, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.inspection_id != inspection.id:
        raise LookupError(membership_id)
    return membership


def _lead_count(inspection: Inspection) -> int:
    return (
        db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.inspection_id == inspection.id, Membership.role == InspectionRole.LEAD
            )
        )
        or 0
    )


def change_member_role(
    inspection: Inspection, membership_id: int, role: InspectionRole, *, by: User
) -> Membership:
    """Change a member's role; the last lead cannot stop being a lead. LookupError if unknown."""
    membership = _membership(inspection, membership_id)
    old = InspectionRole(membership.role)
    role = InspectionRole(role)
    if old == role:
        return membership
    if old is InspectionRole.LEAD and _lead_count(inspection) <= 1:
        raise InspectionSetupError(
            "An inspection needs a lead: make someone else lead before changing this role",
            field="role",
        )
    if role is InspectionRole.OBSERVER and _assigned_count(inspection, membership.user_id):
        raise InspectionSetupError(
            "Observers cannot hold cases: reassign this member's cases first", field="role"
        )
    membership.role = role
    record_event(
        "update", "membership", user=by, entity_id=membership.id, inspection_id=inspection.id,
        field="role", old=old, new=role,
    )  # fmt: skip
    db.session.flush()
    return membership


def _assigned_count(inspection: Inspection, user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Case.id)).where(
                Case.inspection_id == inspection.id, Case.auditor_id == user_id
            )
        )
        or 0
    )


def remove_member(inspection: Inspection, membership_id: int, *, by: User) -> User:
    """Remove a member (not the last lead, nor anyone still holding cases). Returns the user."""
    membership = _membership(inspection, membership_id)
    if membership.role == InspectionRole.LEAD and _lead_count(inspection) <= 1:
        raise InspectionSetupError("An inspection needs a lead: you cannot remove the last lead")
    held = _assigned_count(inspection, membership.user_id)
    if held:
        raise InspectionSetupError(
            f"{membership.user.name} holds {held} case{'s' if held != 1 else ''}: "
            "reassign them first"
        )
    user = membership.user
    record_event(
        "remove", "membership", user=by, entity_id=membership.id, inspection_id=inspection.id,
        field="role", old=f"{user.email}: {membership.role}",
    )  # fmt: skip
    db.session.delete(membership)
    db.session.flush()
    return user


def members(inspection: Inspection) -> list[Membership]:
    """The inspection's memberships, leads first, then by name."""
    order = {InspectionRole.LEAD: 0, InspectionRole.AUDITOR: 1, InspectionRole.OBSERVER: 2}
    rows = db.session.scalars(
        select(Membership).join(User).where(Membership.inspection_id == inspection.id)
    ).all()
    return sorted(rows, key=lambda m: (order[InspectionRole(m.role)], m.user.name.lower()))


def assignable_members(inspection: Inspection) -> list[User]:
    """Members who may be given cases: auditors and leads, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(
                Membership.inspection_id == inspection.id,
                Membership.role.in_([InspectionRole.AUDITOR, InspectionRole.LEAD]),
            )
            .order_by(User.name, User.id)
        ).all()
    )
