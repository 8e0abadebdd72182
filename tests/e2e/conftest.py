"""Browser tests: the app served by a real gunicorn process on 127.0.0.1, driven by Chromium.

- `live_server`: gunicorn on a free port over a temporary database (SQLite, or a fresh
  PostgreSQL database when TEST_DATABASE_URL names a server), migrated with `flask db upgrade`
  and loaded with `flask demo`. It can be stopped and started again on the same port and
  database (`restart()`), as when a server is redeployed while an auditor keeps working.
- `browser`: Debian's Chromium (`/usr/bin/chromium`, or E2E_CHROMIUM) launched by Playwright for
  Python, headless. No browser is ever downloaded (`playwright install` is never run).
- `open_page(user=..., viewport=...)`: a page in a fresh browser context, signed in as a demo
  user when asked (the session cookie is made once per user through the real sign-in form).

Every test under tests/e2e is marked `e2e` and skipped, with the reason, when Chromium or
Playwright is missing, so `make test` still runs on a machine without a browser.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_DIR = Path(__file__).resolve().parent
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
DEMO_PASSWORD = "demo-password"  # documented demo credential (README)


def _skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return (
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
            "or set E2E_CHROMIUM; CI installs it in .ci/run"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e `e2e`; skip them all, with the reason, without Chromium."""
    reason = _skip_reason()
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """gunicorn serving wsgi:app on 127.0.0.1:port; stoppable and restartable in place."""

    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        """Start gunicorn and wait until /healthz answers 200 (its workers can take half a
        minute to boot on a busy machine)."""
        assert not self.running, "server already running"
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--threads",
                "4",
                "--graceful-timeout",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "-",
                "wsgi:app",
            ],
            cwd=REPO,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its workers
        )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"gunicorn exited with {code}:\n{self.tail()}")
            if self.healthy():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout}s:\n{self.tail()}")

    def healthy(self) -> bool:
        """True when /healthz answers 200."""
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gunicorn and its workers; the port is free when this returns."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        deadline = time.monotonic() + 10
        while self.healthy() and time.monotonic() < deadline:
            time.sleep(0.1)

    def restart(self) -> None:
        """Stop, then start again on the same port and database."""
        self.stop()
        self.start()

    def tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _flask(env: dict[str, str], *args: str) -> str:
    """Run a `flask --app wsgi` command against the live server's database."""
    result = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The live server's own database: SQLite file, or a fresh PostgreSQL database."""
    server = os.environ.get("TEST_DATABASE_URL", "")
    if server.startswith("postgresql"):
        from tests.conftest import _postgres_database

        yield from _postgres_database(server)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'e2e.sqlite'}"


@pytest.fixture(scope="session")
def server_env(live_database_url: str) -> dict[str, str]:
    """Environment of the server and the flask commands: development config, our database."""
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "REDIS_URL"}}
    env.update(
        AUDITAPP_ENV="development",
        DATABASE_URL=live_database_url,
        # One key for the whole run, so sessions survive a server restart, as in production.
        SECRET_KEY=secrets.token_urlsafe(32),
        FLASK_APP="wsgi",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def live_server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A migrated, demo-loaded database served by gunicorn on a free port."""
    _flask(server_env, "db", "upgrade")
    _flask(server_env, "demo")
    log_dir = tmp_path_factory.mktemp("e2e-server")
    server = LiveServer(port=free_port(), env=server_env, log_path=log_dir / "gunicorn.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_app(live_database_url: str, server_env: dict[str, str]) -> Iterator[Flask]:
    """The same application in this process, on the live server's database.

    Used to build URLs from endpoints and to prepare data through the app's own services,
    never with raw SQL.
    """
    from auditapp import create_app
    from auditapp.extensions import db
    from config import DevelopmentConfig

    class _Config(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = live_database_url
        SECRET_KEY = server_env["SECRET_KEY"]

    application = create_app(_Config)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def in_live_app(live_app: Flask, live_server: LiveServer) -> Callable[..., Any]:
    """Run a function inside the live app's context, committing what it changed."""
    from auditapp.extensions import db

    def _run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with live_app.app_context():
            try:
                result = function(*args, **kwargs)
                db.session.commit()
                return result
            finally:
                db.session.remove()

    return _run


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, launched by path (no download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class PageProblems:
    """What went wrong in the page: uncaught errors, console errors, pages wider than it."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    too_wide: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [m for m in self.console_errors if "Content Security Policy" in m]


@pytest.fixture(scope="session")
def storage_states(
    browser: Any, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """Sign each demo user in once through the real form; later pages reuse the cookie."""
    directory = tmp_path_factory.mktemp("e2e-sessions")
    made: dict[str, str] = {}

    def _state(email: str) -> str:
        if email not in made:
            context = browser.new_context(base_url=live_server.url)
            page = context.new_page()
            sign_in(page, email)
            path = directory / f"{email}.json"
            context.storage_state(path=str(path))
            context.close()
            made[email] = str(path)
        return made[email]

    return _state


@pytest.fixture
def open_page(
    browser: Any, live_server: LiveServer, storage_states: Callable[[str], str]
) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh context: `open_page(user="lead@demo.test", viewport=TABLET)`.

    The page's uncaught errors and console errors are collected in `page.problems`.
    `bypass_csp=True` only for the accessibility checks, which inject axe-core.
    """
    contexts: list[Any] = []

    def _open(
        user: str | None = None, viewport: dict[str, int] | None = None, bypass_csp: bool = False
    ) -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            accept_downloads=True,
            bypass_csp=bypass_csp,
            storage_state=storage_states(user) if user else None,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.problems = problems
        return page

    yield _open
    for context in contexts:
        context.close()


def new_account(in_live_app: Callable[..., Any], password: str, prefix: str = "e2e") -> str:
    """A fresh account of the live server, for a journey that signs out or changes the account.

    Signing out ends every session of the user, so a journey that signs a demo user out would
    revoke the cookies `storage_states` keeps for the other tests.
    """
    from auditapp.models import GlobalRole
    from auditapp.services.accounts import create_user

    email = f"{prefix}-{uuid.uuid4().hex[:8]}@demo.test"
    in_live_app(lambda: create_user(email, "Test Account", GlobalRole.USER, password))
    return email


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form and wait for the home page."""
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach what the server logged during a failed browser test to its report."""
    report = yield
    server: LiveServer | None = getattr(item, "_live_server", None)
    start = getattr(item, "_live_server_log_start", 0)
    if report.failed and server is not None and server.log_path.exists():
        with server.log_path.open("rb") as log:
            log.seek(start)
            report.sections.append(("gunicorn log", log.read().decode(errors="replace")[-8000:]))
    return report


@pytest.fixture(autouse=True)
def _remember_server_log(request: pytest.FixtureRequest) -> None:
    """Note where the server log stands when a test that uses the server starts."""
    if "live_server" in request.fixturenames or "open_page" in request.fixturenames:
        server: LiveServer = request.getfixturevalue("live_server")
        request.node._live_server = server
        request.node._live_server_log_start = (
            server.log_path.stat().st_size if server.log_path.exists() else 0
        )
