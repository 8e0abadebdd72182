"""Error pages in the service's own style; the 500 handler rolls back."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error with errors/<code>.html or the generic page."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        if _wants_json():
            return {"error": "csrf", "message": "The form expired. Reload the page."}, 400
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
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code == 401 and not _wants_json():
            flash("Sign in to continue.", "info")
            return redirect(url_for("auth.login", next=request.full_path))
        if _wants_json():
            return {"error": code, "message": _TITLES.get(code, error.name)}, code
        template = f"errors/{code}.html" if code in (403, 404) else "errors/error.html"
        return (
            render_template(
                template,
                code=code,
                title=_TITLES.get(code, error.name),
                message=error.description if code not in (403, 404) else None,
            ),
            code,
        )

    @app.errorhandler(500)
    def server_error(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        if _wants_json():
            return {"error": 500, "message": "Something went wrong"}, 500
        return render_template("errors/500.html", code=500, title="Sorry, there is a problem"), 500
