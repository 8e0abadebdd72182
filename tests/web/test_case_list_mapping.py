"""Case lists from real exports: upload, preview, map columns and labels, check, import."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import Case, CaseType, Inspection, User
from tests import factories
from tests.case_list_steps import (
    import_list,
)

FORCE_EXPORT = (
    b"Crime No,Offence Category,Recorded,District,Risk\n"
    b"F-1,Domestic Abuse,01/03/2024,North,High\n"
    b"F-2,domestic abuse ,02/03/2024,South,Medium\n"
    b"F-3,PPO,03/03/2024,North,Low\n"
    b"F-4,ppo,04/03/2024,East,Low\n"
    b"F-5,Missing Episode,05/03/2024,West,High\n"
)


@pytest.fixture(autouse=True)
def _question_sets() -> None:
    factories.question_set("domestic-abuse")
    factories.question_set("missing-child")


def type_id(slug: str) -> str:
    found = db.session.scalar(select(CaseType.id).where(CaseType.slug == slug))
    assert found is not None
    return str(found)


def case_count() -> int:
    return db.session.scalar(select(func.count(Case.id))) or 0


FORCE_COLUMNS = {"reference": "Crime No", "case_type": "Offence Category", "date": "Recorded"}


def force_labels() -> dict[str, str]:
    return {
        "Domestic Abuse": type_id("domestic-abuse"),
        "PPO": type_id("domestic-abuse"),
        "Missing Episode": type_id("missing-child"),
    }


def test_force_export_is_mapped_and_imported(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    response = import_list(
        c,
        inspection,
        FORCE_EXPORT,
        "export.csv",
        keep=("District",),
        labels=force_labels(),
        columns=FORCE_COLUMNS,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}/sampling")
    cases = {case.reference: case for case in db.session.scalars(select(Case))}
    assert sorted(cases) == ["F-1", "F-2", "F-3", "F-4", "F-5"]
    assert cases["F-1"].attributes == {"District": "North"}  # "Risk" was not ticked
    assert cases["F-3"].case_date == date(2024, 3, 3)
