"""Remembered devices: a signed cookie that lets a device skip the sign-in code for a while."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from auditapp.models import SecondFactor, User

COOKIE_NAME = "auditapp_device"
_SALT = "auditapp-second-factor-device"
# Only the sign-in pages read it, so it is sent nowhere else.
_COOKIE_PATH = "/auth"


def _remember_seconds() -> int:
    return int(current_app.config["MFA_REMEMBER_DAYS"]) * 24 * 60 * 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=_SALT)


def _binding(factor: SecondFactor) -> str:
    """Ties the cookie to this enrolment: a reset (a new secret) forgets every device."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, f"device:{factor.secret}".encode(), hashlib.sha256).hexdigest()[:32]


def remembering_allowed() -> bool:
    """False when MFA_REMEMBER_DAYS is 0: every sign-in asks for a code."""
    return _remember_seconds() > 0


def remember_device(response: Response, user: User, factor: SecondFactor) -> None:
    """Set the cookie: HttpOnly, Secure where session cookies are, for MFA_REMEMBER_DAYS."""
    if not remembering_allowed():
        return
    value = _serializer().dumps({"user": user.id, "binding": _binding(factor)})
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
    return hmac.compare_digest(str(payload.get("binding", "")), _binding(factor))
