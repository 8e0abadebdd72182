"""Accounts: creating users, checking passwords and the password policy."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from auditapp.extensions import db
from auditapp.models import GlobalRole, User, utcnow
from auditapp.services.audit_log import record_event

MIN_PASSWORD_LENGTH = 12

# A short list of the most common passwords; the hardening work may swap in a fuller list.
_COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "123456789012",
        "qwertyuiop12",
        "letmein12345",
        "iloveyou1234",
        "welcome12345",
        "passwordpassword",
        "changeme1234",
    }
)


_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


class AccountError(ValueError):
    """A user-facing problem with an account request."""


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if password.lower() in _COMMON_PASSWORDS:
        return "Password is too common: choose another"
    return None


def find_user_by_email(email: str) -> User | None:
    """Case-insensitive lookup by email."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    email: str, name: str, role: GlobalRole, password: str | None = None, *, by: User | None = None
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none was given)."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address")
    if find_user_by_email(email) is not None:
        raise AccountError(f"A user with email {email} already exists")
    password = password or secrets.token_urlsafe(12)
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    user = User(email=email, name=name or email.split("@")[0], role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event("create", "user", user=by, entity_id=user.id, field="role", new=role)
    return user, password


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        # Check a hash anyway so a missing account takes as long as a wrong password.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    record_event("login", "user", user=user, entity_id=user.id)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; other sessions are signed out."""
    if not user.check_password(current):
        raise AccountError("Your current password is wrong")
    problem = password_problem(new)
    if problem:
        raise AccountError(problem)
    user.set_password(new)
    user.session_epoch += 1
    record_event("change_password", "user", user=user, entity_id=user.id)
