"""Who may do what: membership decides visibility (404), roles decide actions (403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, select

from auditapp.extensions import db
from auditapp.models import Case, Inspection, InspectionRole, Membership, User

P = ParamSpec("P")
R = TypeVar("R")


def membership_of(user: User, inspection_id: int) -> Membership | None:
    """The user's membership of an inspection, or None."""
    return db.session.scalar(
        select(Membership).where(
            Membership.inspection_id == inspection_id, Membership.user_id == user.id
        )
    )


def role_in(user: User, inspection_id: int) -> InspectionRole | None:
    """The user's role in an inspection, or None when not a member."""
    membership = membership_of(user, inspection_id)
    return InspectionRole(membership.role) if membership else None


def load_inspection(
    inspection_id: int, *roles: InspectionRole, allow_admin: bool = False
) -> tuple[Inspection, InspectionRole | None]:
    """Load an inspection for the signed-in user: 404 unless a member, 403 if the role is wrong.

    With allow_admin, a global admin who is not a member passes (role None): admins set up
    inspections but are not auditors or leads in them unless made members.
    """
    inspection = db.get_or_404(Inspection, inspection_id)
    role = role_in(current_user, inspection_id)
    if role is None:
        if allow_admin and current_user.is_admin:
            return inspection, None
        abort(404)
    if roles and role not in roles:
        abort(403)
    return inspection, role


def load_case(
    case_id: int, *roles: InspectionRole, allow_admin: bool = False
) -> tuple[Case, InspectionRole | None]:
    """Load a case through its inspection's membership rules (404 outside the inspection).

    One query: the case with the user's role in its inspection (the same rules as
    ``load_inspection``, which would cost three).
    """
    found = db.session.execute(
        select(Case, Membership.role)
        .outerjoin(
            Membership,
            and_(
                Membership.inspection_id == Case.inspection_id,
                Membership.user_id == current_user.id,
            ),
        )
        .where(Case.id == case_id)
    ).first()
    if found is None:
        abort(404)
    case, stored_role = found
    if stored_role is None:
        if allow_admin and current_user.is_admin:
            return case, None
        abort(404)
    role = InspectionRole(stored_role)
    if roles and role not in roles:
        abort(403)
    return case, role


def can_moderate(user: User, case: Case) -> bool:
    """A lead of the case's inspection who did not audit the case themselves."""
    return role_in(user, case.inspection_id) is InspectionRole.LEAD and case.auditor_id != user.id


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """403 for signed-in users who are not global admins (login is checked by the blueprint)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_user.is_authenticated:
            abort(401)
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def login_required_for_blueprint(bp: Any) -> None:
    """Every route of the blueprint needs a signed-in user (sign-in page otherwise)."""
    from auditapp.extensions import login_manager

    @bp.before_request
    def _require_login() -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None
