"""Open redirect after sign-in: `next` is followed only when it is a path on this site.

Each case signs in for real (POST /auth/login?next=...) and reads the Location header.
"""

from __future__ import annotations

from typing import Any

import pytest

from auditapp.auth.redirects import is_safe_next
from auditapp.models import User
from tests import factories

HOME = "/"

# Values of `next` as the view reads them (sent URL-encoded, so they arrive exactly as written).
REFUSED = [
    "////evil.example/phish",  # the reported attack: Werkzeug collapsed it to //evil.example
    "///evil.example",
    "//evil.example",
    "//evil.example/inspections/1",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\\\evil.example",
    "https://evil.example",
    "http://evil.example/",
    "HTTPS://evil.example",
    "https:evil.example",
    "//evil.example@audit.example.test",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "\t//evil.example",
    "\n//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/%09/evil.example",  # a tab, percent-encoded
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "%2F%2Fevil.example",
    "/%2Fevil.example",
    "%2f%2fevil.example",
    "/%5Cevil.example",  # a backslash, percent-encoded
    "%5C%5Cevil.example",
    "/%252F/evil.example",  # encoded twice
    "/%25252F/evil.example",  # encoded three times
    "%252F%252Fevil.example",
    "/\u202e/elpmaxe.live",  # right-to-left override
    "/\u200b/evil.example",  # zero-width space
    "/%E2%80%AE/evil.example",
    "evil.example",
    "inspections/1",  # relative: not a path from the site's root
    ".//evil.example",
    "",
]

KEPT = [
    "/",
    "/inspections/1?tab=cases",
    "/inspections/1",
    "/inspections/12/cases?page=2&sort=reference",
    "/findings/3?case_type=child-in-need",
    "/audit/cases/7/answers/Q1#note",
    "/inspections/1?q=a%20b",
    "/api/tokens",
    "/inspections/1?next=/findings/2",
]


def _sign_in_with_next(client: Any, user: User, next_value: str) -> Any:
    return client.post_form(
        "/auth/login",
        {"email": user.email, "password": factories.PASSWORD},
        query_string={"next": next_value},
    )


@pytest.mark.parametrize("target", REFUSED)
def test_sign_in_never_redirects_off_the_site(client: Any, auditor: User, target: str) -> None:
    response = _sign_in_with_next(client, auditor, target)
    if "\x00" in target:  # refused before any view runs (security.py's NUL guard)
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302
    assert response.headers["Location"] == HOME


@pytest.mark.parametrize("target", KEPT)
def test_sign_in_follows_a_path_on_this_site(client: Any, auditor: User, target: str) -> None:
    response = _sign_in_with_next(client, auditor, target)
    assert response.status_code == 302
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "raw_query",
    [
        "next=////evil.example/phish",
        "next=%2F%2F%2F%2Fevil.example%2Fphish",
        "next=/%5C/evil.example",
        "next=%09//evil.example",
        "next=/%09/evil.example",
        "next=%2F%252Fevil.example",
    ],
)
def test_raw_query_strings_are_refused_too(client: Any, auditor: User, raw_query: str) -> None:
    """The query string as an attacker's link writes it, decoded by the server itself."""
    response = client.post_form(
        f"/auth/login?{raw_query}", {"email": auditor.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == HOME


def test_every_variant_is_judged_without_a_request() -> None:
    assert not any(is_safe_next(target) for target in REFUSED)
    assert all(is_safe_next(target) for target in KEPT)
    assert not is_safe_next(None)
