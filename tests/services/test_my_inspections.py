"""One "my inspections" query: newest first, with the role, for every page that lists them."""

from __future__ import annotations

from datetime import date

from auditapp.models import InspectionRole, User
from auditapp.services.inspections import my_inspections, visible_inspections
from tests import factories


def test_my_inspections_are_newest_first_with_my_role(admin: User) -> None:
    user = factories.make_user("member@example.test")
    older = factories.make_inspection("Older", start_date=date(2021, 3, 1))
    undated = factories.make_inspection("Undated", start_date=None)
    first = factories.make_inspection("Same day, created first", start_date=date(2023, 5, 1))
    second = factories.make_inspection("Same day, created second", start_date=date(2023, 5, 1))
    factories.make_inspection("Not mine", start_date=date(2024, 1, 1))
    for inspection, role in (
        (older, InspectionRole.LEAD),
        (undated, InspectionRole.OBSERVER),
        (first, InspectionRole.AUDITOR),
        (second, InspectionRole.LEAD),
    ):
        factories.add_member(inspection, user, role)

    mine = my_inspections(user)

    assert [(m.inspection.title, m.role) for m in mine] == [
        ("Same day, created second", InspectionRole.LEAD),
        ("Same day, created first", InspectionRole.AUDITOR),
        ("Older", InspectionRole.LEAD),
        ("Undated", InspectionRole.OBSERVER),
    ]
    assert visible_inspections(user) == [m.inspection for m in mine]
    everything = visible_inspections(admin)
    assert [i.title for i in everything] == [
        "Not mine",
        "Same day, created second",
        "Same day, created first",
        "Older",
        "Undated",
    ]
