"""A lead downloads the Word draft of the demo review from the exports page, in Chromium, and
it reads like the start of the report: its name, headline and key findings sentence, with the
demo's own figures (no journey changes the demo's cases: see tests/e2e/journeys.py)."""

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

    assert any(
        t.startswith(
            "We audited 24 child protection cases (6 were good, 5 required improvement and 13 "
            "were inadequate)."
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
