"""The whole journey in Chromium: an auditor audits and submits a case, a lead moderates it,
sees the dashboard change and downloads the workbook and the PDF; at desktop and tablet width.
Also: the server restarts while the auditor keeps answering, and the case form by keyboard only.

The journey audits and moderates a case of an inspection of its own, whose figures only it
changes; the demo review keeps the figures other journeys read.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.conftest import DESKTOP, TABLET, LiveServer, sign_in
from tests.e2e.journeys import AUDITOR, LEAD, endpoint_of, goto_ok, path_for
from tests.e2e.support import expect, notice, save_screenshot

pytestmark = pytest.mark.e2e

VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(TABLET, id="tablet")]
SAVED = re.compile(r"^\s*Saved", re.IGNORECASE)
SUBMITTED = "Case submitted. It is read-only until a lead returns it."
NOTE = "Child seen at school the next day; see the officer's log entry 14."
GRADE_COUNT = re.compile(r"(\d+) of (\d+) (outstanding|good|requires improvement|inadequate)")

# A domestic abuse case where everything was done well: children present (DA01 yes shows the
# child-focused questions), DASH risk high (DA11 high shows the MARAC question DA12).
GOOD_ANSWERS: list[tuple[str, str | list[str]]] = [
    ("DA01", "Yes"),
    ("DA02", "Yes"),
    ("DA03", "Emergency attendance"),
    ("DA04", "Yes"),
    ("DA05", "Yes"),
    ("DA06", "Yes"),
    ("DA07", ["Vulnerability", "Observation", "Intelligence", "Curiosity and communication"]),
    ("DA08", "Yes"),
    ("DA09", "Yes"),
    ("DA10", "Yes"),
    ("DA11", "High"),
    ("DA12", "Yes"),
    ("DA13", "Yes"),
    ("DA14", "Yes"),
    ("DA15", "Yes"),
    ("DA16", "Yes"),
    ("DA17", "Yes"),
]


def question(page: Any, qid: str) -> Any:
    return page.locator(f"#question-{qid}")


def answer(page: Any, qid: str, choice: str | list[str]) -> None:
    """Pick an option (radios) or tick options (checklist) of one question."""
    for label in [choice] if isinstance(choice, str) else choice:
        question(page, qid).get_by_label(label, exact=True).check()


def save_state(page: Any, qid: str) -> Any:
    return page.locator(f"#save-state-{qid}")


def open_note(page: Any, qid: str) -> Any:
    """Open the question's "Add a note" and return its note box."""
    question(page, qid).locator("summary", has_text="Add a note").click()
    return page.get_by_label(f"Note on {qid} (optional)")


def grade_counts(page: Any) -> dict[str, int]:
    """The dashboard's grade figures: {"good": 6, "requires improvement": 5, ...}."""
    text = page.locator("main").inner_text()
    return {grade: int(count) for count, _total, grade in GRADE_COUNT.findall(text)}


def snapshot(page: Any, name: str) -> None:
    """Screenshot the page and note it in `page.too_wide` if it scrolls sideways.

    The journey goes on (to show every page that is too wide); the test fails at its end.
    """
    save_screenshot(page, name)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    viewport_width = page.viewport_size["width"]
    if page_width > viewport_width:
        wide = page.evaluate(WIDEST_ELEMENTS, viewport_width)
        page.problems.too_wide.append(
            f"{name}: {page_width}px wide in a {viewport_width}px viewport ({wide})"
        )


# The outermost elements that stick out past the viewport's right edge, as CSS-ish selectors.
WIDEST_ELEMENTS = """(width) => {
  const out = [...document.querySelectorAll('main *')].filter(
    e => e.getBoundingClientRect().right > width + 1 &&
         !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 1));
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className.trim()
      ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  return out.slice(0, 3).map(name).join(', ');
}"""


def open_from_overview(page: Any, overview: str, link: str) -> None:
    """Go to the inspection's overview page and follow one of its links, as a user does."""
    goto_ok(page, overview)
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def audit_and_submit(page: Any, app: Any, reference: str, suffix: str) -> None:
    """The auditor's part: find the case, answer it, add a note, submit with the grade shown."""
    endpoint_of(app, "my_cases")
    endpoint_of(app, "submit_case")
    sign_in(page, AUDITOR)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My cases"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Domestic abuse")
    row.get_by_role("link", name=reference).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")
    # Conditional questions: hidden until their condition is met.
    expect(question(page, "DA05")).to_be_hidden()
    expect(question(page, "DA12")).to_be_hidden()
    answer(page, "DA01", "Yes")
    expect(question(page, "DA05")).to_be_visible()
    expect(save_state(page, "DA01")).to_have_text(SAVED)

    for qid, choice in GOOD_ANSWERS[1:]:
        if qid == "DA12":
            expect(question(page, "DA12")).to_be_visible()
        answer(page, qid, choice)
    open_note(page, "DA06").fill(NOTE)
    page.get_by_label("Note on DA06 (optional)").blur()
    expect(save_state(page, "DA06")).to_have_text(SAVED)
    expect(save_state(page, "DA17")).to_have_text(SAVED)
    expect(page.locator("[data-grade-tag]")).to_have_text("Good")
    snapshot(page, f"case-form-answered{suffix}")

    page.get_by_role("button", name="Save and check before submitting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Check and submit case {reference}")
    expect(page.locator("main")).to_contain_text("Good")
    expect(page.get_by_label("Good (the grade worked out)")).to_be_checked()
    snapshot(page, f"submit-case{suffix}")
    page.get_by_role("button", name="Submit case").click()

    expect(page.get_by_text(SUBMITTED)).to_be_visible()
    expect(page.locator("#next-case")).to_contain_text("What next")
    expect(page.locator("[data-grade-tag]")).to_have_text("Good")
    expect(page.locator("main")).to_contain_text(NOTE)
    snapshot(page, f"case-submitted{suffix}")


def moderate_and_export(
    page: Any, app: Any, overview: str, reference: str, suffix: str, downloads: Path
) -> None:
    """The lead's part: change the grade with a reason, see the dashboard change, download."""
    for name in ("moderation_queue", "moderate_case", "dashboard", "exports", "workbook", "pdf"):
        endpoint_of(app, name)
    sign_in(page, LEAD)

    open_from_overview(page, overview, "Findings dashboard")
    before = grade_counts(page)
    assert before, "the dashboard shows no grade figures"

    open_from_overview(page, overview, "Moderation")
    snapshot(page, f"moderation-queue{suffix}")
    row = page.get_by_role("row").filter(has_text=reference)
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")
    expect(page.locator("main")).to_contain_text(NOTE)
    page.get_by_role("group", name="Moderated grade").get_by_label(
        "Requires improvement", exact=True
    ).check()
    page.get_by_label("Reason for changing the grade").fill(
        "The children were seen only the next day: the response was not prompt enough."
    )
    snapshot(page, f"moderate-case{suffix}")
    page.get_by_role("button", name="Change the grade").click()
    expect(notice(page)).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Requires improvement")

    open_from_overview(page, overview, "Findings dashboard")
    after = grade_counts(page)
    headline = page.locator("#headline").inner_text().replace("(provisional)", "").strip()
    snapshot(page, f"dashboard-after-moderation{suffix}")
    assert after.get("good", 0) == before.get("good", 0) - 1, (before, after)
    assert after.get("requires improvement", 0) == before.get("requires improvement", 0) + 1, (
        before,
        after,
    )

    open_from_overview(page, overview, "Exports")
    with page.expect_download() as workbook_download:
        page.get_by_role("link", name=re.compile(r"^Workbook \(XLSX\)")).click()
    workbook = downloads / f"workbook{suffix}.xlsx"
    workbook_download.value.save_as(workbook)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Report (PDF)").click()
    pdf = downloads / f"report{suffix}.pdf"
    pdf_download.value.save_as(pdf)

    import openpyxl
    import pypdf

    assert zipfile.is_zipfile(workbook)
    book = openpyxl.load_workbook(io.BytesIO(workbook.read_bytes()), read_only=True)
    case_rows = [
        [str(cell) for cell in row if cell is not None]
        for sheet in book
        for row in sheet.values
        if reference in row
    ]
    assert case_rows, f"{reference} is in no sheet of the workbook"
    assert any("Requires improvement" in " ".join(row) for row in case_rows), case_rows
    assert pdf.read_bytes().startswith(b"%PDF-")
    pdf_text = " ".join(
        " ".join(page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages).split()
    )
    assert headline in pdf_text, f"the PDF does not show the dashboard's headline {headline!r}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_auditor_submits_and_lead_moderates_and_downloads(
    open_page: Any,
    live_app: Any,
    in_live_app: Any,
    viewport: dict[str, int],
    tmp_path: Path,
) -> None:
    suffix = "" if viewport == DESKTOP else "-tablet"
    endpoint_of(live_app, "case_form")
    journeys.require_script("audit-form")
    inspection_id = journeys.new_inspection(in_live_app)
    _, reference = journeys.new_draft_case(in_live_app, inspection_id=inspection_id)

    auditor_page = open_page(viewport=viewport)
    audit_and_submit(auditor_page, live_app, reference, suffix)
    assert auditor_page.problems.page_errors == []
    assert auditor_page.problems.csp_violations() == []
    assert not auditor_page.problems.too_wide, "\n".join(auditor_page.problems.too_wide)

    lead_page = open_page(viewport=viewport)
    overview = journeys.inspection_path(live_app, inspection_id)
    moderate_and_export(lead_page, live_app, overview, reference, suffix, tmp_path)
    assert lead_page.problems.page_errors == []
    assert not lead_page.problems.too_wide, "\n".join(lead_page.problems.too_wide)


def test_answers_given_while_the_server_restarts_are_kept_and_saved(
    open_page: Any, live_app: Any, in_live_app: Any, live_server: LiveServer
) -> None:
    endpoint_of(live_app, "case_form")
    journeys.require_script("audit-form")
    case_id, reference = journeys.new_draft_case(in_live_app)
    page = open_page(user=AUDITOR)
    goto_ok(page, path_for(live_app, "audit.show_case", case_id=case_id))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")
    answer(page, "DA01", "Yes")
    expect(save_state(page, "DA01")).to_have_text(SAVED)

    live_server.stop()
    try:
        answer(page, "DA02", "Partly")
        open_note(page, "DA02").fill("THRIVE done, children not mentioned.")
        page.get_by_label("Note on DA02 (optional)").blur()
        answer(page, "DA03", "Diary appointment")
        banner = page.locator("[data-unsaved-banner]")
        expect(banner).to_be_visible(timeout=15_000)
        expect(banner).to_contain_text("DA02")
        expect(save_state(page, "DA02")).not_to_have_text(SAVED)
        save_screenshot(page, "case-form-not-saved")
    finally:
        live_server.start()

    expect(save_state(page, "DA02")).to_have_text(SAVED, timeout=30_000)
    expect(save_state(page, "DA03")).to_have_text(SAVED, timeout=30_000)
    expect(page.locator("[data-unsaved-banner]")).to_be_hidden(timeout=30_000)

    page.reload()
    expect(question(page, "DA02").get_by_label("Partly", exact=True)).to_be_checked()
    expect(question(page, "DA03").get_by_label("Diary appointment", exact=True)).to_be_checked()
    expect(page.get_by_label("Note on DA02 (optional)")).to_have_value(
        "THRIVE done, children not mentioned."
    )
    assert page.problems.page_errors == []


def tab_to(page: Any, target: Any, limit: int = 300) -> None:
    """Press Tab until the target has focus (keyboard only: no clicks, no focus())."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_auditor_completes_the_case_form_by_keyboard_only(
    open_page: Any, live_app: Any, in_live_app: Any
) -> None:
    endpoint_of(live_app, "case_form")
    endpoint_of(live_app, "submit_case")
    case_id, reference = journeys.new_draft_case(in_live_app)
    page = open_page(user=AUDITOR)
    goto_ok(page, path_for(live_app, "audit.show_case", case_id=case_id))

    # Radios: Tab reaches a group's first option; Space picks it; arrows move to the others.
    # No children present (DA01 no) and standard risk (DA11) keep the conditional ones hidden.
    choices = [
        ("DA01", 1),
        ("DA02", 0),
        ("DA03", 0),
        ("DA04", 0),
        ("DA10", 0),
        ("DA11", 0),
        ("DA13", 0),
        ("DA14", 0),
        ("DA15", 0),
        ("DA16", 0),
        ("DA17", 0),
    ]
    for qid, index in choices:
        radios = question(page, qid).get_by_role("radio")
        tab_to(page, radios.first)
        page.keyboard.press("Space")
        for _ in range(index):
            page.keyboard.press("ArrowDown")
        expect(radios.nth(index)).to_be_checked()
    expect(question(page, "DA05")).to_be_hidden()

    # The note is behind "Add a note": Tab to it, Enter opens it, Tab on into the box.
    tab_to(page, question(page, "DA17").locator("summary", has_text="Add a note"))
    page.keyboard.press("Enter")
    note = page.get_by_label("Note on DA17 (optional)")
    tab_to(page, note)
    page.keyboard.type("Records complete and made the same day.")

    tab_to(page, page.get_by_role("button", name="Save and check before submitting"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Check and submit case {reference}")
    tab_to(page, page.get_by_role("button", name="Submit case"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(SUBMITTED)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Records complete and made the same day.")
