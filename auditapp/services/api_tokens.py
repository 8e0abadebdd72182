"""Personal API tokens: created and revoked by their owner, shown once, stored as a hash.

A token expires when its owner chose (default 90 days) and is revoked when its owner's
password changes or the account is disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import ApiToken, User, utcnow
from auditapp.models.user import DEFAULT_TOKEN_DAYS
from auditapp.services.audit_log import record_event

TOKEN_PREFIX = "aud_"  # noqa: S105 - a public marker, not a secret
MAX_ACTIVE_TOKENS = 10
DEFAULT_EXPIRY_DAYS = DEFAULT_TOKEN_DAYS
EXPIRY_CHOICES = {30: "30 days", 90: "90 days", 180: "180 days", 365: "1 year"}


class ApiTokenError(ValueError):
    """A token request that cannot be met (e.g. too many tokens)."""


def hash_token(token: str) -> str:
    """SHA-256 of the token: tokens are long and random, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that are neither revoked nor expired, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > utcnow(),
            )
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(
    user: User, name: str, expires_in_days: int = DEFAULT_EXPIRY_DAYS
) -> tuple[ApiToken, str]:
    """Create a token; return the row and the token itself (never stored, never shown again)."""
    name = name.strip()
    if not name:
        raise ApiTokenError("Enter a name for the token")
    if expires_in_days not in EXPIRY_CHOICES:
        raise ApiTokenError("Choose when the token expires")
    if len(active_tokens(user)) >= MAX_ACTIVE_TOKENS:
        raise ApiTokenError(f"You have {MAX_ACTIVE_TOKENS} tokens: revoke one first")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(token),
        expires_at=utcnow() + timedelta(days=expires_in_days),
    )
    db.session.add(row)
    db.session.flush()
    record_event(
        "create_api_token", "api_token", user=user, entity_id=row.id, new=name, field="expires_at"
    )
    return row, token


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (ApiTokenError if it is not theirs or not active)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise ApiTokenError("No such token")
    row.revoked_at = utcnow()
    record_event("revoke_api_token", "api_token", user=user, entity_id=row.id, old=row.name)
    db.session.flush()
    return row


def revoke_all_tokens(user: User, reason: str) -> int:
    """Revoke every active token of a user (password changed, account disabled); how many."""
    now = utcnow()
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = now
        record_event("revoke_api_token", "api_token", user=None, entity_id=row.id, new=reason)
    db.session.flush()
    return len(rows)


def user_for_token(token: str) -> User | None:
    """The active user owning a token neither revoked nor expired, or None; notes its use."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.expires_at <= now:
        return None
    row.last_used_at = now
    return row.user
