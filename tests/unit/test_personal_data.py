"""What looks like personal data: headings (with their many spellings) and values."""

from __future__ import annotations

import pytest

from auditapp.domain.personal_data import personal_heading, personal_value


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("DoB", "a date of birth"),
        ("D.O.B", "a date of birth"),
        ("D_O_B", "a date of birth"),
        ("d o b", "a date of birth"),
        ("Childs DoB", "a date of birth"),
        ("Child's D.O.B.", "a date of birth"),
        ("DateOfBirth", "a date of birth"),
        ("date-of-birth", "a date of birth"),
        ("Postal code", "an address"),
        ("Post Code", "an address"),
        ("POSTCODE", "an address"),
        ("home_address", "an address"),
        ("Tel", "a phone number"),
        ("Tel.", "a phone number"),
        ("Tel (mobile)", "a phone number"),
        ("Mob", "a phone number"),
        ("Mob no", "a phone number"),
        ("Initials", "a name"),
        ("Surname", "a name"),
        ("childName", "a name"),
        ("Child", "a person"),
        ("CHILD", "a person"),
        ("Victim", "a person"),
        ("Victim ref", "a person"),
        ("Suspect", "a person"),
        ("Ethnicity", "a special category (ethnicity or religion)"),
        ("Ethnic origin", "a special category (ethnicity or religion)"),
        ("Religion", "a special category (ethnicity or religion)"),
        ("Religious belief", "a special category (ethnicity or religion)"),
        ("E-mail", "an email address"),
        ("NI number", "an identity number"),
        ("NHS no.", "an identity number"),
    ],
)
def test_personal_headings_are_caught_in_every_spelling(heading: str, kind: str) -> None:
    assert personal_heading(heading) == kind


@pytest.mark.parametrize(
    "heading",
    ["Area", "Risk level", "District", "Case type", "Team", "Division", "Priority", "Unit",
     "Outcome", "Crime type", "Station", "Month"],
)  # fmt: skip
def test_ordinary_headings_pass(heading: str) -> None:
    assert personal_heading(heading) is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("05/09/2012", "a date (a date of birth?)"),
        ("5-9-12", "a date (a date of birth?)"),
        ("2012-09-05", "a date (a date of birth?)"),
        ("2012-09-05 00:00:00", "a date (a date of birth?)"),
        ("5 Sept 2012", "a date (a date of birth?)"),
        ("CB1 1AA", "a UK postcode"),
        ("sw1a2aa", "a UK postcode"),
        ("lives at M1 1AE", "a UK postcode"),
        ("07700 900123", "a phone number"),
        ("+44 7700 900123", "a phone number"),
        ("(01632) 960 001", "a phone number"),
        ("0161-496-0000", "a phone number"),
        ("jo@example.org", "an email address"),
    ],
)
def test_personal_values_are_caught(value: str, kind: str) -> None:
    assert personal_value(value) == kind


@pytest.mark.parametrize(
    "value",
    ["North", "high", "Team 3", "DA-001", "12", "2", "Q3", "123456", "E1", "M1", "A1 B2"],
)
def test_ordinary_values_pass(value: str) -> None:
    assert personal_value(value) is None


def test_free_text_may_mention_dates_when_asked() -> None:
    assert personal_value("Seen on 05/09/2022", dates=False) is None
    assert personal_value("Call 07700 900123", dates=False) == "a phone number"
