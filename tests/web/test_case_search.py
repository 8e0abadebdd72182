"""A search box for a case reference on every case list, the moderation queue included."""

from __future__ import annotations

from typing import Any

import pytest

from auditapp.domain.case_search import reference_matches, search_count_text, search_text
from auditapp.models import CaseStatus, User
from tests import factories


@pytest.mark.parametrize(
    ("reference", "search", "expected"),
    [
        ("DA-0042", "0042", True),
        ("DA-0042", "da-00", True),  # case ignored
        ("DA-0042", "", True),  # no search matches every case
        ("DA-0042", "MC", False),
        ("DA-0042", "%", False),  # a character, never a wildcard
    ],
)
def test_reference_matches_contains_ignoring_case(
    reference: str, search: str, expected: bool
) -> None:
    assert reference_matches(reference, search) is expected


def test_search_text_is_trimmed_and_cut() -> None:
    assert search_text("  DA-1 ") == "DA-1"
    assert search_text(None) == ""
    assert len(search_text("x" * 500)) == 64


def test_moderation_queue_finds_a_case_by_reference(
    login_as: Any, inspection: Any, lead: User, auditor: User
) -> None:
    for reference in ("DA-0001", "DA-0002", "DA-0103"):
        factories.make_case(
            inspection,
            reference,
            auditor=auditor,
            answers=factories.GOOD_DOMESTIC_ABUSE_ANSWERS,
            status=CaseStatus.SUBMITTED,
        )
    c = login_as(lead)
    base = f"/moderation/inspections/{inspection.id}"
    page = c.get(base, query_string={"q": "da-01"}).get_data(as_text=True)
    assert "DA-0103" in page and "DA-0001" not in page and "DA-0002" not in page
    assert "1 case (awaiting moderation)" in page
    assert 'id="q" name="q" type="search" value="da-01"' in page
    # the search keeps the other filters: a moderated-only queue has no DA-0103
    page = c.get(base, query_string={"q": "0103", "status": "moderated"}).get_data(as_text=True)
    assert "No cases match these filters." in page
    # the counts above the list stay the inspection's, not the search's
    assert "<strong>3</strong> awaiting moderation" in page


@pytest.mark.parametrize(
    ("shown", "total", "search", "expected"),
    [
        (24, 24, "", "24 cases"),
        (1, 1, "", "1 case"),
        (3, 24, "DA-1", "3 of 24 cases match 'DA-1'"),
        (1, 24, "DA-1", "1 of 24 cases matches 'DA-1'"),
        (0, 24, "MC", "0 of 24 cases match 'MC'"),
    ],
)
def test_search_count_text_keeps_the_total_in_view(
    shown: int, total: int, search: str, expected: str
) -> None:
    assert search_count_text(shown, total, search) == expected
