"""Second-factor secrets encrypted at rest: Fernet with SECOND_FACTOR_KEY, and the keys of
SECOND_FACTOR_KEY_FALLBACKS still read (never written) while a key is being rotated.

A TOTP secret is a password the server must read back, so it cannot be hashed like the
recovery codes: a copy of the database (a backup, a dump) without the key no longer gives
anyone the codes of every account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import SecondFactor
from auditapp.services.audit_log import record_event

MAKE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
NO_KEY = (
    "SECOND_FACTOR_KEY must be set in the environment to run in production: it encrypts the "
    f"two-step verification secrets. Make one with: {MAKE_KEY}"
)
BAD_KEY = (
    "SECOND_FACTOR_KEY and each key of SECOND_FACTOR_KEY_FALLBACKS must be a Fernet key: "
    f"32 random bytes, URL-safe base64 ({MAKE_KEY})"
)
WRONG_KEY = (
    "A second-factor secret cannot be decrypted with SECOND_FACTOR_KEY or any key of "
    "SECOND_FACTOR_KEY_FALLBACKS: set the key it was encrypted with"
)


class SecondFactorKeyError(RuntimeError):
    """The secrets cannot be encrypted or read: no key, a malformed key or the wrong key."""


def _keys(config: Mapping[str, Any]) -> list[str]:
    primary = config.get("SECOND_FACTOR_KEY")
    if not primary:
        raise SecondFactorKeyError("SECOND_FACTOR_KEY is not set")
    return [primary, *(config.get("SECOND_FACTOR_KEY_FALLBACKS") or [])]


def key_ring(config: Mapping[str, Any]) -> MultiFernet:
    """The configured keys: the first encrypts, every one decrypts."""
    try:
        return MultiFernet([Fernet(key) for key in _keys(config)])
    except ValueError:
        raise SecondFactorKeyError(BAD_KEY) from None  # the message would quote the key


def encrypt_secret(secret: str) -> str:
    """The secret encrypted with SECOND_FACTOR_KEY, as stored."""
    return key_ring(current_app.config).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The stored secret in clear, from whichever configured key encrypted it."""
    try:
        return key_ring(current_app.config).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecondFactorKeyError(WRONG_KEY) from None


def rotate_secrets() -> int:
    """Re-encrypt every stored secret with SECOND_FACTOR_KEY; returns how many.

    Run after putting a new key first and the old ones in SECOND_FACTOR_KEY_FALLBACKS; once
    done, the fallbacks can go. The secrets themselves do not change: authenticator apps and
    remembered devices keep working.
    """
    ring = key_ring(current_app.config)
    factors = list(db.session.scalars(select(SecondFactor)))
    for factor in factors:
        try:
            factor.encrypted_secret = ring.rotate(factor.encrypted_secret.encode()).decode()
        except InvalidToken:
            raise SecondFactorKeyError(WRONG_KEY) from None
    record_event("second_factor_key_rotated", "second_factor", user=None, new=len(factors))
    db.session.flush()
    return len(factors)


def check_key_at_start(app: Flask, *, production: bool) -> None:
    """Refuse to start with a malformed key, or in production with none.

    Development and tests always have one (config.py: the published development key), so only
    production can be without it; it needs no database to decide.
    """
    if app.config.get("SECOND_FACTOR_KEY"):
        key_ring(app.config)  # SecondFactorKeyError (BAD_KEY) for a malformed key
    elif production:
        raise SecondFactorKeyError(NO_KEY)
