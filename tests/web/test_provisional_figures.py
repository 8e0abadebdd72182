"""Grades resting on an unverified threshold count as provisional in the figures until the lead
confirms that threshold for the inspection (issue 16 point 5), on the dashboard, in the API and
in the exports alike.

Hand-worked fixture: a two-question set, "Was the child seen?" and "Seen within 2 days?" (a
timeliness check whose 2-day threshold is unverified). Two moderated cases, both good:

- SEEN-1: reported 1 March, seen 2 March: 1 day, within the unverified 2 days, so its grade
  rests on that threshold (provisional until confirmed);
- SEEN-2: the visit is not applicable, so the check is not applicable and no threshold is used.

Before confirmation: 1 of the 2 counted grades is provisional; after: none.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from auditapp.domain.question_sets import dump_question_set
from auditapp.extensions import db
from auditapp.models import CaseStatus, Inspection, User
from auditapp.services import findings, thresholds
from auditapp.services.exports.figures import summary_rows
from auditapp.services.question_sets import find_question_set, import_question_set
from tests import factories
from tests.unit.test_grading import make_set, yes_no

THRESHOLD = "SEEN_FAST:within"
SEEN_SET = make_set(
    [
        yes_no("SEEN"),
        {"id": "REPORTED", "text": "Reported", "type": "date"},
        {"id": "VISITED", "text": "Visited", "type": "date", "allow_na": True},
        {
            "id": "SEEN_FAST",
            "text": "Seen within 2 days?",
            "type": "derived",
            "check": {
                "start": "REPORTED",
                "end": "VISITED",
                "within": "2 days",
                "unverified": ["within"],
            },
        },
    ]
)


@pytest.fixture
def seen(inspection: Inspection, auditor: User) -> Inspection:
    """The inspection with SEEN-1 (on the unverified threshold) and SEEN-2 (not), moderated."""
    row = import_question_set(dump_question_set(SEEN_SET), filename="seen.yaml")
    made = {
        reference: factories.make_case(
            inspection,
            reference,
            auditor=auditor,
            answers={"SEEN": "yes", "REPORTED": "2024-03-01", "VISITED": visited},
            status=CaseStatus.MODERATED,
            final_grade="good",
            question_set_row=row,
        )
        for reference, visited in (("SEEN-1", "2024-03-02"), ("SEEN-2", "na"))
    }
    # The fixture is what the docstring works out by hand.
    assert made["SEEN-1"].computed_explanation["unconfirmed"] == [THRESHOLD]
    assert "unconfirmed" not in made["SEEN-2"].computed_explanation
    assert made["SEEN-1"].computed_grade == made["SEEN-2"].computed_grade == "good"
    return inspection


def _confirm(inspection: Inspection, lead: User) -> None:
    row = find_question_set(SEEN_SET.case_type, SEEN_SET.version)
    assert row is not None
    thresholds.confirm_threshold(inspection, row.id, THRESHOLD, lead)
    db.session.commit()


def _text(response: Any) -> str:
    page = response.get_data(as_text=True)
    main = page[page.find("<main") : page.find("</main>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def test_a_moderated_grade_on_an_unconfirmed_threshold_is_provisional_until_confirmed(
    seen: Inspection, lead: User
) -> None:
    board = findings.dashboard(seen.id)
    assert (board.overall.cases, board.unmoderated, board.unconfirmed) == (2, 0, 1)
    assert board.provisional and board.provisional_grades == 1
    assert board.provisional_note.startswith(
        "Provisional: 1 of the 2 counted grades are provisional (1 moderated but resting on a "
        "timeliness threshold whose source is unverified"
    )
    details = {ref.reference: ref.detail for ref in findings.cases_with_grade(seen.id)}
    assert details == {"SEEN-1": "Good (provisional)", "SEEN-2": "Good"}
    assert summary_rows(seen)[0]["provisional"] is True

    _confirm(seen, lead)

    board = findings.dashboard(seen.id)
    assert (board.unconfirmed, board.provisional_grades, board.provisional) == (0, 0, False)
    assert board.provisional_note == ""
    details = {ref.reference: ref.detail for ref in findings.cases_with_grade(seen.id)}
    assert details == {"SEEN-1": "Good", "SEEN-2": "Good"}
    assert summary_rows(seen)[0]["provisional"] is False


def test_the_national_view_counts_the_same_provisional_grades(seen: Inspection) -> None:
    national = findings.national_findings([seen.id])
    (row,) = national.inspections
    assert row.provisional_grades == findings.dashboard(seen.id).provisional_grades == 1
    assert row.grades.provisional


def test_dashboard_and_api_say_a_grade_waits_on_an_unconfirmed_threshold(
    login_as: Callable[[User], Any], seen: Inspection, lead: User, observer: User
) -> None:
    client = login_as(observer)
    text = _text(client.get(f"/findings/inspections/{seen.id}"))
    assert (
        "2 cases audited: 2 good (100%), 0 requires improvement (0%), 0 inadequate (0%) "
        "(provisional)" in text
    )
    assert "1 moderated but resting on a timeliness threshold whose source is unverified" in text
    summary = client.get(f"/api/inspections/{seen.id}/summary").get_json()
    assert (summary["provisional"], summary["unmoderated"]) == (True, 0)
    assert (summary["unconfirmed"], summary["provisional_grades"]) == (1, 1)
    assert summary["total"]["provisional"] is True

    _confirm(seen, lead)

    text = _text(client.get(f"/findings/inspections/{seen.id}"))
    assert "(provisional)" not in text and "Provisional:" not in text
    summary = client.get(f"/api/inspections/{seen.id}/summary").get_json()
    assert (summary["provisional"], summary["provisional_grades"]) == (False, 0)
