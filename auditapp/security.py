"""Security set-up: response headers, sign-in rate limits and session inactivity expiry.

Called once from create_app, after the blueprints are registered. Settings are read from the
app's configuration first, then from the environment, then a default:

- LOGIN_LIMIT_PER_ADDRESS / LOGIN_LIMIT_PER_ACCOUNT: failed sign-ins allowed (Flask-Limiter
  syntax); in memory, or in Redis when REDIS_URL is set (shared by every worker).
- LOCKOUT_THRESHOLD / LOCKOUT_MINUTES: consecutive failed sign-ins that lock an account, and
  for how long (stored on the user, so it holds across workers and restarts).
- SESSION_MINUTES (config.py) sets PERMANENT_SESSION_LIFETIME: the inactivity limit.
- TRUSTED_PROXY_COUNT: proxies in front of the app whose X-Forwarded-For/-Proto to trust, so
  the per-address limit sees the client's address (0: trust none).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, current_app, flash, g, render_template, request, session
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_login import logout_user
from sqlalchemy.exc import DataError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

LIMITER_EXTENSION = "auditapp.limiter"

# Sign-ins only count against the limits when they fail: a successful sign-in redirects.
_DEFAULTS: dict[str, str] = {
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LOCKOUT_THRESHOLD": "5",
    "LOCKOUT_MINUTES": "15",
    "TRUSTED_PROXY_COUNT": "0",
}

NUL_MESSAGE = (
    "The request contains a character that is not allowed (a NUL character). "
    "Remove it and try again: nothing was changed."
)

OUT_OF_RANGE_MESSAGE = (
    "One of the values is too large or not in a form this service can store. "
    "Check the numbers and dates you entered: nothing was changed."
)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def content_security_policy(nonce: str) -> str:
    """The policy: our own files only; the one inline script needs this request's nonce."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _setting(app: Flask, name: str) -> str:
    """A setting from the app's config, else the environment, else the default."""
    value = app.config.get(name)
    if value is None:
        value = os.environ.get(name, _DEFAULTS[name])
        app.config[name] = value
    return str(value)


def rate_limit_storage_uri(config: dict[str, Any]) -> str:
    """Redis when REDIS_URL is set (limits shared by all workers), else this process's memory."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def init_security(app: Flask) -> None:
    """Headers on every response, sign-in limits, inactivity expiry, proxy trust."""
    for name in _DEFAULTS:
        _setting(app, name)
    proxies = int(app.config["TRUSTED_PROXY_COUNT"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    _init_rate_limits(app)
    app.register_error_handler(OverflowError, _value_out_of_range)
    app.register_error_handler(DataError, _value_out_of_range)
    app.before_request(_refuse_nul_characters)
    app.before_request(_expire_inactive_session)
    app.after_request(_security_headers)


def limiter_for(app: Flask) -> Limiter:
    """The app's rate limiter (one per app, so test apps never share counters)."""
    return app.extensions[LIMITER_EXTENSION]


def _address_key() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def _account_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"account:{email}" if email else ""


def _failed_sign_in(response: Response) -> bool:
    """A sign-in POST that did not redirect (a wrong password, a locked account) counts."""
    return response.status_code != 302


def _too_many_attempts(limit: RequestLimit) -> Response:
    from auditapp.auth.routes import too_many_attempts_response

    return too_many_attempts_response()


def _init_rate_limits(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Redis down: keep limiting in this worker's memory rather than failing every sign-in.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(
        key_func=_address_key,
        storage_uri=rate_limit_storage_uri(app.config),
        strategy="moving-window",
        key_prefix=str(app.config.get("RATELIMIT_KEY_PREFIX") or "auditapp"),
    )
    limiter.init_app(app)
    app.extensions[LIMITER_EXTENSION] = limiter
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    login_view: Callable[..., Any] = app.view_functions["auth.login"]
    for limit, key in (
        (app.config["LOGIN_LIMIT_PER_ADDRESS"], _address_key),
        (app.config["LOGIN_LIMIT_PER_ACCOUNT"], _account_key),
    ):
        login_view = limiter.limit(
            limit,
            key_func=key,
            methods=["POST"],
            deduct_when=_failed_sign_in,
            on_breach=_too_many_attempts,
        )(login_view)
    app.view_functions["auth.login"] = login_view


def _rate_limited(error: RateLimitExceeded) -> Response:
    """The breach callback's page (sign-in: the form with the message), else the error page."""
    if error.response is not None:
        return error.response
    from auditapp.auth.routes import too_many_attempts_response

    return too_many_attempts_response()


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def _refuse_nul_characters() -> None:
    """Refuse text with NUL characters: no form has a use for them and PostgreSQL rejects them.

    Checked before any view runs, so such a request changes nothing and gets a clear 400.
    """
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") and not request.args:
        return
    values: list[Any] = [*request.args.values(), *request.args.keys()]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            values.append(request.get_json(silent=True))
        else:
            for key, items in request.form.lists():
                values.extend([key, *items])
            values.extend(upload.filename or "" for upload in request.files.values())
    if _contains_nul(values):
        abort(400, description=NUL_MESSAGE)


def _value_out_of_range(error: Exception) -> tuple[Any, int]:
    """A value the database cannot hold (a 30-digit number): refuse it; nothing is stored.

    Forms should validate ranges themselves; this is the safety net, so hostile input gets a
    clear 400 and a rolled-back transaction instead of a 500. Logged so the form gets fixed.
    """
    from auditapp.extensions import db

    db.session.rollback()
    current_app.logger.warning(
        "value out of range on %s: %s", request.endpoint, type(error).__name__
    )
    if request.path.startswith("/api/") or request.is_json:
        return {"error": "invalid", "message": OUT_OF_RANGE_MESSAGE}, 400
    page = render_template(
        "errors/error.html", code=400, title="A value is not valid", message=OUT_OF_RANGE_MESSAGE
    )
    return page, 400


def _now() -> float:
    return time.time()


def _expire_inactive_session() -> None:
    """Sign out a session idle for longer than the session lifetime, and say why.

    Flask already refuses a session cookie older than PERMANENT_SESSION_LIFETIME (its signature
    carries a timestamp); this check also catches a cookie kept alive by other means, and tells
    the user what happened instead of silently showing the sign-in page.
    """
    if request.endpoint == "static" or "_user_id" not in session:
        return
    now = _now()
    limit = current_app.permanent_session_lifetime.total_seconds()
    last_seen = session.get("last_seen")
    if isinstance(last_seen, int | float) and now - last_seen > limit:
        logout_user()
        session.clear()
        minutes = round(limit / 60)
        flash(f"You were signed out after {minutes} minutes without activity. Sign in again.")
        return
    if not isinstance(last_seen, int | float) or now - last_seen >= 30:
        session["last_seen"] = int(now)


def _security_headers(response: Response) -> Response:
    """Headers for every response; no caching of anything but static files."""
    nonce = g.get("csp_nonce") or secrets.token_urlsafe(16)
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(nonce)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        # Pages and downloads carry case data: never keep them in a browser's or proxy's cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response
