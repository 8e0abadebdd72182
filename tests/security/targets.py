"""The state-changing requests to attack: each route, method and case, with a user allowed."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from tests.security.access_table import ACCESS, Access, entries_for
from tests.security.world import STATE_CHANGING, methods_of, routes

# Who attacks a route, in order of preference, among the actors the table allows.
_PREFERENCE = ("auditor", "lead", "admin", "observer", "outsider", "anonymous")


@dataclass(frozen=True)
class Target:
    """One state-changing request and the actor who may make it."""

    endpoint: str
    rule: str
    method: str
    case: str
    actor: str
    access: Access

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.method}-{self.case}"


def state_changing_targets(app: Flask) -> list[Target]:
    """Every state-changing route of the URL map that has an entry in the access table."""
    targets = []
    for rule in routes(app):
        if rule.endpoint not in ACCESS:
            continue  # the matrix test fails for it
        for method in methods_of(rule):
            if method not in STATE_CHANGING:
                continue
            for case, access in entries_for(rule.endpoint, method).items():
                allowed = [a for a in _PREFERENCE if access.expected[a] in ("ok", "any")]
                actor = allowed[0] if allowed else "lead"
                targets.append(Target(rule.endpoint, rule.rule, method, case, actor, access))
    return targets
