"""Security set-up: response headers, trusted proxies, session inactivity expiry, refused input.

Called once from create_app. Its settings live in config.py: SESSION_MINUTES (the inactivity
limit, as PERMANENT_SESSION_LIFETIME) and TRUSTED_PROXY_COUNT (proxies in front of the app whose
X-Forwarded-For/-Proto to trust, so the sign-in limits see the client's address). The sign-in
rate limit per address is Flask-Limiter's (extensions.py), applied on the sign-in view
(auth/routes.py): in production with several workers and no REDIS_URL, a warning says its
counts are per worker.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import Flask, abort, current_app, flash, g, render_template, request, session
from flask_login import logout_user
from sqlalchemy.exc import DataError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from auditapp.json_body import json_body

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


def init_security(app: Flask) -> None:
    """Headers on every response, inactivity expiry, proxy trust, refused input."""
    proxies = int(app.config["TRUSTED_PROXY_COUNT"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented middleware hook
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    app.register_error_handler(OverflowError, _value_out_of_range)
    app.register_error_handler(DataError, _value_out_of_range)
    _warn_if_limits_are_per_worker(app)
    app.before_request(_refuse_nul_characters)
    app.before_request(_expire_inactive_session)
    app.after_request(_security_headers)


PER_WORKER_LIMITS_WARNING = (
    "SECURITY WARNING: %d workers and no REDIS_URL: the per-address sign-in limit "
    "(LOGIN_LIMIT_PER_ADDRESS) is counted in each worker's memory, so an address gets that many "
    "failures per worker. Set REDIS_URL to share the counts. (Account locks are in the "
    "database and hold across workers.)"
)


def _warn_if_limits_are_per_worker(app: Flask) -> None:
    """In production, say loudly when Flask-Limiter's counts are not shared by the workers."""
    workers = int(app.config["WORKERS"])
    if app.config["ENVIRONMENT"] == "production" and workers > 1 and not app.config["REDIS_URL"]:
        app.logger.warning(PER_WORKER_LIMITS_WARNING, workers)


def _contains_nul(value: Any) -> bool:
    """True when any string in value (nested lists and dicts, keys too) has a NUL.

    Iterative, so a deeply nested value cannot exhaust the stack (json_body bounds the depth
    of JSON as well).
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
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
            values.append(json_body())  # a refused body (too deep, not JSON...) is a 400 here
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
