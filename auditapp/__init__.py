"""auditapp: case audits for inspection teams."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import Flask, g
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from auditapp.security import init_security
from config import Config, ProductionConfig, config_from_env


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, CLI, Jinja."""
    app = Flask(__name__, instance_relative_config=False)
    _configure(app, config_class or config_from_env())
    _init_extensions(app)
    _check_second_factor_key(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)
    _configure_jinja(app)
    init_security(app)  # headers, proxies, session expiry, refused input
    return app


def _configure(app: Flask, config_class: type[Config]) -> None:
    app.config.from_object(config_class)
    if issubclass(config_class, ProductionConfig) and not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in the environment to run in production")
    Path(app.root_path).parent.joinpath("instance").mkdir(exist_ok=True)
    app.logger.setLevel(logging.INFO)


def _check_second_factor_key(app: Flask) -> None:
    """Refuse a malformed SECOND_FACTOR_KEY, or none in production."""
    from auditapp.services.second_factor_key import check_key_at_start

    check_key_at_start(app, production=app.config["ENVIRONMENT"] == "production")


def _init_extensions(app: Flask) -> None:
    from auditapp import models  # noqa: F401 - registers every model on the metadata
    from auditapp.database import configure_engine_events
    from auditapp.extensions import (
        csrf,
        db,
        limiter,
        login_manager,
        mail,
        migrate,
        rate_limit_storage_uri,
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    with app.app_context():
        configure_engine_events(
            db.engine,
            busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
            synchronous=app.config["SQLITE_SYNCHRONOUS"],
        )

    from auditapp.auth.loader import load_user

    login_manager.user_loader(load_user)

    @app.before_request
    def _csp_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    # After CSRF, so a request without a valid token is refused before it counts against a
    # limit; after the nonce, so the page a breached limit renders carries it.
    app.config["RATELIMIT_STORAGE_URI"] = rate_limit_storage_uri(app.config)
    limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from auditapp.admin import bp as admin_bp
    from auditapp.api import bp as api_bp
    from auditapp.audit import bp as audit_bp
    from auditapp.auth import bp as auth_bp
    from auditapp.evidence import bp as evidence_bp
    from auditapp.exports import bp as exports_bp
    from auditapp.findings import bp as findings_bp
    from auditapp.inspections import bp as inspections_bp
    from auditapp.main import bp as main_bp
    from auditapp.moderation import bp as moderation_bp
    from auditapp.notifications import bp as notifications_bp

    for bp in (
        main_bp,
        auth_bp,
        admin_bp,
        inspections_bp,
        audit_bp,
        moderation_bp,
        findings_bp,
        evidence_bp,
        exports_bp,
        api_bp,
        notifications_bp,
    ):
        app.register_blueprint(bp)


def _register_errors(app: Flask) -> None:
    from auditapp.errors import register_error_handlers

    register_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from auditapp.cli import register_commands

    register_commands(app)


def _configure_jinja(app: Flask) -> None:
    from auditapp.templating import register_template_helpers

    app_templates = app.jinja_loader
    assert app_templates is not None  # Flask(__name__) keeps its default template folder
    app.jinja_loader = ChoiceLoader(
        [
            app_templates,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    register_template_helpers(app)
