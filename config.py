"""Configuration classes, read from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _default_database_url() -> str:
    """A SQLite file in the instance folder: the embedded default."""
    return f"sqlite:///{INSTANCE_DIR / 'auditapp.sqlite'}"


class Config:
    """Settings shared by every environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL: the tables' owner, for `flask db upgrade` and `flask audit-log grant-app-role`;
    # DATABASE_URL is then the app's role, which may only append to the audit log.
    MIGRATION_DATABASE_URL: str | None = os.environ.get("MIGRATION_DATABASE_URL")
    REDIS_URL: str | None = os.environ.get("REDIS_URL")
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = (
        None  # tokens live as long as the session: an auditor may keep a form open all day
    )
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # uploads (case lists, question sets) are small files
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("SESSION_MINUTES", "120")))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SERVICE_NAME = "auditapp"
    LOAD_DEMO_DATA_ALLOWED = True
    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    """Local development: a fixed, clearly-marked key when none is set."""

    DEBUG = True
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"


class TestConfig(Config):
    """The test suite: CSRF stays on (tests send tokens) unless a test turns it off."""

    TESTING = True
    SECRET_KEY = "test-only-not-secret"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    MIGRATION_DATABASE_URL: str | None = None  # tests migrate only their own database
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    """Production: secrets come from the environment, cookies are secure, no demo data."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    LOAD_DEMO_DATA_ALLOWED = False


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration named by AUDITAPP_ENV (default: development)."""
    name = os.environ.get("AUDITAPP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"AUDITAPP_ENV={name!r} is not one of {sorted(CONFIGS)}") from None
