"""Hostile input: random and malformed values posted to every form, upload and JSON route.

For every state-changing route in the URL map (as a user allowed to use it), hypothesis
posts field values from the route's own form page, extra fields, long, empty, multi-valued,
control-character and injection strings, and random files to every upload field. Each answer
must be: never a 5xx; a refusal says what is wrong (error summary, error page or JSON
message); and a refused request leaves the database exactly as it was. Oversized uploads are
refused with 413 before anything is read.

JSON routes also get wrong JSON types (numbers, booleans, lists and objects where text
belongs), lone surrogates (in values and keys), huge numbers (up to 4 million digits, past
Python's int-from-string limit), NaN and 1e999, and nesting up to 50,000 deep, on a yes/no
question and a checklist; each JSON route is attacked signed in and again before sign-in
(where nothing may ever change). test_odd_json.py sends the issue's exact shapes.
"""

from __future__ import annotations

import io
import os
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditapp import create_app
from config import TestConfig
from tests.security.access_table import FORM_PAGES
from tests.security.targets import Target, state_changing_targets
from tests.security.world import (
    World,
    client_for,
    form_fields,
    fresh_world,
    outcome,
    routes,
    snapshot,
)

# Server errors this test found in other areas' forms, reported to their owners. The test still
# runs (XPASS once fixed: then delete the line).
KNOWN_BUGS: dict[str, str] = {}

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))
_STATE_CHANGING = state_changing_targets(create_app(TestConfig))
# JSON routes are attacked twice: as a user allowed to save, and before sign-in (the body is
# read, for the NUL guard, before anything checks who is asking).
BEFORE_SIGN_IN = [
    replace(t, actor="anonymous")
    for t in _STATE_CHANGING
    if t.access.json is not None and t.actor != "anonymous"
]
TARGETS = [*_STATE_CHANGING, *BEFORE_SIGN_IN]


def _target_id(target: Target) -> str:
    return f"{target.id}-before-sign-in" if target in BEFORE_SIGN_IN else target.id


NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "2022-02-30",
    "31/12/1899",
    "<script>alert(1)</script>",
    "' OR '1'='1' --",
    '"; DROP TABLE "case"; --',
    "../../../../etc/passwd",
    '=HYPERLINK("http://evil.example")',
    "{{7*7}}",
    "%00",
    "\u202etxt.exe",
    "yes",
    "no",
    "lead",
    "admin",
    "true",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8).map(
        lambda s: s * 700
    ),  # long: thousands of characters
)
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))
# --- JSON: wrong types, lone surrogates, huge numbers, deep nesting -----------------------------
LONE_SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
TEXT_WITH_SURROGATE = st.tuples(st.text(max_size=5), LONE_SURROGATE, st.text(max_size=5)).map(
    "".join
)
WRONG_TYPE = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.one_of(st.integers(), st.booleans(), st.none()), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.lists(TEXT, max_size=2), min_size=1, max_size=2),
)
JSON_VALUE = st.one_of(TEXT, TEXT_WITH_SURROGATE, WRONG_TYPE, st.none(), st.lists(TEXT, max_size=2))
JSON_OBJECT = st.fixed_dictionaries(
    {},
    optional={
        "value": JSON_VALUE,
        "note": JSON_VALUE,
        "base_version": st.one_of(st.integers(), WRONG_TYPE, TEXT, st.none()),
        "base_value": JSON_VALUE,
        "base_note": JSON_VALUE,
        "\ud800": st.integers(),  # a key no database could store
    },
)


def _digits(count: int) -> str:
    return "9" * count


# Bodies json.dumps cannot write (it refuses ints past 4,300 digits), written by hand.
RAW_JSON = st.one_of(
    st.sampled_from([21, 400, 4301, 100_000, 4_000_000]).map(
        lambda n: f'{{"value": {_digits(n)}, "base_version": 1}}'
    ),
    st.sampled_from([21, 4301, 100_000]).map(
        lambda n: f'{{"value": "yes", "base_version": {_digits(n)}}}'
    ),
    st.sampled_from(["1e999", "-1e999", "NaN", "Infinity", "1" + "0" * 400 + ".5"]).map(
        lambda n: f'{{"value": {n}, "note": {n}, "base_version": 1}}'
    ),
    st.sampled_from([33, 1_000, 50_000]).map(lambda n: "[" * n + "]" * n),
    st.sampled_from([33, 1_000, 50_000]).map(lambda n: '{"value":' * n + '"x"' + "}" * n),
    st.sampled_from([1_000, 50_000]).map(
        lambda n: '{"value": "yes", "note": ' + "[" * n + "]" * n + ', "base_version": 1}'
    ),
    st.sampled_from(
        ['{"note": "\\ud800"', '{"note": "\ud800", "base_version": 1}', "", "{", "nul"]
    ),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)
JSON_BODY = st.one_of(
    JSON_OBJECT.map(lambda body: ("json", body)),
    st.one_of(st.lists(st.integers(), max_size=3), st.text(max_size=20), WRONG_TYPE).map(
        lambda body: ("json", body)
    ),
    RAW_JSON.map(lambda body: ("raw", body)),
)
# The answer-save routes are attacked on a yes/no question and a checklist (DA07).
JSON_QUESTIONS = ("world", "DA07")

FILE_CONTENT = st.one_of(
    st.binary(max_size=3000),
    st.sampled_from(
        [
            b"",
            b"\xff\xfe\x00\x00",
            b"reference,case_type\nR1,domestic-abuse\n" * 3,
            b"reference\n=cmd|' /C calc'!A0\n",
            b"case_type: domestic-abuse\nversion: 1\nsections: [",
            b"!!python/object/apply:os.system ['echo pwned']",
            b"PK\x03\x04" + b"\x00" * 200,  # the start of a zip (an xlsx) and nothing else
            b"a: &a [*a, *a, *a, *a]",
        ]
    ),
)
FILENAME = st.one_of(
    st.sampled_from(["cases.csv", "cases.xlsx", "set.yaml", "../../x.yaml", "", "a" * 300]),
    st.text(max_size=30),
)


def _path(app: Flask, world: World, endpoint: str, rule_text: str, case: str) -> str:
    rule = next(r for r in routes(app) if r.endpoint == endpoint and r.rule == rule_text)
    return rule.build(world.arguments(rule, "own", case), append_unknown=False)[1]


def _fields(app: Flask, world: World, target: Target, path: str) -> tuple[set[str], set[str]]:
    """Field and file-field names from the route's own page (or its declared form page)."""
    client = client_for(app, world, target.actor)
    page_path = path
    if target.endpoint in FORM_PAGES:
        page_endpoint = FORM_PAGES[target.endpoint]
        rule = next(r for r in routes(app) if r.endpoint == page_endpoint)
        page_path = rule.build(world.arguments(rule, "own", target.case), append_unknown=False)[1]
    response = client.get(page_path, query_string=target.access.query)
    if response.status_code != 200 or response.mimetype != "text/html":
        return set(), set()
    return form_fields(response.get_data(as_text=True))


def _says_what_is_wrong(response: Any) -> bool:
    if response.is_json:
        body = response.get_json(silent=True)
        return isinstance(body, dict) and bool(body.get("message") or body.get("errors"))
    page = response.get_data(as_text=True)
    return "There is a problem" in page or 'class="govuk-heading-l"' in page


def _refused(response: Any) -> bool:
    """The request was turned down (as opposed to accepted, or a page shown)."""
    if response.status_code in (400, 409, 413, 415, 422, 429):
        return True
    if response.status_code == 200 and response.is_json:
        return bool((response.get_json(silent=True) or {}).get("error"))
    return response.status_code == 200 and "There is a problem" in response.get_data(as_text=True)


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS, ids=_target_id)
def test_hostile_input_never_breaks_a_route_or_half_changes_data(
    app: Flask, target: Target
) -> None:
    world = fresh_world()
    path = _path(app, world, target.endpoint, target.rule, target.case)
    fields, files = _fields(app, world, target, path)
    names = sorted(fields) or ["value", "name", "email", "reason"]
    form = st.fixed_dictionaries(
        {},
        optional={
            **{name: VALUE for name in names},
            **{name: st.tuples(FILE_CONTENT, FILENAME) for name in sorted(files)},
            "unexpected_field": TEXT,
        },
    )
    json_body = st.tuples(JSON_BODY, st.sampled_from(JSON_QUESTIONS))
    problems: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=form if target.access.json is None else json_body)
    def attack(data: Any) -> None:
        client = client_for(app, world, target.actor)
        url = path
        kwargs: dict[str, Any] = {"query_string": target.access.query}
        if target.access.json is None:
            payload: dict[str, Any] = {"csrf_token": client.csrf_token}
            for name, value in data.items():
                if name in files:
                    content, filename = value
                    payload[name] = (io.BytesIO(content), filename)
                else:
                    payload[name] = value
            kwargs["data"] = payload
            kwargs["content_type"] = "multipart/form-data" if files else None
        else:
            (kind, body), question = data
            if kind == "json":
                kwargs["json"] = body
            else:
                kwargs["data"] = body.encode("utf-8", "surrogatepass")
                kwargs["content_type"] = "application/json"
            kwargs["headers"] = {"X-CSRFToken": client.csrf_token}
            if question != "world":
                url = path.rsplit("/", 1)[0] + "/" + question
        before = snapshot()
        try:
            response = client.open(url, method=target.method, **kwargs)
        except Exception as error:
            problems.append(
                f"{target.id}: unhandled {type(error).__name__}: {error} for {data!r}"[:400]
            )
            world.restore()
            return
        if response.status_code >= 500:
            problems.append(f"{target.id}: {response.status_code} for {data!r}"[:400])
        elif target.actor == "anonymous" and snapshot() != before:
            problems.append(f"{target.id}: changed the database before sign-in for {data!r}"[:400])
        elif _refused(response):
            if not _says_what_is_wrong(response):
                problems.append(f"{target.id}: refused without a message for {data!r}"[:400])
            if snapshot() != before:
                problems.append(f"{target.id}: refused but the database changed for {data!r}"[:400])
        if outcome(response) == "ok":
            world.restore()  # an accepted change: start the next example from the same world

    attack()
    if problems and target.endpoint in KNOWN_BUGS:
        pytest.xfail(f"known bug: {KNOWN_BUGS[target.endpoint]}\n" + problems[0])
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_every_upload_refuses_a_file_over_the_size_limit(app: Flask) -> None:
    """Upload routes are found by their file fields; an oversized body gets 413 and a message."""
    found = []
    for target in _STATE_CHANGING:
        world = fresh_world()
        path = _path(app, world, target.endpoint, target.rule, target.case)
        _, files = _fields(app, world, target, path)
        if not files:
            continue
        found.append(target.endpoint)
        client = client_for(app, world, target.actor)
        before = snapshot()
        payload: dict[str, Any] = {"csrf_token": client.csrf_token}
        for name in files:
            payload[name] = (io.BytesIO(b"R" * app.config["MAX_CONTENT_LENGTH"]), "big.csv")
        response = client.post(path, data=payload, content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 413, target.id
        assert "The file is too large" in page or "must be smaller than" in page, target.id
        assert snapshot() == before, target.id
    assert {"admin.upload_question_set", "inspections.import_cases"} <= set(found), found


def test_the_upload_limit_is_a_few_megabytes(app: Flask) -> None:
    assert 1024 * 1024 <= app.config["MAX_CONTENT_LENGTH"] <= 10 * 1024 * 1024


def test_a_nul_character_is_refused_with_a_message(login_as: Any, auditor: Any) -> None:
    c = login_as(auditor)
    response = c.post_form(
        "/auth/password",
        {"current_password": "x\x00", "new_password": "y", "confirm_password": "y"},
    )
    assert response.status_code == 400
    assert "a character that is not allowed" in response.get_data(as_text=True)
