"""Free text is checked for personal data: what is caught, where, and what is left alone."""

import pytest

from auditapp.domain.personal_data import free_text_findings


def kinds_and_text(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.found_in(text)) for finding in free_text_findings(text)]


def test_the_note_of_the_issue_is_caught_in_every_part() -> None:
    text = "Child Jane Smith, DOB 12/03/2015, 14 Mill Road CB1 2AB"
    assert kinds_and_text(text) == [
        ("a name", "Jane Smith"),
        ("a date of birth", "12/03/2015"),
        ("a street address", "14 Mill Road"),
        ("a UK postcode", "CB1 2AB"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the victim Amy said no more", [("a name", "Amy")]),
        ("Spoke to Mrs Patel at the door", [("a name", "Patel")]),
        ("suspect named Tom Jones arrested", [("a name", "Tom Jones")]),
        ("born on 3 May 2011", [("a date of birth", "3 May 2011")]),
        ("d.o.b: 2011-05-03", [("a date of birth", "2011-05-03")]),
        ("call 07700 900123 after 5", [("a phone number", "07700 900123")]),
        ("mail a.b@example.org", [("an email address", "a.b@example.org")]),
        ("NI AB 12 34 56 C", [("a National Insurance number", "AB 12 34 56 C")]),
        ("NHS 943 476 5919", [("a long identifying number", "943 476 5919")]),
    ],
)
def test_each_kind_is_caught(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds_and_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The child was seen on 12/03/2022 and a strategy discussion held on 14/03/2022.",
        "Child Protection conference held; the mother was present.",
        "Victim was not seen. Suspect was arrested within 24 hours.",
        "Incident 2022/0412 logged at 14:10; THRIVE completed.",
        "",
    ],
)
def test_ordinary_case_file_prose_is_left_alone(text: str) -> None:
    assert free_text_findings(text) == []


def test_the_message_names_each_kind_once_and_quotes_only_names() -> None:
    from auditapp.domain.personal_data import free_text_message

    assert free_text_message("Child Jane Smith DOB 12/03/2015") == (
        "This note seems to hold a name ('Jane Smith') and a date of birth. Rephrase it "
        "without personal details."
    )
    assert free_text_message("Mother Amy Jones and Mrs Patel called 07700 900123", "comment") == (
        "This comment seems to hold names ('Amy Jones' and 'Patel') and a phone number. "
        "Rephrase it without personal details."
    )
    assert free_text_message("The child was seen within 24 hours.") is None


def test_the_words_of_a_redaction() -> None:
    from auditapp.domain.personal_data import redaction_words

    assert redaction_words("Lee Lead", "3 December 2026", "Name typed by mistake") == (
        "Redacted by Lee Lead on 3 December 2026: Name typed by mistake"
    )
