"""gunicorn started exactly as production starts it (`-c gunicorn.conf.py`), for the tests that
need the real server: slow clients, the access log."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthz(port: int, timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:
        return response.status, time.monotonic() - started


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    """gunicorn -c gunicorn.conf.py wsgi:app, in production, on a free port."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "GUNICORN_THREADS", "FLASK_DEBUG"}
    }
    env.update(
        {
            "AUDITAPP_ENV": "production",
            "SECRET_KEY": "slow-clients-test-" + "k" * 40,
            "SECOND_FACTOR_KEY": Fernet.generate_key().decode(),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'slow.sqlite'}",
            "WEB_CONCURRENCY": str(WORKERS),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
        }
    )
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its workers
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            with contextlib.suppress(OSError):
                if healthz(port, 1)[0] == 200:
                    break
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log.close()
