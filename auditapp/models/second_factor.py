"""A user's second factor: their TOTP secret (encrypted) and one-time recovery codes (hashed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.models.base import Base, utcnow


class SecondFactor(Base):
    """A TOTP authenticator; in use once confirmed with a code, until an admin resets it."""

    __tablename__ = "second_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    # The base32 secret authenticator apps read, encrypted with SECOND_FACTOR_KEY (Fernet:
    # services/second_factor_key.py). A new enrolment gets a new secret, which is what
    # remembered devices are bound to.
    encrypted_secret: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    # The last 30-second time step whose code was accepted: no code is accepted twice.
    last_used_step: Mapped[int | None]

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="second_factor", cascade="all, delete-orphan"
    )

    @property
    def is_confirmed(self) -> bool:
        """Switched on: the user proved their app makes the right codes."""
        return self.confirmed_at is not None


class RecoveryCode(Base):
    """A one-time code for signing in without the authenticator; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    second_factor_id: Mapped[int] = mapped_column(ForeignKey("second_factor.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]

    second_factor: Mapped[SecondFactor] = relationship(back_populates="recovery_codes")
