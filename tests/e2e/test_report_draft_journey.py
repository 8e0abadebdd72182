"""A lead downloads the Word draft of the demo review from the exports page, in Chromium, and
it reads like the start of the report: its name, headline and key findings sentence.

Earlier journeys of the session change the demo (a reconciled second audit regrades a case), so
the headline is checked against the live app's own grade counts; the demo's exact figures are
checked by tests/services/test_report_docx.py on an untouched demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e import journeys
from tests.e2e.journeys import LEAD, endpoint_of

pytestmark = pytest.mark.e2e


def test_lead_downloads_the_word_draft(
    open_page: Any, live_app: Any, in_live_app: Any, tmp_path: Path
) -> None:
    import docx

    endpoint_of(live_app, "word_draft")
    page = open_page(user=LEAD)
    journeys.goto_exports(page, live_app, in_live_app)

    with page.expect_download() as download:
        page.get_by_role("link", name="Draft report (Word)").click()
    saved = tmp_path / "draft.docx"
    download.value.save_as(saved)

    assert download.value.suggested_filename == (
        "cambridgeshire-post-inspection-review-2022-09-report-draft.docx"
    )
    document = docx.Document(str(saved))
    text = [p.text for p in document.paragraphs]
    assert document.paragraphs[0].style.name == "Title"

    def grade_counts() -> dict[str, int]:
        from auditapp.services import findings

        review = journeys.review_id(live_app)
        overall = findings.dashboard(review).overall
        return {"cases": overall.cases} | {g.grade: g.share.count for g in overall.grades}

    counts = in_live_app(grade_counts)
    assert any(
        t.startswith(
            f"We audited {counts['cases']} child protection cases ({counts['good']} were "
            f"good, {counts['requires_improvement']} required improvement and "
            f"{counts['inadequate']} were inadequate)."
        )
        for t in text
    )
    assert any(
        t.startswith(
            "In four of the five domestic abuse cases with a diary appointment, children "
            "present at the incident were not seen or spoken to."
        )
        for t in text
    )
    assert not page.problems.page_errors
