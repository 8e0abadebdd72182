"""The main pages, found in the app's URL map, and their rendering time (Flask test client).

The pages are being built by other work; each is looked up by its URL shape, so the benchmark
measures it as soon as its route exists and says "no route yet" until then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask, url_for
from flask.testing import FlaskClient

from bench.dataset import BENCH_PASSWORD, Dataset
from bench.report import Row, blocked, median_time

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """A page kind: its URL prefix, the one URL argument, and words that pick it out."""

    label: str
    prefix: str
    argument: str
    prefer: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()


DASHBOARD = Page(
    "findings dashboard",
    "/findings/",
    "inspection_id",
    ("dashboard",),
    ("question", "recommendation", "chapter", "case", "stud", "judgement", "export"),
)
FINDINGS = Page("per-question findings", "/findings/", "inspection_id", ("question",), ("case",))
RECOMMENDATIONS = Page(
    "recommendation progress",
    "/findings/",
    "inspection_id",
    ("recommendation",),
    ("judgement", "judge", "edit", "chart"),
)
CASE_FORM = Page(
    "case form", "/audit/cases/", "case_id", ("edit", "form", "show"), ("timeline", "history")
)
NATIONAL = "/findings/national"
MODERATION_QUEUE = Page(
    "moderation queue", "/moderation/inspections/", "inspection_id", ("queue", "index", "list")
)


def _get_rules(app: Flask) -> set[str]:
    """The URL rules that answer GET."""
    return {rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}


def find_endpoint(app: Flask, page: Page) -> str | None:
    """The GET endpoint of this page kind, or None when no such route exists yet."""
    candidates = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(page.prefix) or "GET" not in (rule.methods or ()):
            continue
        if set(rule.arguments) != {page.argument}:
            continue
        words = f"{rule.endpoint} {rule.rule}".lower()
        if any(word in words for word in page.avoid) and not any(
            word in rule.endpoint.lower() for word in page.prefer
        ):
            continue
        preferred = any(word in words for word in page.prefer)
        candidates.append((not preferred, len(rule.rule), rule.endpoint))
    return min(candidates)[2] if candidates else None


def page_url(app: Flask, page: Page, value: int) -> str | None:
    """The page's URL for one inspection or case, or None when its route does not exist."""
    endpoint = find_endpoint(app, page)
    if endpoint is None:
        return None
    with app.test_request_context():
        return url_for(endpoint, **{page.argument: value})


def signed_in(app: Flask, email: str, password: str = BENCH_PASSWORD) -> FlaskClient:
    """A test client signed in through the real sign-in form."""
    client = app.test_client()
    token = CSRF_RE.search(client.get("/auth/login").get_data(as_text=True))
    assert token, "no CSRF token on the sign-in page"
    response = client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return client


def _render_row(
    client: FlaskClient, name: str, url: str, repeat: int, target_max: float | None
) -> Row:
    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    targets = {"target_max": target_max} if target_max is not None else {}
    try:
        value = median_time(get, repeat)
    except Exception as error:  # one broken page must not stop the run
        return blocked(name, "s", f"{type(error).__name__}: {error}", **targets)
    return Row(name, value, "s", note=f"GET {url}", **targets)


def measure(app: Flask, dataset: Dataset, repeat: int) -> list[Row]:
    """Case form of a 40-question case, dashboard of one inspection, and the national view."""
    one = dataset.inspection_ids[0]
    cases = len(dataset.case_ids_by_inspection[one])
    lead = signed_in(app, dataset.lead_email)
    rows: list[Row] = []
    dashboard = page_url(app, DASHBOARD, one)
    name = f"render: findings dashboard, one inspection ({cases} cases)"
    if dashboard:
        rows.append(_render_row(lead, name, dashboard, repeat, 0.150))
    else:
        rows.append(blocked(name, "s", "no /findings/<inspection_id> route yet", target_max=0.150))

    # The national view: the grades of every inspection side by side, as a lead of all 40.
    name = f"render: national view ({len(dataset.inspection_ids)} inspections)"
    if NATIONAL in _get_rules(app):
        rows.append(_render_row(lead, name, NATIONAL, repeat, 1.0))
    else:
        rows.append(blocked(name, "s", f"no {NATIONAL} route yet", target_max=1.0))
    home = "render: home page (lead of every inspection)"
    rows.append(_render_row(lead, home, "/", repeat, None))
    overview = f"render: inspection overview ({cases} cases)"
    rows.append(_render_row(lead, overview, f"/inspections/{one}", repeat, None))
    # Issue 16: the recommendation progress page of a 600-case inspection within 150 ms.
    for page, target in ((FINDINGS, None), (RECOMMENDATIONS, 0.150), (MODERATION_QUEUE, None)):
        url = page_url(app, page, one)
        name = f"render: {page.label}, one inspection ({cases} cases)"
        if url:
            rows.append(_render_row(lead, name, url, repeat, target))
        else:
            reason = f"no {page.prefix}<{page.argument}> route yet"
            targets = {"target_max": target} if target is not None else {}
            rows.append(blocked(name, "s", reason, **targets))

    case_id = dataset.case_ids_by_inspection[one][0]
    url = page_url(app, CASE_FORM, case_id)
    name = "render: case form (40-question case)"
    if url:
        auditor = signed_in(app, dataset.auditor_of_case[case_id])
        rows.append(_render_row(auditor, name, url, repeat, None))
    else:
        rows.append(blocked(name, "s", "no /audit/cases/<case_id> route yet"))
    return rows
