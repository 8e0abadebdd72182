"""Who may do what: membership decides visibility (404), roles decide actions (403).

The one home of the membership rule. Services call the checks that raise (``checked_role``,
``case_and_role``, ``check_case_access``); views call ``load_inspection`` and ``load_case``,
which turn the same checks into 404 and 403 for the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, select

from auditapp.extensions import db
from auditapp.models import (
    Case,
    Inspection,
    InspectionRole,
    Membership,
    QuestionSetDraft,
    User,
)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class NotVisible(LookupError):
    """Missing, or not in one of the user's inspections: a 404, never a hint that it exists."""


class NotAllowed(PermissionError):
    """A member of the inspection whose role (or relation to the case) may not do this: a 403."""


def _stored_role(user: User, inspection_id: int) -> str | None:
    return db.session.scalar(
        select(Membership.role).where(
            Membership.inspection_id == inspection_id, Membership.user_id == user.id
        )
    )


def role_in(user: User, inspection_id: int) -> InspectionRole | None:
    """The user's role in an inspection, or None when not a member (one query)."""
    stored = _stored_role(user, inspection_id)
    return InspectionRole(stored) if stored is not None else None


def is_lead(user: User, inspection_id: int) -> bool:
    """The user leads the inspection."""
    return role_in(user, inspection_id) is InspectionRole.LEAD


def check_role(
    user: User, stored_role: str | None, *roles: InspectionRole, allow_admin: bool = False
) -> InspectionRole | None:
    """The member's role, checked: NotVisible for a non-member, NotAllowed for a role not in roles.

    ``stored_role`` is the user's membership role as read (None: not a member). With
    ``allow_admin`` a global admin passes both checks (role None unless also a member): admins
    set inspections up but are not auditors or leads in them unless made members.
    """
    role = InspectionRole(stored_role) if stored_role is not None else None
    if allow_admin and user.is_admin:
        return role
    if role is None:
        raise NotVisible("not a member of the inspection")
    if roles and role not in roles:
        raise NotAllowed(f"a {role.value} may not do this")
    return role


def check_case_access(
    user: User,
    case: Case,
    stored_role: str | None,
    *roles: InspectionRole,
    allow_admin: bool = False,
) -> InspectionRole | None:
    """``check_role``, and an auditor sees only the cases assigned to them (NotAllowed).

    Keeping other auditors out of a case is what keeps a blind second audit blind: its auditor
    opens the second audit (``services.audit.round.load_second_audit``), never the first.
    """
    role = check_role(user, stored_role, *roles, allow_admin=allow_admin)
    if role is InspectionRole.AUDITOR and case.auditor_id != user.id:
        raise NotAllowed("an auditor sees only the cases assigned to them")
    return role


def checked_role(
    user: User, inspection_id: int, *roles: InspectionRole, allow_admin: bool = False
) -> InspectionRole | None:
    """The user's role in the inspection, checked as ``check_role`` does (one query)."""
    return check_role(user, _stored_role(user, inspection_id), *roles, allow_admin=allow_admin)


def with_member_role(statement: Select[Any], user_id: int) -> Select[Any]:
    """Add the user's role in the case's inspection (column ``role``, None for a non-member).

    For a statement selecting from ``Case``: the case and the membership come in one query.
    """
    return statement.add_columns(Membership.role.label("role")).outerjoin(
        Membership,
        and_(Membership.inspection_id == Case.inspection_id, Membership.user_id == user_id),
    )


def in_member_inspections(user_id: int) -> ColumnElement[bool]:
    """A condition on ``Case``: the case is in one of the user's inspections (for lists)."""
    return Case.inspection_id.in_(
        select(Membership.inspection_id).where(Membership.user_id == user_id)
    )


def case_and_role(
    user: User, case_id: int, *roles: InspectionRole, allow_admin: bool = False
) -> tuple[Case, InspectionRole | None]:
    """The case and the user's role in its inspection, checked as ``check_case_access`` does.

    One query. NotVisible when there is no such case.
    """
    found = (
        db.session.execute(with_member_role(select(Case).where(Case.id == case_id), user.id))
        .mappings()
        .first()
    )
    if found is None:
        raise NotVisible(f"no case {case_id}")
    case = found["Case"]
    return case, check_case_access(user, case, found["role"], *roles, allow_admin=allow_admin)


def _or_abort(check: Callable[[], T]) -> T:
    """The check's result; 404 for NotVisible, 403 for NotAllowed."""
    try:
        return check()
    except NotVisible:
        abort(404)
    except NotAllowed:
        abort(403)


def load_inspection(
    inspection_id: int, *roles: InspectionRole, allow_admin: bool = False
) -> tuple[Inspection, InspectionRole | None]:
    """The inspection for the signed-in user: 404 unless a member, 403 if the role is wrong."""
    inspection = db.get_or_404(Inspection, inspection_id)
    role = _or_abort(
        lambda: checked_role(current_user, inspection_id, *roles, allow_admin=allow_admin)
    )
    return inspection, role


def load_case(
    case_id: int, *roles: InspectionRole, allow_admin: bool = False
) -> tuple[Case, InspectionRole | None]:
    """The case for the signed-in user, in one query: 404 outside its inspection, 403 if the role
    is wrong or it is another auditor's case."""
    return _or_abort(lambda: case_and_role(current_user, case_id, *roles, allow_admin=allow_admin))


def check_draft_access(user: User, draft: QuestionSetDraft) -> None:
    """An admin may work on any question-set draft; a lead on a draft of an inspection they lead.

    NotAllowed for an admins' draft (one of no inspection) or another role; NotVisible for a
    draft of an inspection the user is not in. Publishing stays the admins' (``admin_required``).
    """
    if user.is_admin:
        return
    if draft.inspection_id is None:
        raise NotAllowed("an admins' draft")
    checked_role(user, draft.inspection_id, InspectionRole.LEAD)


def load_question_set_draft(draft_id: int) -> QuestionSetDraft:
    """The draft for the signed-in user, checked as ``check_draft_access`` does (404/403)."""
    draft = db.get_or_404(QuestionSetDraft, draft_id)
    _or_abort(lambda: check_draft_access(current_user, draft))
    return draft


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
