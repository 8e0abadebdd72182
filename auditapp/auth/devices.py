"""Remembered devices: a signed cookie that lets a device skip the sign-in code for a while."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from auditapp.models import SecondFactor, User
from auditapp.services import second_factor
from auditapp.services.second_factor_key import SecondFactorKeyError

COOKIE_NAME = "auditapp_device"
_SALT = "auditapp-second-factor-device"
# Only the sign-in pages read it, so it is sent nowhere else.
_COOKIE_PATH = "/auth"


def _remember_seconds() -> int:
    return int(current_app.config["MFA_REMEMBER_DAYS"]) * 24 * 60 * 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=_SALT)


def _binding(factor: SecondFactor) -> str | None:
    """Ties the cookie to this enrolment: a reset (a new secret) forgets every device.

    None when the secret cannot be read (SECOND_FACTOR_KEY is wrong): no device is remembered.
    """
    key = str(current_app.secret_key).encode()
    # The secret in clear, not its encryption: re-encrypting under a new key (a rotation)
    # changes the stored token but not the enrolment, so remembered devices stay remembered.
    try:
        secret = second_factor.secret_of(factor)
    except SecondFactorKeyError:
        current_app.logger.error("second factor of user %s: secret unreadable", factor.user_id)
        return None
    return hmac.new(key, f"device:{secret}".encode(), hashlib.sha256).hexdigest()[:32]


def remembering_allowed() -> bool:
    """False when MFA_REMEMBER_DAYS is 0: every sign-in asks for a code."""
    return _remember_seconds() > 0


def remember_device(response: Response, user: User, factor: SecondFactor) -> None:
    """Set the cookie: HttpOnly, Secure where session cookies are, for MFA_REMEMBER_DAYS."""
    binding = _binding(factor)
    if not remembering_allowed() or binding is None:
        return
    value = _serializer().dumps({"user": user.id, "binding": binding})
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=_remember_seconds(),
        path=_COOKIE_PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def is_remembered(user: User, factor: SecondFactor) -> bool:
    """True when this request carries a valid, unexpired cookie for this user and enrolment."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw or not remembering_allowed():
        return False
    try:
        payload = _serializer().loads(raw, max_age=_remember_seconds())
    except BadSignature:  # also SignatureExpired
        return False
    if not isinstance(payload, dict) or payload.get("user") != user.id:
        return False
    binding = _binding(factor)
    return binding is not None and hmac.compare_digest(str(payload.get("binding", "")), binding)
