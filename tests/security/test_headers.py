"""Response headers: CSP without inline script, no framing, no sniffing, no caching, no leaks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from auditapp import create_app
from auditapp.extensions import db
from auditapp.models import User
from config import TestConfig

SCRIPT_RE = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
NONCE_RE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


def assert_page_obeys_csp(response: Any) -> None:
    """Every script is a file of ours or carries this response's nonce; no inline styles."""
    policy = response.headers["Content-Security-Policy"]
    nonce = NONCE_RE.search(policy)
    assert nonce, policy
    page = response.get_data(as_text=True)
    for attributes in SCRIPT_RE.findall(page):
        assert "src=" in attributes or f'nonce="{nonce.group(1)}"' in attributes, attributes
    assert not re.search(r"\sstyle=", page), "inline style attribute"
    assert not re.search(r"\son[a-z]+=\"", page), "inline event handler"


def test_content_security_policy_allows_only_our_files_and_the_nonce(client: Any) -> None:
    response = client.get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{16,}'", directives["script-src"])
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert_page_obeys_csp(response)


def test_the_template_inline_script_carries_a_fresh_nonce_each_request(client: Any) -> None:
    first, second = client.get("/auth/login"), client.get("/auth/login")
    policies = [r.headers["Content-Security-Policy"] for r in (first, second)]
    nonces = [NONCE_RE.search(p).group(1) for p in policies]  # type: ignore[union-attr]  # always sent
    assert nonces[0] != nonces[1]
    assert f'<script nonce="{nonces[0]}">' in first.get_data(as_text=True)


def test_signed_in_pages_obey_the_policy_and_are_never_cached(login_as: Any, lead: User) -> None:
    c = login_as(lead)
    for path in ("/", "/auth/password"):
        response = c.get(path)
        assert response.status_code == 200
        assert_page_obeys_csp(response)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Pragma"] == "no-cache"


@pytest.mark.parametrize("path", ["/auth/login", "/healthz", "/no-such-page"])
def test_every_response_forbids_framing_sniffing_and_referrer_leaks(client: Any, path: str) -> None:
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_but_not_sniffed(client: Any) -> None:
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_strict_transport_security_over_plain_http_in_tests(client: Any) -> None:
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers


@pytest.fixture(scope="module")
def failing_app(database_url: str) -> Iterator[Flask]:
    """A production-like app (not testing, not debug) with routes that raise."""

    class _Config(TestConfig):
        TESTING = False
        DEBUG = False
        SQLALCHEMY_DATABASE_URI = database_url

    application = create_app(_Config)

    @application.get("/test-only/boom")
    def boom() -> str:
        raise RuntimeError("secret-detail-of-case-ABC123")

    @application.get("/api/test-only/boom")
    def api_boom() -> str:
        raise RuntimeError("secret-detail-of-case-ABC123")

    yield application
    with application.app_context():
        db.engine.dispose()


def test_an_error_page_never_shows_a_traceback(failing_app: Flask) -> None:
    with failing_app.app_context():
        response = failing_app.test_client().get("/test-only/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem" in page
    assert "Traceback" not in page and "secret-detail" not in page and "RuntimeError" not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_an_api_error_never_shows_a_traceback(failing_app: Flask) -> None:
    with failing_app.app_context():
        response = failing_app.test_client().get("/api/test-only/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": 500, "message": "Something went wrong"}
    assert "secret-detail" not in response.get_data(as_text=True)


def test_production_runs_without_debug(database_url: str) -> None:
    from config import ProductionConfig

    assert ProductionConfig.DEBUG is False
    assert ProductionConfig.TESTING is False
