"""CSRF: every state-changing route refuses a request without a valid token, and changes nothing.

Routes come from the URL map; a route may only skip the check if it is declared here with the
reason (none is: the JSON API's data routes are read-only, and every form posts a token).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from auditapp import create_app
from config import TestConfig
from tests.security.targets import Target, state_changing_targets
from tests.security.world import client_for, fresh_world, routes, snapshot

CSRF_EXEMPT: dict[str, str] = {}

TARGETS = state_changing_targets(create_app(TestConfig))


def _send(app: Flask, target: Target, token: str | None) -> tuple[Any, bool]:
    world = fresh_world()
    client = client_for(app, world, target.actor)
    rule = next(r for r in routes(app) if r.endpoint == target.endpoint and r.rule == target.rule)
    path = rule.build(world.arguments(rule, "own", target.case), append_unknown=False)[1]
    before = snapshot()
    kwargs: dict[str, Any] = {"query_string": target.access.query}
    if target.access.json is not None:
        kwargs["json"] = target.access.json
        if token is not None:
            kwargs["headers"] = {"X-CSRFToken": token}
    else:
        kwargs["data"] = {"csrf_token": token} if token is not None else {}
    response = client.open(path, method=target.method, **kwargs)
    return response, snapshot() == before


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
@pytest.mark.parametrize("token", [None, "forged-token", "stale"], ids=["none", "forged", "stale"])
def test_state_changing_route_refuses_a_missing_or_bad_csrf_token(
    app: Flask, target: Target, token: str | None
) -> None:
    if target.endpoint in CSRF_EXEMPT:
        pytest.skip(CSRF_EXEMPT[target.endpoint])
    if token == "stale":
        # A real token, but signed for another session (as a cross-site page could embed).
        other = client_for(app, fresh_world(), "anonymous")
        token = other.csrf_token
    response, unchanged = _send(app, target, token)
    assert response.status_code == 400, (target.id, response.status_code)
    assert unchanged, f"{target.id}: refused but the database changed"
    if response.is_json:
        assert response.get_json()["error"] == "csrf"
    else:
        assert "The form has expired" in response.get_data(as_text=True)


def test_every_state_changing_route_is_attacked() -> None:
    endpoints = {t.endpoint for t in TARGETS}
    assert {"auth.login", "auth.logout", "auth.change_password"} <= endpoints
