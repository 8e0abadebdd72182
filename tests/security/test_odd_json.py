"""Odd JSON never gives a 500 (issue 20, point 8), and a 405 names the methods allowed.

The attacks that got through: on the answer-save endpoint a checklist value of 5, true or
[1, 2] (TypeError), a lone surrogate in a note (UnicodeEncodeError when stored), a number of
4 million digits (Python's int-from-string limit), and JSON nested 50,000 deep, which raised a
RecursionError in the NUL guard even before sign-in. Each is sent to every JSON route, signed
in and not, and must answer 400 with a message and change nothing. (Before sign-in, sound JSON
of the wrong shape is sent to sign in, like any other request: who may save is checked first.)
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from auditapp.json_body import MAX_DEPTH, JsonBodyError, parse_json
from auditapp.security import _contains_nul
from tests.security.targets import Target, state_changing_targets
from tests.security.world import World, client_for, fresh_world, outcome, routes, snapshot

CHECKLIST = "DA07"  # domestic-abuse: "Which parts of VOICE are recorded" (a checklist)
YES_NO = "DA01"

# name: (question, raw body); {v} is the case's version.
SHAPES: dict[str, tuple[str, str]] = {
    "checklist-number": (CHECKLIST, '{"value": 5, "base_version": {v}}'),
    "checklist-true": (CHECKLIST, '{"value": true, "base_version": {v}}'),
    "checklist-list-of-numbers": (CHECKLIST, '{"value": [1, 2], "base_version": {v}}'),
    "checklist-list-of-lists": (CHECKLIST, '{"value": [["intelligence"]], "base_version": {v}}'),
    "checklist-object": (CHECKLIST, '{"value": {"a": "b"}, "base_version": {v}}'),
    "value-null-object": (YES_NO, '{"value": {}, "base_version": {v}}'),
    "note-number": (YES_NO, '{"note": 7, "base_version": {v}}'),
    "note-list": (YES_NO, '{"note": ["a"], "base_version": {v}}'),
    "base-version-text": (YES_NO, '{"value": "yes", "base_version": "1"}'),
    "base-version-true": (YES_NO, '{"value": "yes", "base_version": true}'),
    "base-version-float": (YES_NO, '{"value": "yes", "base_version": 1.5}'),
    "base-value-number": (YES_NO, '{"value": "yes", "base_version": {v}, "base_value": 3}'),
    "lone-surrogate-note": (YES_NO, '{"note": "\\ud800", "base_version": {v}}'),
    "lone-surrogate-value": (YES_NO, '{"value": "a\\udfffb", "base_version": {v}}'),
    "lone-surrogate-key": (YES_NO, '{"\\ud800": 1, "value": "yes", "base_version": {v}}'),
    "lone-surrogate-in-list": (CHECKLIST, '{"value": ["\\udc00"], "base_version": {v}}'),
    "number-4-million-digits": (YES_NO, '{"value": ' + "9" * 4_000_000 + ', "base_version": {v}}'),
    "base-version-5000-digits": (YES_NO, '{"value": "yes", "base_version": ' + "1" * 5000 + "}"),
    "base-version-huge": (YES_NO, '{"value": "yes", "base_version": 99999999999999999999}'),
    "float-overflow": (YES_NO, '{"value": 1e999, "base_version": {v}}'),
    "nan": (YES_NO, '{"value": NaN, "base_version": {v}}'),
    "minus-infinity": (YES_NO, '{"value": -Infinity, "base_version": {v}}'),
    "nested-50000-lists": (YES_NO, "[" * 50_000 + "]" * 50_000),
    "nested-50000-objects": (YES_NO, '{"a":' * 50_000 + "1" + "}" * 50_000),
    "nested-in-value": (YES_NO, '{"value": ' + "[" * 5000 + "]" * 5000 + ', "base_version": {v}}'),
    "not-json": (YES_NO, "{'value': 'yes'}"),
    "empty-body": (YES_NO, ""),
    "truncated": (YES_NO, '{"value": "yes", "base_vers'),
    "not-utf8": (YES_NO, '{"note": "\xff\xfe", "base_version": {v}}'),
    "top-level-list": (YES_NO, '["yes"]'),
    "top-level-string": (YES_NO, '"yes"'),
    "top-level-number": (YES_NO, "5"),
}


def _json_targets(app: Flask) -> list[Target]:
    targets = [t for t in state_changing_targets(app) if t.access.json is not None]
    assert {t.endpoint for t in targets} >= {"audit.save_answer", "audit.save_second_audit_answer"}
    return targets


def _path(app: Flask, world: World, target: Target, question: str) -> str:
    rule = next(r for r in routes(app) if r.endpoint == target.endpoint and r.rule == target.rule)
    arguments = {**world.arguments(rule, "own", target.case), "question_id": question}
    return rule.build(arguments, append_unknown=False)[1]


def _body(raw: str, version: int) -> bytes:
    text = raw.replace("{v}", str(version))
    # "not-utf8" carries bytes that are not UTF-8: latin-1 writes them as they are.
    return text.encode("latin-1") if "\xff" in text else text.encode("utf-8")


def _well_formed(raw: str) -> bool:
    """True for JSON the parser accepts (only its shape is wrong for the route)."""
    try:
        parse_json(_body(raw, 1))
    except JsonBodyError:
        return False
    return True


def _case_version(world: World, target: Target) -> int:
    from auditapp.extensions import db
    from auditapp.models import Case

    db.session.expire_all()
    case = db.session.get(Case, world.own.cases[target.case])
    assert case is not None
    return int(case.version)


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "before-sign-in"])
def test_odd_json_answers_400_with_a_message_and_changes_nothing(
    app: Flask, signed_in: bool
) -> None:
    world = fresh_world()
    problems = []
    for target in _json_targets(app):
        client = client_for(app, world, target.actor if signed_in else "anonymous")
        version = _case_version(world, target)
        for name, (question, raw) in SHAPES.items():
            before = snapshot()
            response = client.post(
                _path(app, world, target, question),
                data=_body(raw, version),
                headers={"X-CSRFToken": client.csrf_token, "Content-Type": "application/json"},
            )
            body = response.get_json(silent=True) or {}
            label = f"{target.id} {name}"
            if not signed_in and _well_formed(raw):
                # Sound JSON of the wrong shape: who may save is decided first.
                if outcome(response) != "login":
                    problems.append(f"{label}: {response.status_code}, not sent to sign in")
            elif response.status_code != 400:
                problems.append(f"{label}: {response.status_code}")
            elif not isinstance(body.get("message"), str) or len(body["message"]) < 20:
                problems.append(f"{label}: no message ({response.get_data(as_text=True)[:100]})")
            if snapshot() != before:
                problems.append(f"{label}: the database changed")
    assert not problems, "\n".join(problems)


def test_the_messages_say_what_is_wrong(app: Flask) -> None:
    world = fresh_world()
    target = next(t for t in _json_targets(app) if t.endpoint == "audit.save_answer")
    client = client_for(app, world, target.actor)
    version = _case_version(world, target)
    expected = {
        "checklist-number": "list of texts for a checklist",
        "lone-surrogate-note": "unpaired surrogate",
        "number-4-million-digits": "number in the request is too large",
        "nested-50000-lists": "nested too deeply",
        "nan": "NaN and Infinity",
        "truncated": "not valid JSON",
        "not-utf8": "not UTF-8",
    }
    for name, words in expected.items():
        question, raw = SHAPES[name]
        response = client.post(
            _path(app, world, target, question),
            data=_body(raw, version),
            headers={"X-CSRFToken": client.csrf_token, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, name
        assert words in response.get_json()["message"], name


def test_the_same_save_with_sound_json_still_works(app: Flask) -> None:
    """The checks refuse odd shapes only: a checklist list of texts and a note are saved."""
    world = fresh_world()
    target = next(t for t in _json_targets(app) if t.endpoint == "audit.save_answer")
    client = client_for(app, world, target.actor)
    version = _case_version(world, target)
    response = client.post(
        _path(app, world, target, YES_NO),
        json={"value": "yes", "note": "Seen \U0001f600 on the log", "base_version": version},
        headers={"X-CSRFToken": client.csrf_token},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["answer"] == {
        "question_id": YES_NO,
        "value": "yes",
        "note": "Seen \U0001f600 on the log",
    }
    response = client.post(
        _path(app, world, target, CHECKLIST),
        json={"value": ["intelligence", "curiosity"], "base_version": version + 1},
        headers={"X-CSRFToken": client.csrf_token},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["answer"]["value"] == '["intelligence","curiosity"]'


def test_json_a_form_route_is_sent_is_read_with_the_same_care(app: Flask) -> None:
    """The NUL guard reads every JSON body, on every route: deep nesting there is a 400 too."""
    world = fresh_world()
    client = client_for(app, world, "anonymous")
    response = client.post(
        "/auth/login",
        data="[" * 50_000 + "]" * 50_000,
        headers={"X-CSRFToken": client.csrf_token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["message"]


# --- the parser and the NUL guard, directly -------------------------------------------------


def _nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def test_nesting_up_to_the_limit_is_parsed_and_one_more_level_is_refused() -> None:
    inside = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json(inside) == _nested(MAX_DEPTH - 1, [])
    with pytest.raises(JsonBodyError, match="nested too deeply"):
        parse_json("[" + inside + "]")


def test_the_nul_guard_walks_a_value_of_any_depth_without_recursion() -> None:
    """A value nested 200,000 deep (far past the recursion limit) is walked, NUL found."""
    assert _contains_nul(_nested(200_000, "a\x00b"))
    assert not _contains_nul(_nested(200_000, "ab"))
    assert _contains_nul({"k": [{"deep": _nested(50_000, {"\x00": 1})}]})


@pytest.mark.parametrize(
    "raw",
    ["1" * 41, "-" + "9" * 40, "9223372036854775808", "1e400", "-1e400", "1." + "0" * 40],
)
def test_numbers_past_the_bounds_are_refused_before_python_converts_them(raw: str) -> None:
    with pytest.raises(JsonBodyError, match="too large or too long"):
        parse_json(f'{{"n": {raw}}}')


def test_numbers_within_the_bounds_are_kept() -> None:
    assert parse_json('{"a": 9223372036854775807, "b": -3, "c": 2.5, "d": 1e10}') == {
        "a": 2**63 - 1,
        "b": -3,
        "c": 2.5,
        "d": 1e10,
    }


# --- 405 carries Allow (RFC 9110, section 15.5.6) ---------------------------------------------


def _unserved_method(methods: set[str]) -> str:
    return next(m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in methods)


def test_every_api_operation_answers_405_with_allow(client: Any, app: Flask) -> None:
    """The six operations of the OpenAPI document, sent a method they do not serve."""
    document = client.get("/api/openapi.json").get_json()
    paths = document["paths"]
    assert len(paths) == 6
    for template, operations in paths.items():
        path = template.replace("{inspection_id}", "1")
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open(path, method=method)
            assert response.status_code == 405, (path, method)
            allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
            assert {m.upper() for m in operations} <= allowed, (path, method, allowed)
            assert method not in allowed
            assert response.get_json()["message"]


def test_every_route_answers_405_with_allow(app: Flask, client: Any) -> None:
    """Every rule of the URL map: the Allow header lists exactly the methods it serves."""
    world = fresh_world()
    for rule in routes(app):
        if rule.endpoint == "static":
            continue
        served = set(rule.methods or ())
        path = rule.build(
            world.arguments(rule, "own", "draft") if rule.arguments else {}, append_unknown=False
        )[1]
        response = client.open(path, method=_unserved_method(served))
        assert response.status_code == 405, (rule.rule, response.status_code)
        # Other rules may share the path (a GET route beside a POST one): Allow lists them all.
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert served <= allowed, (rule.rule, allowed)
