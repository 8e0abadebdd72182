"""The as-typed personal-data warning on single-line inputs, in Chromium.

An evidence entry's source is a one-line input the server checks on save: typing a name after
"victim" shows the server's warning beside it before anything is saved, and clears it once
rephrased. Inputs that are not free text (a date's day, an account's email address) are never
checked, however personal what is typed there looks.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.support import expect

pytestmark = pytest.mark.e2e

ADMIN = "admin@demo.test"
WARNING = ".app-personal-data-warning"


def _no_warning_after_typing(page: Any) -> None:
    """The check waits for a pause in typing (800 ms): wait past it, then no warning shows."""
    page.wait_for_timeout(2000)
    expect(page.locator(f"{WARNING}:visible")).to_have_count(0)


def test_typing_a_name_into_an_evidence_source_warns_beside_it(
    open_page: Any, live_app: Any
) -> None:
    journeys.require_script("personal-data-check")
    page = open_page(user=journeys.AUDITOR)
    journeys.goto_ok(
        page,
        journeys.path_for(
            live_app, "evidence.add_entry", inspection_id=journeys.review_id(live_app)
        ),
    )
    # Not free text: a date's day field is never checked, even holding a phone number.
    page.get_by_label("Day").fill("07700 900123")
    _no_warning_after_typing(page)

    source = page.get_by_label("Source")
    source.press_sequentially("Interview with victim Jane Smith", delay=20)

    warning = page.locator("#source-personal-data")
    expect(warning).to_have_text(
        "Warning: This text seems to hold a name ('Jane Smith'). Rephrase it without personal "
        "details."
    )
    described = source.get_attribute("aria-describedby") or ""
    assert "source-personal-data" in described.split()
    source.fill("Interview with a demand hub supervisor")
    expect(warning).to_be_hidden()
    assert not page.problems.page_errors, page.problems.page_errors


def test_an_accounts_email_address_is_never_flagged_as_typed(open_page: Any, live_app: Any) -> None:
    journeys.require_script("personal-data-check")
    page = open_page(user=ADMIN)
    journeys.goto_ok(page, journeys.path_for(live_app, "admin.create_user"))

    page.get_by_label("Email address").fill("jane.smith@example.test")
    _no_warning_after_typing(page)
    assert not page.problems.page_errors, page.problems.page_errors
