"""Issue 19 on a 768 x 1024 tablet, in Chromium: no page scrolls sideways, each page passes
axe-core, and the case form stays out of the way (notes behind "Add a note", hidden sections
without their headings, dates typed in day, month, year, hour and minute)."""

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

SAVED = re.compile(r"^\s*Saved", re.IGNORECASE)


def _goto_path(path: Callable[[Any], str]) -> Callable[[Any, Any, Callable[..., Any]], None]:
    def _goto(page: Any, app: Any, run: Callable[..., Any]) -> None:
        goto_ok(page, path(app))

    return _goto


def _review(endpoint: str) -> Callable[[Any], str]:
    return lambda app: path_for(app, endpoint, inspection_id=journeys.review_id(app))


def _goto_submitted_check_page(page: Any, app: Any, run: Callable[..., Any]) -> None:
    """Check and submit with every answer given, so the summary list is full."""
    case_id, _ = journeys.new_draft_case(run)

    def _answer() -> None:
        from auditapp.extensions import db
        from auditapp.models import Case
        from auditapp.services.accounts import find_user_by_email
        from auditapp.services.audit import saving
        from auditapp.services.audit.round import FirstAudit

        case, auditor = db.session.get(Case, case_id), find_user_by_email(AUDITOR)
        assert case is not None and auditor is not None
        for qid, value in journeys.PLAIN_ANSWERS.items():
            saving.save_answer(FirstAudit(case, auditor), qid, value=value, base_version=None)

    run(_answer)
    goto_ok(page, path_for(app, "audit.submit_case", case_id=case_id))


def _goto_date_form(page: Any, app: Any, run: Callable[..., Any]) -> None:
    case_id, _ = journeys.new_draft_case(run, case_type="missing-child")
    goto_ok(page, path_for(app, "audit.show_case", case_id=case_id))


# (name, user, how to reach the page): the four pages wider than a tablet in the issue, and the
# pages an auditor and a lead use on site.
TABLET_PAGES: list[tuple[str, str, Callable[..., None]]] = [
    ("inspection-overview", LEAD, _goto_path(journeys.review_path)),
    ("national-view", LEAD, _goto_path(lambda app: "/findings/national")),
    ("national-questions", LEAD, _goto_path(lambda app: "/findings/national/questions")),
    ("agreement", LEAD, _goto_path(_review("moderation.show_agreement"))),
    ("question-findings", LEAD, _goto_path(_review("findings.show_questions"))),
    ("case-form", AUDITOR, journeys.goto_case_form),
    ("case-form-dates", AUDITOR, _goto_date_form),
    ("check-and-submit", AUDITOR, _goto_submitted_check_page),
    ("moderation-page", LEAD, journeys.goto_moderate_case),
    # issue 17: the lead's set-up pages (the demo review's overview with its task list is above)
    ("scope", LEAD, _goto_path(_review("inspections.choose_question_sets"))),
    ("members", LEAD, _goto_path(_review("inspections.list_members"))),
    ("import-case-list", LEAD, _goto_path(_review("inspections.import_cases"))),
    ("sampling", LEAD, _goto_path(_review("inspections.show_sampling"))),
    ("cases-and-sample", LEAD, _goto_path(_review("inspections.list_cases"))),
    ("assign-cases", LEAD, _goto_path(_review("inspections.assign_cases"))),
    ("moderation-queue", LEAD, _goto_path(_review("moderation.show_queue"))),
    ("my-cases", AUDITOR, journeys.goto_my_cases),
]


def _widest(page: Any) -> str:
    return str(
        page.evaluate(
            """(width) => [...document.querySelectorAll('main *')]
              .filter(e => e.getBoundingClientRect().right > width + 1)
              .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className).join(', ')""",
            TABLET["width"],
        )
    )


@pytest.mark.parametrize(
    ("name", "user", "goto"), [pytest.param(*row, id=row[0]) for row in TABLET_PAGES]
)
def test_page_fits_a_tablet_without_scrolling_sideways_and_is_accessible(
    open_page: Any, live_app: Any, in_live_app: Any, name: str, user: str, goto: Callable[..., None]
) -> None:
    page = open_page(user=user, viewport=TABLET, bypass_csp=True)
    goto(page, live_app, in_live_app)
    expect(page.locator("h1")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"{name} is {width}px wide: {_widest(page)}"
    save_screenshot(page, f"{name}-tablet")
    assert_accessible(page, f"{name}-tablet")


def test_a_wide_table_scrolls_inside_its_region_by_keyboard(open_page: Any, live_app: Any) -> None:
    page = open_page(user=LEAD, viewport=TABLET)
    goto_ok(page, journeys.review_path(live_app))
    region = page.get_by_role("region", name="Case types and progress")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth"), "the table fits: nothing to test"
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    expect(region).to_be_focused()
    # Chromium animates keyboard scrolling: wait for the animation to move the table.
    page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle(), timeout=5000)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]


def test_the_case_form_stays_out_of_the_way_on_a_tablet(
    open_page: Any, live_app: Any, in_live_app: Any
) -> None:
    page = open_page(user=AUDITOR, viewport=TABLET)
    journeys.goto_case_form(page, live_app, in_live_app)
    children = page.locator("[data-section=children]")
    contents_link = page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="The children"
    )

    # Hidden sections hide their headings, and come back when an answer shows them.
    expect(children).to_be_hidden()
    expect(contents_link).to_be_hidden()
    page.locator("#question-DA01").get_by_label("Yes", exact=True).check()
    expect(page.locator("#section-children")).to_be_visible()
    expect(contents_link).to_be_visible()
    page.locator("#question-DA01").get_by_label("No", exact=True).check()
    expect(page.locator("#section-children")).to_be_hidden()
    expect(page.locator("#save-state-DA01")).to_have_text(SAVED)
    expect(page.locator("[data-progress]")).to_have_text("Answered 1 of 11 required questions")

    # Notes are folded away until asked for, and open by themselves once one exists.
    note = page.get_by_label("Note on DA02 (optional)")
    expect(note).to_be_hidden()
    page.locator("#question-DA02 summary", has_text="Add a note").click()
    note.fill("THRIVE on log entry 3.")
    note.blur()
    expect(page.locator("#save-state-DA02")).to_have_text(SAVED)
    page.reload()
    expect(page.get_by_label("Note on DA02 (optional)")).to_be_visible()
    expect(page.get_by_label("Note on DA03 (optional)")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    assert page.problems.page_errors == []


def test_a_date_and_time_is_typed_in_fields_and_saved_once_whole(
    open_page: Any, live_app: Any, in_live_app: Any
) -> None:
    page = open_page(user=AUDITOR, viewport=TABLET)
    _goto_date_form(page, live_app, in_live_app)
    question = page.locator("#question-MC01")
    state = page.locator("#save-state-MC01")
    question.get_by_label("Day").fill("5")
    question.get_by_label("Month").fill("9")
    question.get_by_label("Month").blur()
    expect(state).to_have_text(re.compile("Not saved yet"))  # part of a date is not sent
    question.get_by_label("Year").fill("2022")
    question.get_by_label("Hour").fill("14")
    question.get_by_label("Minute").fill("30")
    question.get_by_label("Minute").blur()
    expect(state).to_have_text(SAVED)

    # Clicking into the middle of the date and typing keeps the rest (the old widget lost it).
    question.get_by_label("Month").click()
    question.get_by_label("Month").fill("10")
    question.get_by_label("Month").blur()
    expect(state).to_have_text(SAVED)
    page.reload()
    fields = page.locator("#question-MC01")
    values = [fields.get_by_label(part).input_value() for part in ("Day", "Month", "Year")]
    assert values == ["5", "10", "2022"]
    assert [fields.get_by_label(part).input_value() for part in ("Hour", "Minute")] == ["14", "30"]

    # A date that does not exist is refused with the pattern's message, and kept to put right.
    fields.get_by_label("Day").fill("31")
    fields.get_by_label("Month").fill("2")
    fields.get_by_label("Month").blur()
    expect(page.locator("#save-state-MC01")).to_contain_text("Date must be a real date")
    assert page.problems.page_errors == []
