"""Safe by default: wsgi.py (what gunicorn serves) never runs with a published key or debug on.

Each case starts a fresh Python process, because config.py reads the environment when imported.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from config import DEVELOPMENT_SECOND_FACTOR_KEY

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REFUSED = "published test key"
APP_SETTINGS = {
    "AUDITAPP_ENV",
    "SECRET_KEY",
    "SECOND_FACTOR_KEY",
    "SECOND_FACTOR_KEY_FALLBACKS",
    "DATABASE_URL",
    "REDIS_URL",
    "FLASK_DEBUG",
}


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The parent's environment without the app's settings, plus `settings`."""
    env = {key: value for key, value in os.environ.items() if key not in APP_SETTINGS}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'safe.sqlite'}"
    env.update(settings)
    return env


def _import_wsgi(
    env: dict[str, str], *, as_gunicorn: bool = False
) -> subprocess.CompletedProcess[str]:
    prelude = "import gunicorn.app.wsgiapp; " if as_gunicorn else ""
    code = prelude + (
        "import wsgi; "
        "print('debug', wsgi.app.debug); "
        "print('secure', wsgi.app.config.get('SESSION_COOKIE_SECURE'))"
    )
    return subprocess.run(  # noqa: S603 - a fixed command, no shell
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_without_auditapp_env_or_secret_key_the_app_refuses_to_start(tmp_path: Path) -> None:
    result = _import_wsgi(_env(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _production_keys() -> dict[str, str]:
    """The two keys production needs: a SECRET_KEY and a fresh SECOND_FACTOR_KEY."""
    return {"SECRET_KEY": "s" * 40, "SECOND_FACTOR_KEY": Fernet.generate_key().decode()}


def test_without_auditapp_env_the_app_runs_in_production(tmp_path: Path) -> None:
    result = _import_wsgi(_env(tmp_path, **_production_keys()))
    assert result.returncode == 0, result.stderr
    assert "debug False" in result.stdout
    assert "secure True" in result.stdout  # ProductionConfig's secure cookies


@pytest.mark.parametrize(
    "settings",
    [
        {"SECRET_KEY": "test-only-not-secret"},
        {"SECRET_KEY": "test-only-not-secret", "AUDITAPP_ENV": "production"},
        {"AUDITAPP_ENV": "test"},  # the test configuration's published key
    ],
)
def test_a_published_key_is_refused_outside_explicit_development(
    tmp_path: Path, settings: dict[str, str]
) -> None:
    second_factor_key = {"SECOND_FACTOR_KEY": Fernet.generate_key().decode()}
    result = _import_wsgi(_env(tmp_path, **second_factor_key, **settings))
    assert result.returncode != 0
    assert REFUSED in result.stderr


def test_explicit_development_runs_without_any_key_set(tmp_path: Path) -> None:
    result = _import_wsgi(_env(tmp_path, AUDITAPP_ENV="development"))
    assert result.returncode == 0, result.stderr
    assert "debug True" in result.stdout  # `flask run` on a developer's machine


def _development_secret_key(tmp_path: Path) -> str:
    code = "import wsgi; print(wsgi.app.secret_key)"
    result = subprocess.run(  # noqa: S603 - a fixed command, no shell
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(tmp_path, AUDITAPP_ENV="development"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_development_signs_sessions_with_a_key_of_its_own_each_start(tmp_path: Path) -> None:
    """No key published in the repository signs development sessions: a restart makes another."""
    first, second = _development_secret_key(tmp_path), _development_secret_key(tmp_path)
    assert len(first) >= 64 and len(second) >= 64
    assert first != second


def test_debug_is_never_on_under_gunicorn(tmp_path: Path) -> None:
    result = _import_wsgi(_env(tmp_path, AUDITAPP_ENV="development"), as_gunicorn=True)
    assert result.returncode == 0, result.stderr
    assert "debug False" in result.stdout


def test_production_without_a_second_factor_key_refuses_to_start(tmp_path: Path) -> None:
    """Refused on an empty database too: nobody has a second factor yet, nothing is asked."""
    result = _import_wsgi(_env(tmp_path, SECRET_KEY="s" * 40))
    assert result.returncode != 0
    assert "SECOND_FACTOR_KEY must be set in the environment to run in production" in (
        result.stderr
    )
    assert "Fernet.generate_key()" in result.stderr  # how to make one
    assert not (tmp_path / "safe.sqlite").exists()  # decided without opening the database
    started = _import_wsgi(_env(tmp_path, **_production_keys()))
    assert started.returncode == 0, started.stderr


def test_production_refuses_the_published_second_factor_key(tmp_path: Path) -> None:
    env = _env(tmp_path, SECRET_KEY="s" * 40, SECOND_FACTOR_KEY=DEVELOPMENT_SECOND_FACTOR_KEY)
    result = _import_wsgi(env)
    assert result.returncode != 0
    assert "SECOND_FACTOR_KEY is the published development key" in result.stderr


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _gunicorn(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - a fixed command, no shell
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_gunicorn_without_settings_does_not_serve(tmp_path: Path) -> None:
    """The reported attack: gunicorn started with nothing set served with the public key."""
    port = _free_port()
    env = _env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    server = _gunicorn(env)
    try:
        _, stderr = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, 9)
        server.communicate()
        pytest.fail("gunicorn kept running without SECRET_KEY or AUDITAPP_ENV")
    assert server.returncode != 0
    assert "SECRET_KEY must be set" in stderr


def test_gunicorn_with_its_keys_serves_in_production(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(
        tmp_path, **_production_keys(), GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1"
    )
    server = _gunicorn(env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login") as page:
                    cookie = page.headers.get("Set-Cookie", "")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        assert "Secure" in cookie  # production cookies
    finally:
        os.killpg(server.pid, 15)
        server.communicate(timeout=30)
