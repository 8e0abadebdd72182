"""Error pages in the service's own style; the 500 handler rolls back.

When the database is down or a write stays locked past SQLite's busy timeout, requests answer
503 with Retry-After (the case form keeps the answer and retries). No error page may need the
database: a page that fails to render is rendered again as an anonymous visitor, and failing
that, a fixed page is sent, so an error handler itself never fails.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import (
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from auditapp.extensions import db, login_manager
from auditapp.log_masking import mask_one_time_links

_TITLES = {
    400: "There is a problem with the request",
    401: "Sign in to continue",
    403: "You do not have permission to do this",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "Someone else changed this first",
    413: "The file is too large",
    429: "Too many attempts",
    503: "The service is busy",
}

# The database cannot answer now: down, unreachable, out of connections, or locked by another
# writer for longer than the busy timeout. Worth trying again; never the request's fault.
DATABASE_UNAVAILABLE = (OperationalError, DisconnectionError, InterfaceError, PoolTimeoutError)
LOCKED_MESSAGE = (
    "The service is busy saving other work. Nothing from this request was saved: "
    "try again in a few seconds (the case form keeps your answer and tries again by itself)."
)
UNAVAILABLE_MESSAGE = (
    "The service cannot reach its database just now. Nothing from this request was saved: "
    "try again in a minute (the case form keeps your answer and tries again by itself)."
)

_FALLBACK_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{title}</h1><p>{message}</p></main></body></html>
"""


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.is_json
        or request.accept_mimetypes.best == "application/json"
    )


def _headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers the error itself carries: Allow on a 405 (RFC 9110 requires it),
    Retry-After on a 429 or 503, WWW-Authenticate on a 401. The body's type is ours."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def _json_message(error: HTTPException) -> str:
    """A message a client can act on: the error's own description when the app set one."""
    if error.description and error.description != type(error).description:
        return str(error.description)
    return _TITLES.get(error.code or 500, error.name)


def _rollback_quietly() -> None:
    """Roll back, even when the connection is gone (then there is nothing to roll back)."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        current_app.logger.warning(
            "rollback failed on %s: database unreachable", mask_one_time_links(request.path)
        )


def _as_anonymous() -> None:
    """Render as a visitor: base.html would otherwise load the signed-in user from the database."""
    g._login_user = login_manager.anonymous_user()


def _page(template: str, **context: Any) -> str:
    """Render an error page; never raises (see the module docstring)."""
    try:
        return render_template(template, **context)
    except SQLAlchemyError:
        # The database failed while the page loaded the signed-in user: render without one.
        _rollback_quietly()
        _as_anonymous()
    except Exception:
        current_app.logger.exception("error page %s failed to render", template)
        return _fallback(context)
    try:
        return render_template(template, **context)
    except Exception:
        current_app.logger.exception("error page %s failed to render", template)
        return _fallback(context)


def _fallback(context: dict[str, Any]) -> str:
    title = context.get("title") or "Sorry, there is a problem with the service"
    message = context.get("message") or "Try again later."
    return _FALLBACK_PAGE.format(title=escape(title), message=escape(message))


def is_locked(error: BaseException) -> bool:
    """True when SQLite gave up waiting for another writer's lock (the busy timeout)."""
    text = str(getattr(error, "orig", None) or error).lower()
    return "database is locked" in text or "database table is locked" in text


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error with errors/<code>.html or the generic page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[Any, int]:
        if _wants_json():
            return {"error": "csrf", "message": "The form expired. Reload the page."}, 400
        page = _page(
            "errors/error.html",
            code=400,
            title="The form has expired",
            message="For your security the form expired. Go back, reload the page "
            "and try again: nothing was changed.",
        )
        return page, 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Any, int, list[tuple[str, str]]] | Response:
        code = error.code or 500
        headers = _headers(error)
        if code == 401 and not _wants_json():
            flash("Sign in to continue.", "info")
            return redirect(url_for("auth.login", next=request.full_path))
        if _wants_json():
            return {"error": code, "message": _json_message(error)}, code, headers
        template = f"errors/{code}.html" if code in (403, 404) else "errors/error.html"
        page = _page(
            template,
            code=code,
            title=_TITLES.get(code, error.name),
            message=error.description if code not in (403, 404) else None,
        )
        return page, code, headers

    def database_unavailable(error: Exception) -> tuple[Any, int, dict[str, str]]:
        """503 with Retry-After: nothing was saved, and trying again later will work."""
        _rollback_quietly()
        locked = is_locked(error)
        # The exception's class only: its text may quote the statement's parameters.
        app.logger.warning(
            "database %s on %s: %s",
            "locked" if locked else "unavailable",
            mask_one_time_links(request.path),
            type(getattr(error, "orig", None) or error).__name__,
        )
        seconds = app.config[
            "RETRY_AFTER_LOCKED_SECONDS" if locked else "RETRY_AFTER_UNAVAILABLE_SECONDS"
        ]
        headers = {"Retry-After": str(seconds)}
        message = LOCKED_MESSAGE if locked else UNAVAILABLE_MESSAGE
        if _wants_json():
            body = {"error": "busy" if locked else "unavailable", "message": message}
            return body, 503, headers
        # The page needs no database: render it as a visitor, whoever is signed in.
        _as_anonymous()
        page = _page("errors/503.html", code=503, title=_TITLES[503], message=message)
        return page, 503, headers

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[Any, int]:
        _rollback_quietly()
        app.logger.exception("Unhandled error on %s", mask_one_time_links(request.path))
        if _wants_json():
            return {"error": 500, "message": "Something went wrong"}, 500
        return _page("errors/500.html", code=500, title="Sorry, there is a problem"), 500
