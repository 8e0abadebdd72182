"""The evidence log, the action plan and the progress page beside them run a fixed number of
SQL statements however many entries, actions and updates there are (no query per row)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from auditapp.domain.evidence import EvidenceKind, Figure
from auditapp.extensions import db
from auditapp.models import Inspection, Recommendation, User
from auditapp.services import action_plans, evidence_log
from tests import factories
from tests.performance.test_query_counts import counting_statements

PAGES = (
    "/evidence/inspections/{id}/entries",
    "/evidence/inspections/{id}/actions",
    "/findings/inspections/{id}/recommendations",
    "/api/inspections/{id}/evidence",
    "/api/inspections/{id}/action-plan",
)


def _add(inspection: Inspection, auditor: User, recs: list[Recommendation], count: int) -> None:
    for number in range(count):
        rec = recs[number % len(recs)]
        evidence_log.add_entry(
            inspection,
            auditor,
            evidence_log.EntryInput(
                kind=EvidenceKind.FORCE_DATA,
                held_on=date(2022, 9, 9),
                source=f"Force data {number}",
                description="Cases awaiting action.",
                figures=[Figure(Decimal(number), "cases awaiting action", date(2022, 9, 9))],
                recommendation_ids=[r.id for r in recs],
                chapters=[rec.chapter],
            ),
        )
        item = action_plans.add_action(inspection, auditor, rec, f"Action {number}", "Head of PP")
        action_plans.add_update(
            item, inspection, auditor, date(2022, 9, 9), "Started.", "in_progress"
        )
    db.session.commit()


@pytest.mark.parametrize("path", PAGES)
def test_page_runs_the_same_number_of_statements_for_2_and_12_entries_and_actions(
    login_as: Callable[[User], Any], inspection: Inspection, auditor: User, path: str
) -> None:
    baseline = factories.make_inspection("Inspection 2021", published_on=date(2021, 10, 19))
    inspection.baseline_id = baseline.id
    db.session.commit()
    recs = [
        factories.make_recommendation(baseline, f"R{n}", chapter=f"Chapter {n}", position=n)
        for n in (1, 2)
    ]
    client = login_as(auditor)
    url = path.format(id=inspection.id)
    counts = []
    for added in (2, 10):
        _add(inspection, auditor, recs, added)
        client.get(url)  # warm caches (question sets, templates)
        with counting_statements() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{url}: {counts[0]} statements with 2, {counts[1]} with 12"
