"""Error pages in the service's own style; the 500 handler rolls back."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from auditapp.extensions import db

_TITLES = {
    400: "There is a problem with the request",
    401: "Sign in to continue",
    403: "You do not have permission to do this",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "Someone else changed this first",
    413: "The file is too large",
    429: "Too many attempts",
}


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


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error with errors/<code>.html or the generic page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int] | Response:
        if _wants_json():
            return {"error": "csrf", "message": "The form expired. Reload the page."}, 400  # type: ignore[return-value]
        return (
            render_template(
                "errors/error.html",
                code=400,
                title="The form has expired",
                message="For your security the form expired. Go back, reload the page "
                "and try again: nothing was changed.",
            ),
            400,
        )

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
        return (
            render_template(
                template,
                code=code,
                title=_TITLES.get(code, error.name),
                message=error.description if code not in (403, 404) else None,
            ),
            code,
            headers,
        )

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        if _wants_json():
            return {"error": 500, "message": "Something went wrong"}, 500  # type: ignore[return-value]
        return render_template("errors/500.html", code=500, title="Sorry, there is a problem"), 500
