"""Users and their personal API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from auditapp.models.base import Base, utcnow
from auditapp.models.enums import AccountLinkPurpose, GlobalRole

if TYPE_CHECKING:
    from auditapp.models.inspection import Membership


class User(UserMixin, Base):
    """A person who signs in. Holds no case content."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=GlobalRole.USER)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The session generation: sign-out, a password change and deactivation increase it, so
    # every session cookie issued before stops working (the user loader compares it).
    session_epoch: Mapped[int] = mapped_column(default=0)
    # Set with a temporary password given by an administrator: every page sends the user to
    # change it until they have (auth/routes.py).
    must_change_password: Mapped[bool] = mapped_column(default=False)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_admin(self) -> bool:
        """Global administrators manage users, question sets and any inspection's set-up."""
        return self.role == GlobalRole.ADMIN

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive accounts."""
        return self.active

    def get_id(self) -> str:
        """Session id includes the epoch, so a password change signs out other sessions."""
        return f"{self.id}:{self.session_epoch}"

    def set_password(self, password: str) -> None:
        """Hash with the configured method (PASSWORD_HASH_METHOD: scrypt)."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


DEFAULT_TOKEN_DAYS = 90


def _default_token_expiry() -> datetime:
    return utcnow() + timedelta(days=DEFAULT_TOKEN_DAYS)


class ApiToken(Base):
    """A personal token for the read-only JSON API; only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Chosen at creation (default 90 days); the token is refused from then on.
    expires_at: Mapped[datetime] = mapped_column(default=_default_token_expiry)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="api_tokens")


class AccountLink(Base):
    """A one-time link to set a password: an invitation or a password reset.

    Only the SHA-256 of its token is stored; the link works once (`used_at`), until
    `expires_at`, and stops working when a newer link is made for the account or the account
    is deactivated (`revoked_at`).
    """

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_invitation(self) -> bool:
        """An invitation to a new account (else a password reset)."""
        return self.purpose == AccountLinkPurpose.INVITATION


class SignInFailure(Base):
    """One failed sign-in: the email tried (an account or not) and the client's address.

    Counted per email and address to lock that pair, and per email for the account's ceiling
    (services/sign_in_throttle.py). Rows older than the longest window are deleted.
    """

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_email_failed_at", "email", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
