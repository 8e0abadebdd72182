"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`; production unless told otherwise.

Safe by default: without AUDITAPP_ENV the app runs with the production configuration (which
refuses to start without SECRET_KEY). A key published in this repository (the development or
test key) is refused unless AUDITAPP_ENV=development is set explicitly, and debug is never on
under gunicorn.
"""

from __future__ import annotations

import sys

from flask import Flask

from auditapp import create_app
from config import PUBLIC_SECRET_KEYS, config_from_env, environment_name


def _served_by_gunicorn() -> bool:
    """gunicorn imported this module (its master or a worker), not `flask run` or a script."""
    return "gunicorn" in sys.modules


def build_app() -> Flask:
    """The application for a server or the `flask` command, refusing unsafe settings."""
    app = create_app(config_from_env(default="production"))
    if app.secret_key in PUBLIC_SECRET_KEYS and environment_name() != "development":
        raise RuntimeError(
            "SECRET_KEY is a published development or test key: set a secret SECRET_KEY, "
            "or set AUDITAPP_ENV=development explicitly on a developer's machine"
        )
    if _served_by_gunicorn():
        app.debug = False  # the debugger would run code for anyone who can reach the server
    return app


app = build_app()
