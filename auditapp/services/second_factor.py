"""Second factor (TOTP): enrolment, checking codes and recovery codes, who must have one, reset."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

import pyotp
from sqlalchemy import CursorResult, or_, select, update

from auditapp.extensions import db
from auditapp.models import (
    InspectionRole,
    Membership,
    RecoveryCode,
    SecondFactor,
    User,
    utcnow,
)
from auditapp.services.accounts import end_sessions
from auditapp.services.audit_log import record_event
from auditapp.services.second_factor_key import decrypt_secret, encrypt_secret

RECOVERY_CODE_COUNT = 10
# Lower case letters and digits a reader cannot confuse (no 0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10  # two groups of five: about 50 random bits each
# Codes of the step before and after the current one are accepted (clocks drift).
_VALID_WINDOW = 1


class RequiredFor(StrEnum):
    """Who must set up a second factor (config MFA_REQUIRED_FOR)."""

    ADMINS_AND_LEADS = "admins_and_leads"
    EVERYONE = "everyone"
    NOBODY = "nobody"


class CodeMethod(StrEnum):
    """How a sign-in's second step was passed."""

    AUTHENTICATOR = "authenticator"
    RECOVERY_CODE = "recovery_code"


class SecondFactorError(ValueError):
    """A second-factor request that cannot be done (already set up, nothing to confirm)."""


class WrongCodeError(SecondFactorError):
    """The code is not the authenticator's current one, or was used already."""


def factor_of(user: User) -> SecondFactor | None:
    """The user's second factor, confirmed or still being set up, or None."""
    return db.session.scalar(select(SecondFactor).where(SecondFactor.user_id == user.id))


def confirmed_factor_of(user: User) -> SecondFactor | None:
    """The user's second factor when it is switched on, else None."""
    factor = factor_of(user)
    return factor if factor is not None and factor.is_confirmed else None


def is_lead_anywhere(user: User) -> bool:
    """True when the user leads at least one inspection."""
    found = db.session.scalar(
        select(Membership.id)
        .where(Membership.user_id == user.id, Membership.role == InspectionRole.LEAD)
        .limit(1)
    )
    return found is not None


def is_required(user: User, required_for: str) -> bool:
    """Whether this user must have a second factor under the MFA_REQUIRED_FOR setting."""
    rule = RequiredFor(required_for)
    if rule is RequiredFor.EVERYONE:
        return True
    if rule is RequiredFor.ADMINS_AND_LEADS:
        return user.is_admin or is_lead_anywhere(user)
    return False


def start_enrolment(user: User) -> SecondFactor:
    """The factor being set up: a new secret, or the one already shown and not yet confirmed."""
    factor = factor_of(user)
    if factor is not None:
        if factor.is_confirmed:
            raise SecondFactorError("Two-step verification is already set up")
        return factor
    factor = SecondFactor(user_id=user.id, encrypted_secret=encrypt_secret(pyotp.random_base32()))
    db.session.add(factor)
    db.session.flush()
    return factor


def secret_of(factor: SecondFactor) -> str:
    """The factor's base32 secret in clear (SecondFactorKeyError when the key is not right)."""
    return decrypt_secret(factor.encrypted_secret)


def provisioning_uri(factor: SecondFactor, user: User, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret_of(factor)).provisioning_uri(name=user.email, issuer_name=issuer)


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(factor: SecondFactor, code: str, now: datetime) -> int | None:
    """The time step (near now) whose TOTP code this is, or None."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret_of(factor))
    current = totp.timecode(now)
    for step in range(current - _VALID_WINDOW, current + _VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept_step(factor: SecondFactor, step: int) -> bool:
    """Record the step as used; False when it (or a later one) was used already.

    One conditional UPDATE, so two requests racing with the same code cannot both pass.
    """
    result = db.session.execute(
        update(SecondFactor)
        .where(
            SecondFactor.id == factor.id,
            or_(SecondFactor.last_used_step.is_(None), SecondFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(factor, ["last_used_step"])
    return bool(cast(CursorResult[Any], result).rowcount == 1)  # an UPDATE runs on a cursor


def accept_code(factor: SecondFactor, code: str, now: datetime | None = None) -> bool:
    """True for a right authenticator code not used before (it is then used up)."""
    step = _matching_step(factor, _normalise(code), now or utcnow())
    return step is not None and _accept_step(factor, step)


def _hash_recovery_code(code: str) -> str:
    # The codes are random (about 50 bits), so a fast hash suffices: no dictionary to try.
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return f"{chars[:5]}-{chars[5:]}"


def _replace_recovery_codes(factor: SecondFactor) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    factor.recovery_codes = [RecoveryCode(code_hash=_hash_recovery_code(c)) for c in codes]
    db.session.flush()
    return codes


def use_recovery_code(factor: SecondFactor, code: str, now: datetime | None = None) -> bool:
    """True for an unused recovery code of this factor, which is then spent (atomically)."""
    normalised = _normalise(code)
    if len(normalised) != _RECOVERY_LENGTH:
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.second_factor_id == factor.id,
            RecoveryCode.code_hash == _hash_recovery_code(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(cast(CursorResult[Any], result).rowcount == 1)  # an UPDATE runs on a cursor


def confirm_enrolment(user: User, code: str, now: datetime | None = None) -> list[str]:
    """Switch the factor on after a right code; returns the new recovery codes (shown once)."""
    factor = factor_of(user)
    if factor is None or factor.is_confirmed:
        raise SecondFactorError("There is no two-step verification set-up to confirm")
    if not accept_code(factor, code, now):
        raise WrongCodeError("Enter the 6-digit code your authenticator app shows now")
    factor.confirmed_at = now or utcnow()
    record_event("second_factor_enrolled", "user", user=user, entity_id=user.id)
    return _replace_recovery_codes(factor)


def check_sign_in_code(user: User, code: str, now: datetime | None = None) -> CodeMethod | None:
    """Check the sign-in's second step: an authenticator code or a recovery code, else None."""
    factor = confirmed_factor_of(user)
    if factor is None:
        return None
    if accept_code(factor, code, now):
        return CodeMethod.AUTHENTICATOR
    if use_recovery_code(factor, code, now):
        record_event("recovery_code_used", "user", user=user, entity_id=user.id)
        return CodeMethod.RECOVERY_CODE
    record_event("second_factor_failed", "user", user=None, entity_id=user.id)
    return None


def unused_recovery_codes(factor: SecondFactor) -> int:
    """How many recovery codes are left."""
    return sum(1 for code in factor.recovery_codes if code.used_at is None)


def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes for the user's factor; the old ones stop working."""
    factor = confirmed_factor_of(user)
    if factor is None:
        raise SecondFactorError("Two-step verification is not set up")
    record_event("recovery_codes_regenerated", "user", user=user, entity_id=user.id)
    return _replace_recovery_codes(factor)


def reset_second_factor(user: User, *, by: User) -> bool:
    """Remove the user's second factor (an admin's reset); False when there was none.

    The user sets up a new one (a new secret, so remembered devices are forgotten). Their
    sessions end too: whoever holds the lost phone may also hold a signed-in device.
    """
    factor = factor_of(user)
    if factor is None:
        return False
    db.session.delete(factor)
    end_sessions(user)
    record_event("second_factor_reset", "user", user=by, entity_id=user.id)
    db.session.flush()
    return True


def users_with_second_factor() -> set[int]:
    """Ids of the users whose second factor is switched on (for the admin's user list)."""
    rows = db.session.scalars(
        select(SecondFactor.user_id).where(SecondFactor.confirmed_at.is_not(None))
    )
    return set(rows)
