"""Configuration: the one place that reads the environment and holds every default.

The application asks `current_app.config` (filled from these classes), never the environment.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_int(name: str, default: int) -> int:
    """An integer setting from the environment, else the default."""
    value = os.environ.get(name)
    return int(value) if value else default


def _env_bool(name: str, default: bool) -> bool:
    """A yes/no setting from the environment ("1", "true", "yes", "on"), else the default."""
    value = os.environ.get(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str]:
    """A comma-separated setting from the environment, as a list (empty when unset)."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def derived_fernet_key(label: str) -> str:
    """A Fernet key (32 bytes, URL-safe base64) derived from a label: as public as the label."""
    return base64.urlsafe_b64encode(hashlib.sha256(label.encode()).digest()).decode()


def _default_database_url() -> str:
    """A SQLite file in the instance folder: the embedded default."""
    return f"sqlite:///{INSTANCE_DIR / 'auditapp.sqlite'}"


class Config:
    """Settings shared by every environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # PostgreSQL: the tables' owner, for `flask db upgrade` and `flask audit-log grant-app-role`;
    # DATABASE_URL is then the app's role, which may only append to the audit log.
    MIGRATION_DATABASE_URL: str | None = os.environ.get("MIGRATION_DATABASE_URL")
    REDIS_URL: str | None = os.environ.get("REDIS_URL")
    # SQLite only (database.py). A write waits this long for another writer's lock, then the
    # request answers 503 with Retry-After and the case form retries (errors.py).
    SQLITE_BUSY_TIMEOUT_MS: int = _env_int("SQLITE_BUSY_TIMEOUT_MS", 5000)
    # With WAL, NORMAL loses no data when the app crashes, but a power cut or kernel crash may
    # undo the last commits; FULL (production) syncs the WAL on every commit, so a save the app
    # has acknowledged ("Saved") is on disk.
    SQLITE_SYNCHRONOUS = "NORMAL"
    # Seconds a 503 asks the client to wait before trying again (Retry-After): a write lock
    # held past the busy timeout, or a database that cannot be reached.
    RETRY_AFTER_LOCKED_SECONDS = 5
    RETRY_AFTER_UNAVAILABLE_SECONDS = 30
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = (
        None  # tokens live as long as the session: an auditor may keep a form open all day
    )
    MAX_UPLOAD_MB = 5  # uploads (case lists, question sets) are small files
    MAX_CONTENT_LENGTH = MAX_UPLOAD_MB * 1024 * 1024
    # A case list is refused past these, checked while reading: an XLSX file is a zip, so 5 MB
    # uploaded can unzip to gigabytes. Refused within seconds, well before a worker timeout.
    CASE_LIST_MAX_ROWS: int = _env_int("CASE_LIST_MAX_ROWS", 200_000)
    CASE_LIST_MAX_UNZIPPED_MB: int = _env_int("CASE_LIST_MAX_UNZIPPED_MB", 50)
    CASES_PER_PAGE = 200  # the inspection's case lists (sampling, assignment), a page at a time
    # An urgent concern no lead has acknowledged is sent to the leads again after this many
    # minutes (and again each time as long): `flask concerns resend`, run by a scheduler.
    URGENT_CONCERN_RESEND_MINUTES: int = _env_int("URGENT_CONCERN_RESEND_MINUTES", 30)
    # Sign out after this long without activity (security.py checks it on every request).
    SESSION_MINUTES: int = _env_int("SESSION_MINUTES", 120)
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=SESSION_MINUTES)
    # Failed sign-ins for one email from one address that lock that pair (not the account:
    # other addresses may still sign in), and over how many minutes they count. Plus a ceiling
    # on one email's failures from every address, over hours. Counted in the database
    # (services/sign_in_throttle.py), so they hold across workers and restarts.
    LOCKOUT_THRESHOLD: int = _env_int("LOCKOUT_THRESHOLD", 5)
    LOCKOUT_MINUTES: int = _env_int("LOCKOUT_MINUTES", 15)
    LOCKOUT_ACCOUNT_CEILING: int = _env_int("LOCKOUT_ACCOUNT_CEILING", 200)
    LOCKOUT_CEILING_HOURS: int = _env_int("LOCKOUT_CEILING_HOURS", 24)
    # Failed sign-ins allowed from one client address, whatever the email (Flask-Limiter
    # syntax). A successful sign-in never counts. Kept by Flask-Limiter: in Redis when
    # REDIS_URL is set, else per worker (the app warns about that in production).
    LOGIN_LIMIT_PER_ADDRESS: str = os.environ.get(
        "LOGIN_LIMIT_PER_ADDRESS", f"20 per {LOCKOUT_MINUTES} minutes"
    )
    # Flask-Limiter: counts in Redis when REDIS_URL is set (shared by every worker), else in
    # this process's memory; if Redis goes down, keep limiting in memory rather than failing.
    RATELIMIT_KEY_PREFIX = "auditapp"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Proxies in front of the app whose X-Forwarded-For/-Proto to trust, so the per-address
    # limit sees the client's address (0: trust none).
    TRUSTED_PROXY_COUNT: int = _env_int("TRUSTED_PROXY_COUNT", 0)
    # Second factor (TOTP, auth/second_factor.py): who must set one up at sign-in:
    # "admins_and_leads" (global admins and the lead of any inspection), "everyone" or "nobody".
    # Anyone may set one up; whoever has one is always asked for a code.
    MFA_REQUIRED_FOR: str = os.environ.get("MFA_REQUIRED_FOR", "admins_and_leads")
    # The key that encrypts second-factor (TOTP) secrets at rest (Fernet, as
    # `Fernet.generate_key()` makes; services/second_factor_key.py). To rotate it, set the new
    # key here and the old ones in SECOND_FACTOR_KEY_FALLBACKS (comma-separated, still read,
    # never written), run `flask second-factor rotate-key`, then drop the fallbacks.
    # Production refuses to start without it (services/second_factor_key.py).
    SECOND_FACTOR_KEY: str | None = os.environ.get("SECOND_FACTOR_KEY") or None
    SECOND_FACTOR_KEY_FALLBACKS: list[str] = _env_list("SECOND_FACTOR_KEY_FALLBACKS")
    # Days a device stays remembered after a code ("remember this device"; 0: never remember).
    MFA_REMEMBER_DAYS: int = _env_int("MFA_REMEMBER_DAYS", 30)
    # Wrong codes allowed at the code step (Flask-Limiter syntax), per account.
    MFA_CODE_LIMIT: str = os.environ.get("MFA_CODE_LIMIT", f"5 per {LOCKOUT_MINUTES} minutes")
    # Minutes between the password and the code before the sign-in has to start again.
    MFA_PENDING_MINUTES = 5
    # One-time links to set a password (services/account_links.py): hours an invitation to a
    # new account, and a password reset started by an administrator, stay usable.
    INVITATION_HOURS: int = _env_int("INVITATION_HOURS", 72)
    PASSWORD_RESET_HOURS: int = _env_int("PASSWORD_RESET_HOURS", 24)
    # Where people reach the app, for links in emails (e.g. https://audit.example.org); unset:
    # the address of the request that made the link.
    PUBLIC_URL: str | None = os.environ.get("PUBLIC_URL") or None
    # The Word draft's sentence templates: a directory of YAML files (the library's when unset).
    REPORT_WORDING_DIR: str | None = os.environ.get("REPORT_WORDING_DIR") or None
    # Outgoing mail (Flask-Mailman over SMTP; services/mail.py). Off while MAIL_SERVER is unset:
    # invitation and reset links are then shown to the administrator to pass on.
    MAIL_SERVER: str | None = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT: int = _env_int("MAIL_PORT", 587)
    MAIL_USE_TLS: bool = _env_bool("MAIL_USE_TLS", True)  # STARTTLS
    MAIL_USE_SSL: bool = _env_bool("MAIL_USE_SSL", False)  # TLS from the start (port 465)
    MAIL_USERNAME: str | None = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD: str | None = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER: str = (
        os.environ.get("MAIL_DEFAULT_SENDER") or "auditapp <no-reply@localhost>"
    )
    MAIL_TIMEOUT: int = _env_int("MAIL_TIMEOUT", 10)  # seconds: a request never hangs on SMTP
    # Real SMTP everywhere, tests included (they run an SMTP server on 127.0.0.1):
    # Flask-Mailman would otherwise keep test mail in memory.
    MAIL_BACKEND = "smtp"
    # Werkzeug's password hash: scrypt at its default cost (N=2^15, r=8, p=1), a tenth of a
    # second or more per sign-in on purpose. A hash records its own method, so it is checked
    # at the cost it was made with whatever this says.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method, not a password
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SERVICE_NAME = "auditapp"
    ENVIRONMENT = "development"  # the name AUDITAPP_ENV gives this class
    # gunicorn's worker processes (gunicorn.conf.py reads ServerConfig.WORKERS, the same value).
    WORKERS: int = _env_int("WEB_CONCURRENCY", 4)
    LOAD_DEMO_DATA_ALLOWED = True
    TESTING = False
    DEBUG = False


# Published in this repository: wsgi.py refuses it outside explicit development.
TEST_SECRET_KEY = "test-only-not-secret"  # noqa: S105 - tests only
# Development and tests encrypt second-factor secrets with this published key; so does
# migration 0020 when SECOND_FACTOR_KEY is not set. wsgi.py refuses it like the test key. Fixed
# rather than random: the secrets it encrypts stay in the database across restarts.
DEVELOPMENT_SECOND_FACTOR_KEY = derived_fernet_key("auditapp development second-factor key")


class DevelopmentConfig(Config):
    """Local development: keys of its own when none is set."""

    DEBUG = True
    # A random key each time the process starts, so no published key ever signs a session: a
    # restart signs everyone out (set SECRET_KEY to keep sessions, or to run several workers).
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    SECOND_FACTOR_KEY = os.environ.get("SECOND_FACTOR_KEY") or DEVELOPMENT_SECOND_FACTOR_KEY
    # The demo accounts sign in with the password alone; MFA_REQUIRED_FOR=admins_and_leads
    # tries the enforced set-up locally.
    MFA_REQUIRED_FOR: str = os.environ.get("MFA_REQUIRED_FOR", "nobody")


class TestConfig(Config):
    """The test suite: CSRF stays on (tests send tokens) unless a test turns it off."""

    TESTING = True
    ENVIRONMENT = "test"
    SECRET_KEY = TEST_SECRET_KEY
    SECOND_FACTOR_KEY = DEVELOPMENT_SECOND_FACTOR_KEY
    SECOND_FACTOR_KEY_FALLBACKS: list[str] = []
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    MIGRATION_DATABASE_URL: str | None = None  # tests migrate only their own database
    WTF_CSRF_ENABLED = True
    # Tests sign in with a password; the second-factor tests turn enforcement on themselves.
    MFA_REQUIRED_FOR = "nobody"
    # No mail unless a test starts its own SMTP server (the `smtp_server` fixture).
    MAIL_SERVER: str | None = None
    # Still scrypt, at a cost of about a millisecond: the suite signs in hundreds of times, and
    # at the production cost each sign-in spends a fifth of a second hashing. Tests only.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 - a method, not a password


class ProductionConfig(Config):
    """Production: secrets come from the environment, cookies are secure, no demo data."""

    ENVIRONMENT = "production"
    SQLITE_SYNCHRONOUS = "FULL"  # an acknowledged save survives a power cut (README)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    LOAD_DEMO_DATA_ALLOWED = False


class ServerConfig:
    """gunicorn's settings, read by gunicorn.conf.py: where it listens, how many workers."""

    # Loopback by default: put a TLS-terminating proxy in front.
    BIND: str = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
    WORKERS: int = Config.WORKERS
    # Threads per worker (gthread): a slow client ties up one thread, not a whole worker.
    THREADS: int = _env_int("GUNICORN_THREADS", 8)
    # The proxy's address, so it may set the scheme (X-Forwarded-Proto).
    FORWARDED_ALLOW_IPS: str = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def environment_name() -> str | None:
    """AUDITAPP_ENV as set, or None when it is not set (wsgi.py then assumes production)."""
    return os.environ.get("AUDITAPP_ENV") or None


def config_from_env(default: str = "development") -> type[Config]:
    """Pick the configuration named by AUDITAPP_ENV (`default` when it is not set)."""
    name = environment_name() or default
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"AUDITAPP_ENV={name!r} is not one of {sorted(CONFIGS)}") from None
