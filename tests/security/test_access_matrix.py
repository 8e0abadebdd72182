"""Access-control matrix: every route, every actor, own and foreign objects, against a table.

Routes come from the app's URL map, so a route added later is covered, and one added without
an entry in tests/security/access_table.py fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from auditapp import create_app
from config import TestConfig
from tests.security.access_table import ACCESS, Access, entries_for
from tests.security.world import (
    ACTORS,
    MEMBER_ACTORS,
    OBJECT_ARGUMENTS,
    STATE_CHANGING,
    World,
    client_for,
    fresh_world,
    methods_of,
    outcome,
    request,
    routes,
    snapshot,
)

# Server errors this test found in other areas' routes, reported to their owners; the rest of
# each route's row is still checked, and an XPASS shows the fix landed (then delete the line).
KNOWN_BUGS: dict[str, str] = {}

DENIALS = {"login", "401", "403", "404", "refused"}  # and the database must not change


def _endpoints() -> list[str]:
    return sorted({rule.endpoint for rule in routes(create_app(TestConfig))})


ENDPOINTS = _endpoints()


def test_every_route_has_an_entry_in_the_access_table() -> None:
    missing = [endpoint for endpoint in ENDPOINTS if endpoint not in ACCESS]
    assert not missing, (
        "routes without a declared access rule (add them to tests/security/access_table.py): "
        + ", ".join(missing)
    )


def _check(
    app: Flask, world: World, actor: str, method: str, path: str, access: Access, expected: str
) -> tuple[str | None, bool]:
    """Send one request; return a problem (or None) and whether it may have changed data."""
    client = client_for(app, world, actor)
    kwargs: dict[str, Any] = {"query_string": access.query}
    if access.json is not None and method in STATE_CHANGING:
        kwargs["json"] = access.json
        kwargs["headers"] = {"X-CSRFToken": client.csrf_token}
    before = snapshot() if method in STATE_CHANGING and expected in DENIALS else None
    if "json" in kwargs:
        response = client.open(path, method=method, **kwargs)
    else:
        response = request(client, method, path, **kwargs)
    got = outcome(response)
    label = f"{method} {path} as {actor}"
    if got == "5xx":
        return (
            f"{label}: server error {response.status_code}: {response.get_data(True)[:200]}",
            True,
        )
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        return f"{label}: security headers missing", True
    if before is not None and snapshot() != before:
        return f"{label}: refused ({got}) but the database changed", True
    if expected in ("refused", "any"):
        return None, expected == "any"
    if got != expected:
        return f"{label}: expected {expected}, got {got} ({response.status_code})", True
    return None, got == "ok" and method in STATE_CHANGING


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_route_obeys_the_access_table(app: Flask, endpoint: str) -> None:
    if endpoint not in ACCESS:
        pytest.fail(f"{endpoint} has no entry in tests/security/access_table.py")
    world = fresh_world()
    problems: list[str] = []
    for rule in [r for r in routes(app) if r.endpoint == endpoint]:
        for method in methods_of(rule):
            entries = entries_for(endpoint, method)
            if not entries:
                problems.append(f"{endpoint} {method}: no entry for this method")
                continue
            for case, access in entries.items():
                own = rule.build(world.arguments(rule, "own", case), append_unknown=False)[1]
                # Refusals first, so an allowed change cannot hide a later refusal.
                order = sorted(ACTORS, key=lambda a: access.expected[a] == "ok")
                for actor in order:
                    problem, dirty = _check(
                        app, world, actor, method, own, access, access.expected[actor]
                    )
                    if problem:
                        problems.append(f"[{case}] {problem}")
                    if dirty:
                        world.restore()
                if OBJECT_ARGUMENTS & set(rule.arguments):
                    foreign = rule.build(
                        world.arguments(rule, "foreign", case), append_unknown=False
                    )[1]
                    for actor in MEMBER_ACTORS:
                        problem, dirty = _check(
                            app, world, actor, method, foreign, access, access.foreign
                        )
                        if problem:
                            problems.append(f"[{case}, foreign] {problem}")
                        if dirty:
                            world.restore()
    if problems and endpoint in KNOWN_BUGS:
        pytest.xfail(f"known bug: {KNOWN_BUGS[endpoint]}\n" + "\n".join(problems))
    assert not problems, "\n".join(problems)
