"""The access log never holds a usable one-time link: invitation and password-reset tokens are
masked in the request line, the path and the referrer (gunicorn.conf.py)."""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.security.gunicorn_server import server

__all__ = ["server"]  # the fixture, used by name

TOKEN = "Zq8-one-time-link-token-that-must-not-be-logged"


@pytest.mark.slow
def test_one_time_link_tokens_are_masked_in_the_access_log(server: int, tmp_path: Path) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{server}/auth/set-password/{TOKEN}?from=mail",
        headers={"Referer": f"http://127.0.0.1:{server}/auth/set-password/{TOKEN}"},
    )
    with contextlib.suppress(urllib.error.HTTPError), urllib.request.urlopen(request, timeout=10):  # noqa: S310 (http to 127.0.0.1)
        pass
    log = tmp_path / "gunicorn.log"
    deadline = time.monotonic() + 10
    access_line = '"GET /auth/set-password/[token]?from=mail HTTP/1.1"'
    while access_line not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)  # gunicorn writes the access line after the answer
    text = log.read_text()
    assert access_line in text
    assert TOKEN not in text
