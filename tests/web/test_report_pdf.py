"""The PDF report: a cover with the headline and a contents list whose page numbers are the
pages each section starts on, and page numbers on every page after the cover."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from pypdf import PdfReader

from auditapp.extensions import db
from auditapp.models import CaseStatus, Inspection, InspectionKind, Recommendation, User
from auditapp.services import findings
from tests import factories

YES = {f"DA{n:02d}": "yes" for n in range(1, 18)} | {"DA03": "attended", "DA11": "high"}
CONTENTS_LINE = re.compile(r"^(.+?)\s*\.{3,}\s*(\d+)$")


@pytest.fixture
def reviewed(inspection: Inspection, auditor: User) -> Inspection:
    baseline = factories.make_inspection("Inspection 2021", kind=InspectionKind.FULL)
    for position, (code, chapter) in enumerate(
        [("R1", "Initial contact"), ("R5", "Assessment and help")], start=1
    ):
        db.session.add(
            Recommendation(
                inspection_id=baseline.id,
                code=code,
                position=position,
                chapter=chapter,
                timescale="within six months",
                text=f"Recommendation {code}: children are seen and heard.",
            )
        )
    inspection.baseline_id = baseline.id
    db.session.commit()
    for number, changes in enumerate([{}, {"DA06": "no"}, {"DA05": "no", "DA09": "no"}]):
        factories.make_case(
            inspection,
            f"DA-{number}",
            auditor=auditor,
            answers=YES | changes,
            status=CaseStatus.SUBMITTED,
        )
    return inspection


def _pages(response_data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(response_data)).pages]


def test_pdf_opens_on_a_cover_with_the_headline_and_a_contents_list(
    login_as: Callable, lead: User, reviewed: Inspection
) -> None:
    response = login_as(lead).get(f"/exports/{reviewed.id}/report.pdf")

    pages = _pages(response.data)
    cover = pages[0]
    board = findings.dashboard(reviewed.id)
    assert reviewed.title in cover and reviewed.force in cover
    assert " ".join(board.headline.split()) in " ".join(cover.split())
    assert "Contents" in cover
    # Not a near-empty page: title, headline and every entry of the contents.
    contents = {
        match.group(1).strip(): int(match.group(2))
        for line in cover.splitlines()
        if (match := CONTENTS_LINE.match(line.strip()))
    }
    assert list(contents) == [
        "Summary of findings",
        "Initial contact",
        "Assessment and help",
        "Answers recorded",
        "Moderation and agreement",
    ]
    # Each entry's number is the page its section starts on (its heading opens that page).
    for title, number in contents.items():
        assert number > 1
        assert pages[number - 1].lstrip().startswith(title), (title, number)


def test_pdf_pages_after_the_cover_are_numbered(
    login_as: Callable, lead: User, reviewed: Inspection
) -> None:
    pages = _pages(login_as(lead).get(f"/exports/{reviewed.id}/report.pdf").data)

    assert "Page 1 of" not in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in text


def test_report_page_links_its_contents_to_each_section(
    login_as: Callable, lead: User, reviewed: Inspection
) -> None:
    page = login_as(lead).get(f"/exports/{reviewed.id}/report").get_data(as_text=True)

    contents = page[page.index('aria-labelledby="report-contents"') :]
    links = re.findall(r'href="#([a-z0-9-]+)"', contents[: contents.index("</nav>")])
    assert links == ["summary", "chapter-1", "chapter-2", "answers-recorded", "agreement"]
    for anchor in links:
        assert f'id="{anchor}"' in page
