"""Builders for test data; each commits so the web client sees it."""

from __future__ import annotations

from datetime import date

from auditapp.extensions import db
from auditapp.models import GlobalRole, Inspection, InspectionKind, InspectionRole, Membership, User

PASSWORD = "correct-horse-battery"
_hashes: dict[str, str] = {}  # scrypt is slow on purpose; hash each test password once


def make_user(email: str, *, admin: bool = False, password: str = PASSWORD, name: str = "") -> User:
    """A user with a known password."""
    user = User(
        email=email, name=name or email.split("@")[0], role=GlobalRole.ADMIN if admin else "user"
    )
    if password not in _hashes:
        user.set_password(password)
        _hashes[password] = user.password_hash
    user.password_hash = _hashes[password]
    db.session.add(user)
    db.session.commit()
    return user


def make_inspection(title: str, **fields: object) -> Inspection:
    """An inspection of a made-up force."""
    fields.setdefault("force", "Testshire Constabulary")
    fields.setdefault("kind", InspectionKind.POST_INSPECTION_REVIEW)
    fields.setdefault("start_date", date(2022, 9, 5))
    inspection = Inspection(title=title, **fields)
    db.session.add(inspection)
    db.session.commit()
    return inspection


def add_member(inspection: Inspection, user: User, role: InspectionRole) -> Membership:
    """Make the user a member of the inspection in the given role."""
    membership = Membership(inspection_id=inspection.id, user_id=user.id, role=role)
    db.session.add(membership)
    db.session.commit()
    return membership


def make_member(inspection: Inspection, email: str, role: InspectionRole) -> User:
    """A new user who is a member of the inspection."""
    user = make_user(email)
    add_member(inspection, user, role)
    return user
