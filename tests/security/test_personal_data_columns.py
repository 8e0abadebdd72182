"""Personal data in case lists: headings in any spelling, and personal-looking values, refused.

Issue 20, point 3: `DoB`, `D.O.B`, `D_O_B`, `Childs DoB`, `Postal code`, `Tel`, `Mob`, `Initials`,
`Child`, `Victim`, `Suspect`, `Ethnicity` and `Religion` got through, and cell values were never
looked at: a list with `DoB` and `Child` columns was stored and offered as sampling strata.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import Case, Inspection, User
from tests import factories
from tests.case_list_steps import KEEP_ALL, import_list

HEADINGS = [
    "DoB", "D.O.B", "D_O_B", "Childs DoB", "Postal code", "Tel", "Mob", "Initials", "Child",
    "Victim", "Suspect", "Ethnicity", "Religion", "dob", "D-O-B", "Child DOB", "Post code",
    "Tel no", "Mob.", "INITIALS", "Victim's ref", "Suspect name", "Ethnic group",
    "Religious belief",
]  # fmt: skip
VALUES = [
    ("05/09/2012", "a date (a date of birth?)"),
    ("2012-09-05", "a date (a date of birth?)"),
    ("CB1 1AA", "a UK postcode"),
    ("07700 900123", "a phone number"),
    ("jo@example.org", "an email address"),
]


@pytest.fixture(autouse=True)
def _case_types() -> None:
    factories.question_set("domestic-abuse")


def upload(client: Any, inspection: Inspection, text: str) -> Any:
    """The browser import's steps, the lead ticking every extra column as holding no
    personal data: the checks hold even then."""
    return import_list(client, inspection, text.encode(), "cases.csv", keep=KEEP_ALL)


def case_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case)) or 0


@pytest.mark.parametrize("heading", HEADINGS)
def test_a_personal_heading_is_refused_with_the_column_named(
    login_as: Any, inspection: Inspection, lead: User, heading: str
) -> None:
    text = f"case reference,case type,date,{heading}\nDA-1,domestic-abuse,2022-01-01,x\n"

    response = upload(login_as(lead), inspection, text)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    quoted = heading.replace("'", "&#39;")
    assert f"Column &#34;{quoted}&#34; looks like personal data" in page
    assert case_count() == 0


@pytest.mark.parametrize(("value", "kind"), VALUES)
def test_a_personal_value_is_refused_with_row_and_column_named(
    login_as: Any, inspection: Inspection, lead: User, value: str, kind: str
) -> None:
    text = (
        "case reference,case type,date,Area\n"
        "DA-1,domestic-abuse,2022-01-01,North\n"
        f"DA-2,domestic-abuse,2022-01-01,{value}\n"
    )

    response = upload(login_as(lead), inspection, text)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<td class="govuk-table__cell">3</td>' in page
    assert f"column &#34;Area&#34; holds what looks like {kind}" in page
    assert case_count() == 0


def test_a_list_with_dob_and_child_columns_is_not_stored_nor_offered_as_strata(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    text = "case reference,case type,date,DoB,Child\nDA-1,domestic-abuse,2022-01-01,05/09/2012,A\n"
    client = login_as(lead)

    response = upload(client, inspection, text)

    assert response.status_code == 400
    assert case_count() == 0
    page = client.get(f"/inspections/{inspection.id}/sampling").get_data(as_text=True)
    assert "DoB" not in page
