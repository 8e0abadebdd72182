"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`; production unless told otherwise.

Safe by default: without AUDITAPP_ENV the app runs with the production configuration (which
refuses to start without SECRET_KEY or SECOND_FACTOR_KEY). A key published in this repository
(the test SECRET_KEY, or the development SECOND_FACTOR_KEY) is refused unless
AUDITAPP_ENV=development is set explicitly, and debug is never on under gunicorn.
"""

from __future__ import annotations

import sys

from flask import Flask

from auditapp import create_app
from config import (
    DEVELOPMENT_SECOND_FACTOR_KEY,
    TEST_SECRET_KEY,
    config_from_env,
    environment_name,
)


def _served_by_gunicorn() -> bool:
    """gunicorn imported this module (its master or a worker), not `flask run` or a script."""
    return "gunicorn" in sys.modules


def build_app() -> Flask:
    """The application for a server or the `flask` command, refusing unsafe settings."""
    app = create_app(config_from_env(default="production"))
    if app.secret_key == TEST_SECRET_KEY and environment_name() != "development":
        raise RuntimeError(
            "SECRET_KEY is the published test key: set a secret SECRET_KEY, "
            "or set AUDITAPP_ENV=development explicitly on a developer's machine"
        )
    if (
        app.config.get("SECOND_FACTOR_KEY") == DEVELOPMENT_SECOND_FACTOR_KEY
        and environment_name() != "development"
    ):
        raise RuntimeError(
            "SECOND_FACTOR_KEY is the published development key: set a secret one "
            "(Fernet.generate_key()), or set AUDITAPP_ENV=development explicitly"
        )
    if _served_by_gunicorn():
        app.debug = False  # the debugger would run code for anyone who can reach the server
    return app


app = build_app()
