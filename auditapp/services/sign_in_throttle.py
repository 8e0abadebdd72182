"""Failed sign-ins: counted per email and address, locking that pair, with an account ceiling.

The choice (issue 20): no outright account lock that anyone can trigger. After
`threshold` failures for one email from one address within `window`, that address may not
sign in to that email until the failures age out; other addresses are not affected. Across
all addresses an email may fail `ceiling` times within `ceiling_window`; past that, every
address is refused until the failures age out or an admin unlocks the account. Counts are
kept by the email as typed (normalised), whether or not an account has it, so the answers
never tell whether an account exists; they live in the database, shared by every worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from auditapp.extensions import db
from auditapp.models import utcnow
from auditapp.models.user import SignInFailure

MAX_EMAIL_LENGTH = 254
MAX_ADDRESS_LENGTH = 64


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures lock an email+address pair, and the account's ceiling."""

    threshold: int
    window: timedelta
    ceiling: int
    ceiling_window: timedelta

    @classmethod
    def from_config(cls, config: Any) -> ThrottlePolicy:
        """The policy set in config.py (LOCKOUT_*)."""
        return cls(
            threshold=int(config["LOCKOUT_THRESHOLD"]),
            window=timedelta(minutes=int(config["LOCKOUT_MINUTES"])),
            ceiling=int(config["LOCKOUT_ACCOUNT_CEILING"]),
            ceiling_window=timedelta(hours=int(config["LOCKOUT_CEILING_HOURS"])),
        )


def normalise_email(email: str) -> str:
    """The key failures are counted under: the email as typed, trimmed and lower-cased."""
    return email.strip().lower()[:MAX_EMAIL_LENGTH]


def _failures(email: str, since: datetime, address: str | None = None) -> int:
    query = select(func.count(SignInFailure.id)).where(
        SignInFailure.email == email, SignInFailure.failed_at > since
    )
    if address is not None:
        query = query.where(SignInFailure.address == address)
    return int(db.session.scalar(query) or 0)


def is_locked(email: str, address: str, policy: ThrottlePolicy) -> bool:
    """True when this address may not try this email now (its pair or the account's ceiling)."""
    email, address = normalise_email(email), address[:MAX_ADDRESS_LENGTH]
    now = utcnow()
    if _failures(email, now - policy.window, address) >= policy.threshold:
        return True
    return _failures(email, now - policy.ceiling_window) >= policy.ceiling


def record_failure(email: str, address: str, policy: ThrottlePolicy) -> None:
    """Count one failed sign-in; forget failures older than both windows."""
    now = utcnow()
    oldest = now - max(policy.window, policy.ceiling_window)
    db.session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= oldest))
    db.session.add(
        SignInFailure(
            email=normalise_email(email), address=address[:MAX_ADDRESS_LENGTH], failed_at=now
        )
    )
    db.session.flush()


def clear_failures(email: str, address: str | None = None) -> int:
    """Forget an email's failures (from one address, or all: an unlock); returns how many."""
    query = delete(SignInFailure).where(SignInFailure.email == normalise_email(email))
    if address is not None:
        query = query.where(SignInFailure.address == address[:MAX_ADDRESS_LENGTH])
    result = db.session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


def locked_emails(policy: ThrottlePolicy) -> set[str]:
    """Emails locked for at least one address now, or past their ceiling (the admin page)."""
    now = utcnow()
    pairs = select(SignInFailure.email).where(SignInFailure.failed_at > now - policy.window)
    pairs = pairs.group_by(SignInFailure.email, SignInFailure.address).having(
        func.count(SignInFailure.id) >= policy.threshold
    )
    ceiling = (
        select(SignInFailure.email)
        .where(SignInFailure.failed_at > now - policy.ceiling_window)
        .group_by(SignInFailure.email)
        .having(func.count(SignInFailure.id) >= policy.ceiling)
    )
    return set(db.session.scalars(pairs)) | set(db.session.scalars(ceiling))
