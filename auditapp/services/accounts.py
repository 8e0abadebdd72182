"""Accounts: creating users, names, temporary passwords, deactivation, checking passwords and
the password policy. One-time links to set a password: services/account_links.py."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from auditapp.domain.text_safety import forbidden_character, forbidden_message
from auditapp.extensions import db
from auditapp.models import AccountLink, GlobalRole, User, utcnow
from auditapp.services import api_tokens, sign_in_throttle
from auditapp.services.audit_log import record_event
from auditapp.services.sign_in_throttle import ThrottlePolicy

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
MAX_NAME_LENGTH = 120  # User.name
# Temporary passwords: read out or typed from a note, so no look-alike characters (0/O, 1/l).
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_TEMPORARY_GROUPS = 4  # xxxx-xxxx-xxxx-xxxx: 16 characters of 31, about 79 bits
# zxcvbn refuses longer input (its matching slows down with length). A password built on a common
# one has at most a few characters around it, so its first 72 tell.
_ZXCVBN_MAX_LENGTH = 72
# Characters people add to a word to pass a rule: "Sunshine2024!!" is still "sunshine".
_DECORATION = frozenset(string.digits + string.punctuation + " ")


def _words(password: str, user_inputs: Sequence[str]) -> list[dict[str, Any]]:
    """zxcvbn's matches in the password, leaving out decoration (digits, symbols, spaces)."""
    analysed = password[:_ZXCVBN_MAX_LENGTH]
    result = zxcvbn(analysed, user_inputs=list(user_inputs), max_length=_ZXCVBN_MAX_LENGTH)
    return [m for m in result["sequence"] if not set(m["token"]) <= _DECORATION]


def _is_common(words: list[dict[str, Any]]) -> bool:
    """One of the 30,000 most common passwords (zxcvbn's list), or a password built on one.

    Built on one: the common password, in any case, reversed or with l33t substitutions, with
    only digits, symbols or spaces around it ("Sunshine2024!!", "P@ssw0rd1"). Also common: a
    repeat ("abcabcabcabc", "PasswordPassword") and nothing but digits and symbols.
    """
    if not words:
        return True
    if len(words) > 1:
        return False
    pattern, source = words[0]["pattern"], words[0].get("dictionary_name")
    return pattern == "repeat" or (pattern == "dictionary" and source == "passwords")


def _is_made_of_user_inputs(words: list[dict[str, Any]]) -> bool:
    return bool(words) and all(w.get("dictionary_name") == "user_inputs" for w in words)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A hash of a random password, made once per method: what an unknown account costs."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _check_dummy_hash(password: str) -> None:
    """Spend what checking a real account's password costs (the configured method)."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


class AccountError(ValueError):
    """A user-facing problem with an account request; its subclasses say which part is wrong."""


class InvalidEmailError(AccountError):
    """The email address is not one, or another account already has it."""


class InvalidNameError(AccountError):
    """The display name is missing or too long."""


class AccountStateError(AccountError):
    """The account is not in a state that allows this (e.g. deactivating yourself)."""


class WeakPasswordError(AccountError):
    """The password breaks the password policy (length, common passwords)."""


class WrongPasswordError(AccountError):
    """The current password given to confirm a change is wrong."""


class AccountLockedError(AccountError):
    """Sign-in refused: too many failed attempts for this email from this address (or the
    account's ceiling); try again after `until` at the latest."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


def password_problem(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why a password is not acceptable, or None when it is.

    `user_inputs`: the account's own words (email, name), which a password must not be made of.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    words = _words(password, user_inputs)
    if _is_common(words):
        return "Password is too common: choose another"
    if _is_made_of_user_inputs(words):
        return "Password must not be made of your name or email address"
    return None


def account_words(email: str, name: str) -> list[str]:
    """The words of an account that its password must not be made of."""
    local, _, domain = email.lower().partition("@")
    return [email.lower(), local, *domain.split("."), *name.lower().split()]


def find_user_by_email(email: str) -> User | None:
    """Case-insensitive lookup by email."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def checked_name(name: str) -> str:
    """The display name, trimmed; InvalidNameError when it is empty or too long."""
    name = " ".join(name.split())
    if not name:
        raise InvalidNameError("Enter the person's full name")
    if code := forbidden_character(name):  # U+202E would make one name read as another
        raise InvalidNameError(f"Name {forbidden_message(code)}")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidNameError(f"Name must be {MAX_NAME_LENGTH} characters or fewer")
    return name


def create_user(
    email: str, name: str, role: GlobalRole, password: str | None = None, *, by: User | None = None
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none was given).

    The name is required: it is how colleagues see the person everywhere.
    """
    email = email.strip().lower()
    name = checked_name(name)
    if "@" not in email or len(email) > 254 or forbidden_character(email) or " " in email:
        raise InvalidEmailError(f"{email!r} is not an email address")
    if find_user_by_email(email) is not None:
        raise InvalidEmailError(f"A user with email {email} already exists")
    password = password or secrets.token_urlsafe(12)
    problem = password_problem(password, account_words(email, name))
    if problem:
        raise WeakPasswordError(problem)
    user = User(email=email, name=name, role=GlobalRole(role))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event("create", "user", user=by, entity_id=user.id, field="role", new=role)
    return user, password


def create_account(email: str, name: str, role: GlobalRole, *, by: User | None) -> User:
    """Create a user with a password nobody knows: they set one through an invitation link or
    are given a temporary one (`set_temporary_password`)."""
    user, _ = create_user(email, name, role, by=by)
    return user


def temporary_password() -> str:
    """A random password that is easy to read out: four groups of four characters."""
    groups = (
        "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4))
        for _ in range(_TEMPORARY_GROUPS)
    )
    return "-".join(groups)


def set_temporary_password(user: User, *, by: User) -> str:
    """Give the user a new random password they must change at their next sign-in; returns it.

    Their sessions end, their API tokens and one-time links stop working (whoever knew the old
    password, or holds an old link, must not keep access).
    """
    if not user.active:
        raise AccountStateError(f"{user.name}'s account is deactivated: reactivate it first")
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    end_sessions(user)
    api_tokens.revoke_all_tokens(user, "temporary password set")
    revoke_links(user)
    record_event("set_temporary_password", "user", user=by, entity_id=user.id)
    return password


def change_name(user: User, name: str, *, by: User) -> None:
    """Change a display name (the user's own, or an administrator's change); logged."""
    name = checked_name(name)
    if name == user.name:
        return
    record_event(
        "change_name", "user", user=by, entity_id=user.id, field="name", old=user.name, new=name
    )
    user.name = name


def authenticate(email: str, password: str, *, address: str, policy: ThrottlePolicy) -> User | None:
    """The active user with this email and password, or None.

    Every answer costs one password hash check (a dummy hash for an unknown or disabled
    account, or a locked email+address pair), so the time taken does not tell them apart.
    Failures are counted per email as typed (services/sign_in_throttle.py), whether or not
    an account has it; a locked pair raises AccountLockedError, even with the right password.
    The caller commits either way, so the count survives the refused request.
    """
    if sign_in_throttle.is_locked(email, address, policy):
        _check_dummy_hash(password)
        raise AccountLockedError(utcnow() + policy.window)
    user = find_user_by_email(email)
    if user is None or not user.active:
        _check_dummy_hash(password)
        matched = False
    else:
        matched = user.check_password(password)
    if user is None or not matched:
        sign_in_throttle.record_failure(email, address, policy)
        if user is not None:
            record_event("login_failed", "user", user=None, entity_id=user.id)
        return None
    sign_in_throttle.clear_failures(email, address)
    user.last_login_at = utcnow()
    record_event("login", "user", user=user, entity_id=user.id)
    return user


def unlock(user: User, *, by: User | None) -> int:
    """Let every address try this account again (an admin's unlock); logged."""
    cleared = sign_in_throttle.clear_failures(user.email)
    record_event("unlock", "user", user=by, entity_id=user.id, old=cleared)
    return cleared


def change_password(user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; other sessions are signed out and
    API tokens revoked (a token made by whoever knew the old password must not outlive it)."""
    if not user.check_password(current):
        raise WrongPasswordError("Your current password is wrong")
    if new == current:
        raise WeakPasswordError("Your new password must be different from your current one")
    problem = password_problem(new, account_words(user.email, user.name))
    if problem:
        raise WeakPasswordError(problem)
    user.set_password(new)
    user.must_change_password = False
    end_sessions(user)
    api_tokens.revoke_all_tokens(user, "password changed")
    revoke_links(user)
    record_event("change_password", "user", user=user, entity_id=user.id)


def revoke_links(user: User) -> int:
    """Stop every unused one-time link of the user (invitation, reset) from working; how many."""
    result = db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued so far stops working.

    Sessions carry the user's session generation (User.get_id); the user loader refuses a
    cookie whose generation is not the current one.
    """
    user.session_epoch = (user.session_epoch or 0) + 1


def sign_out(user: User) -> None:
    """End this user's sessions at sign-out, so a copied cookie stops working too."""
    end_sessions(user)
    record_event("logout", "user", user=user, entity_id=user.id)


def deactivate_user(user: User, *, by: User | None = None) -> None:
    """Disable an account: its sessions end, its API tokens and one-time links stop working at
    once, and it cannot sign in. Nobody deactivates their own account (no admin locks
    themselves out by mistake)."""
    if by is not None and by.id == user.id:
        raise AccountStateError("You cannot deactivate your own account")
    if not user.active:
        raise AccountStateError(f"{user.name}'s account is already deactivated")
    user.active = False
    end_sessions(user)
    api_tokens.revoke_all_tokens(user, "account disabled")
    revoke_links(user)
    record_event("deactivate", "user", user=by, entity_id=user.id, field="active", new=False)


def reactivate_user(user: User, *, by: User) -> None:
    """Let a deactivated account sign in again with its password; logged.

    Tokens and links revoked at deactivation stay revoked.
    """
    if user.active:
        raise AccountStateError(f"{user.name}'s account is already active")
    user.active = True
    record_event("reactivate", "user", user=by, entity_id=user.id, field="active", new=True)
