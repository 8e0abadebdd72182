"""The evidence log and action-plan pages in Chromium, on a 768 px tablet: none scrolls
sideways (wide tables scroll in their own region) and none has a serious or critical WCAG 2.2
AA violation (axe-core), with the demo's entries and actions from the reference review."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.conftest import TABLET
from tests.e2e.journeys import AUDITOR, LEAD, goto_ok, path_for
from tests.e2e.support import assert_accessible, expect, save_screenshot

pytestmark = pytest.mark.e2e


def _review(endpoint: str) -> Callable[[Any, Any], None]:
    def _goto(page: Any, app: Any) -> None:
        goto_ok(page, path_for(app, endpoint, inspection_id=journeys.review_id(app)))

    return _goto


def _add_evidence_with_errors(page: Any, app: Any) -> None:
    _review("evidence.add_entry")(page, app)
    page.get_by_label("Source").fill("Interview with victim Jane Smith")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("seems to hold a name")


def _add_update(page: Any, app: Any) -> None:
    _review("evidence.list_actions")(page, app)
    page.get_by_role("link", name=re.compile("^Add update")).first.click()
    expect(page.locator("h1")).to_have_text("Add an update")


def _widest(page: Any) -> str:
    return str(
        page.evaluate(
            """(width) => [...document.querySelectorAll('main *')]
              .filter(e => e.getBoundingClientRect().right > width + 1)
              .slice(0, 4).map(e => e.tagName.toLowerCase() + '.' + e.className + '#' + e.id)
              .join(', ')""",
            TABLET["width"],
        )
    )


PAGES: list[tuple[str, str, Callable[[Any, Any], None]]] = [
    ("evidence-log", AUDITOR, _review("evidence.list_entries")),
    ("add-evidence-errors", AUDITOR, _add_evidence_with_errors),
    ("action-plan", LEAD, _review("evidence.list_actions")),
    ("add-action", LEAD, _review("evidence.add_action")),
    ("add-action-update", LEAD, _add_update),
    ("recommendation-progress-with-evidence", LEAD, _review("findings.show_recommendations")),
]


@pytest.mark.parametrize(("name", "user", "goto"), [pytest.param(*row, id=row[0]) for row in PAGES])
def test_evidence_page_fits_a_tablet_and_is_accessible(
    open_page: Any, live_app: Any, name: str, user: str, goto: Callable[[Any, Any], None]
) -> None:
    page = open_page(user=user, viewport=TABLET, bypass_csp=True)
    goto(page, live_app)
    expect(page.locator("h1")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"{name} is {width}px wide: {_widest(page)}"
    save_screenshot(page, f"{name}-tablet")
    assert_accessible(page, name)


def test_the_demo_action_plan_tags_overdue_actions(open_page: Any, live_app: Any) -> None:
    page = open_page(user=LEAD)
    _review("evidence.list_actions")(page, live_app)
    # R6 was due "immediately" on publication and is still in progress: overdue.
    expect(page.locator("#rec-R6 .govuk-tag--red").first).to_have_text("Overdue")
    expect(page.locator("#rec-R1")).to_contain_text("Verified by the inspectorate")
