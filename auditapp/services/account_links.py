"""One-time links to set a password: an invitation to a new account, or a password reset an
administrator starts. Shown or emailed once, stored only as a SHA-256 hash, usable once,
until they expire (INVITATION_HOURS, PASSWORD_RESET_HOURS in config.py).

A newer link for the same account, a password change and a deactivation revoke the older
ones. Using a link sets the password, ends the account's sessions and revokes its API tokens,
as a password change does; the person then signs in as usual (second factor included).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from auditapp.extensions import db
from auditapp.models import AccountLink, AccountLinkPurpose, User, utcnow
from auditapp.services import api_tokens
from auditapp.services.accounts import (
    AccountError,
    AccountStateError,
    WeakPasswordError,
    account_words,
    end_sessions,
    password_problem,
    revoke_links,
)
from auditapp.services.api_tokens import hash_token
from auditapp.services.audit_log import record_event

_EVENTS = {
    AccountLinkPurpose.INVITATION: "invite",
    AccountLinkPurpose.PASSWORD_RESET: "start_password_reset",
}


class AccountLinkError(AccountError):
    """A link that cannot be used: unknown, used, expired or revoked (the message says which)."""


NOT_VALID = "This link is not valid. Check you copied the whole link, or ask for a new one."
USED = "This link has already been used. Sign in, or ask an administrator for a new link."
EXPIRED = "This link has expired. Ask an administrator for a new one."


def issue_link(
    user: User, purpose: AccountLinkPurpose, *, by: User | None, valid_for: timedelta
) -> tuple[AccountLink, str]:
    """Make a one-time link for the user; returns the row and the token (never stored).

    The user's earlier unused links stop working, so only the newest one passed on counts.
    """
    if not user.active:
        raise AccountStateError(f"{user.name}'s account is deactivated: reactivate it first")
    revoke_links(user)
    token = secrets.token_urlsafe(32)
    link = AccountLink(
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_token(token),
        created_by_id=by.id if by is not None else None,
        expires_at=utcnow() + valid_for,
    )
    db.session.add(link)
    db.session.flush()
    record_event(
        _EVENTS[purpose],
        "user",
        user=by,
        entity_id=user.id,
        field="expires_at",
        new=link.expires_at.isoformat(timespec="minutes"),
    )
    return link, token


def usable_link(token: str) -> AccountLink:
    """The link a token opens; AccountLinkError (worded for its holder) when it cannot be used."""
    if not token or len(token) > 100:
        raise AccountLinkError(NOT_VALID)
    link = db.session.scalar(select(AccountLink).where(AccountLink.token_hash == hash_token(token)))
    if link is None or link.revoked_at is not None or not link.user.active:
        raise AccountLinkError(NOT_VALID)
    if link.used_at is not None:
        raise AccountLinkError(USED)
    if link.expires_at <= utcnow():
        raise AccountLinkError(EXPIRED)
    return link


def set_password_with_link(token: str, password: str) -> User:
    """Set the password through a link, which then never works again; returns the user.

    The link is marked used by one conditional UPDATE, so two requests with the same link at
    once cannot both succeed.
    """
    link = usable_link(token)
    user = link.user
    problem = password_problem(password, account_words(user.email, user.name))
    if problem:
        raise WeakPasswordError(problem)
    claimed = db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.id == link.id,
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise AccountLinkError(USED)
    user.set_password(password)
    user.must_change_password = False
    end_sessions(user)
    api_tokens.revoke_all_tokens(user, "password set with a one-time link")
    revoke_links(user)  # any other link of the account (none, normally)
    record_event("set_password_with_link", "user", user=user, entity_id=user.id, new=link.purpose)
    return user


def pending_invitation(user: User) -> AccountLink | None:
    """The user's newest invitation not yet used, revoked or expired, or None."""
    return db.session.scalar(
        select(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == AccountLinkPurpose.INVITATION,
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
            AccountLink.expires_at > utcnow(),
        )
        .order_by(AccountLink.id.desc())
        .limit(1)
    )
