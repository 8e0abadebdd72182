"""Application factory and configuration classes."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from auditapp import create_app
from auditapp.services.second_factor_key import SecondFactorKeyError
from config import Config, DevelopmentConfig, ProductionConfig, TestConfig, config_from_env


def test_production_refuses_to_start_without_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoSecret(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


def test_production_refuses_to_start_without_second_factor_key() -> None:
    class NoSecondFactorKey(ProductionConfig):
        SECRET_KEY = "x" * 40
        SECOND_FACTOR_KEY = None
        # Never reached: the decision needs no database.
        SQLALCHEMY_DATABASE_URI = "sqlite:////nonexistent-auditapp-directory/auditapp.sqlite"

    with pytest.raises(SecondFactorKeyError) as refused:
        create_app(NoSecondFactorKey)
    message = str(refused.value)
    assert "SECOND_FACTOR_KEY must be set in the environment to run in production" in message
    assert "Fernet.generate_key()" in message  # how to make one


def test_production_starts_with_its_keys_and_secure_cookies() -> None:
    class WithSecret(ProductionConfig):
        SECRET_KEY = "x" * 40
        SECOND_FACTOR_KEY = Fernet.generate_key().decode()
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(WithSecret)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["LOAD_DEMO_DATA_ALLOWED"] is False


def test_csrf_is_on_in_real_configurations() -> None:
    for config in (DevelopmentConfig, ProductionConfig, TestConfig):
        assert config.WTF_CSRF_ENABLED is True


def test_config_from_env_picks_named_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITAPP_ENV", "production")
    assert config_from_env() is ProductionConfig
    monkeypatch.setenv("AUDITAPP_ENV", "nonsense")
    with pytest.raises(RuntimeError, match="AUDITAPP_ENV"):
        config_from_env()


def test_default_database_is_sqlite_in_instance_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import _default_database_url

    url = _default_database_url()
    assert url.startswith("sqlite:///") and url.endswith("instance/auditapp.sqlite")


def test_only_config_reads_the_environment() -> None:
    """The app asks its config; config.py alone reads the environment (one home per setting)."""
    root = Path(__file__).resolve().parents[2]
    readers = [
        str(path.relative_to(root))
        for path in [
            *root.joinpath("auditapp").rglob("*.py"),
            root / "wsgi.py",
            root / "gunicorn.conf.py",
        ]
        if re.search(r"\bos\.(environ|getenv)\b|\bgetenv\(", path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_sign_in_limits_follow_the_lock_out_settings() -> None:
    """The per-address limit counts over the lock-out's time (account locks: sign_in_throttle)."""
    assert Config.LOCKOUT_THRESHOLD < Config.LOCKOUT_ACCOUNT_CEILING
    assert Config.LOGIN_LIMIT_PER_ADDRESS.endswith(f" per {Config.LOCKOUT_MINUTES} minutes")
    assert timedelta(minutes=Config.SESSION_MINUTES) == Config.PERMANENT_SESSION_LIFETIME
