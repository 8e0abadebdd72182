"""What looks like personal data: column headings and values (dates of birth, postcodes, phones...).

The service holds pseudonymous case references only. Case-list imports refuse a column whose
heading looks personal, and a value in an extra column that looks like a date (of birth), a UK
postcode, a phone number or an email address; free-text notes can use ``personal_value`` too.
Headings are normalised (lower case; punctuation, spaces and camelCase split into words, and
also run together) and matched against words, abbreviations and fragments, so "DoB", "D.O.B",
"D_O_B", "Childs DoB" and "date-of-birth" are all caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERSON = "a person"
# Whole words (after splitting the heading): the abbreviations are only safe as whole words.
_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("name", "names", "firstname", "lastname", "fullname", "surname", "surnames",
         "forename", "forenames", "givenname", "middlename", "maidenname", "initial",
         "initials", "alias", "aka"),
        "a name",
    ),
    **dict.fromkeys(
        ("dob", "birth", "birthday", "birthdate", "born"), "a date of birth"
    ),
    **dict.fromkeys(
        ("address", "addresses", "postcode", "postcodes", "postal", "zip", "zipcode", "street",
         ),
        "an address",
    ),
    **dict.fromkeys(
        ("phone", "phones", "telephone", "tel", "telno", "mobile", "mob", "mobno", "landline",
         "fax"),
        "a phone number",
    ),
    **dict.fromkeys(("email", "emails"), "an email address"),
    **dict.fromkeys(("nhs", "nino", "ni", "pnc", "cro", "passport", "ssn"), "an identity number"),
    **dict.fromkeys(
        ("child", "childs", "children", "childrens", "victim", "victims", "suspect",
         "suspects", "offender", "offenders", "perpetrator", "witness", "parent", "mother",
         "father"),
        _PERSON,
    ),
    **dict.fromkeys(("ethnicity", "ethnic", "race", "religion", "religious"),
                    "a special category (ethnicity or religion)"),
}  # fmt: skip
# Fragments of the heading run together ("childsdob", "dateofbirth", "victimname").
_FRAGMENTS: dict[str, str] = {
    "dob": "a date of birth",
    "dateofbirth": "a date of birth",
    "birth": "a date of birth",
    "name": "a name",
    "surname": "a name",
    "forename": "a name",
    "initials": "a name",
    "address": "an address",
    "postcode": "an address",
    "postalcode": "an address",
    "street": "an address",
    "phone": "a phone number",
    "mobile": "a phone number",
    "email": "an email address",
    "nhsnumber": "an identity number",
    "nationalinsurance": "an identity number",
    "ninumber": "an identity number",
    "victim": _PERSON,
    "suspect": _PERSON,
    "ethnic": "a special category (ethnicity or religion)",
    "religio": "a special category (ethnicity or religion)",
}


def heading_words(heading: str) -> list[str]:
    """A heading as lower-case words: "Childs_DoB" -> ["childs", "do", "b"]."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(heading))
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).split()


def personal_heading(heading: str) -> str | None:
    """What personal data the heading seems to name ("a date of birth"), or None."""
    words = heading_words(heading)
    compact = "".join(re.sub(r"[^0-9a-z]+", "", str(heading).lower()))
    kinds = [_WORDS[word] for word in [*words, compact] if word in _WORDS]
    kinds += [kind for fragment, kind in _FRAGMENTS.items() if fragment in compact]
    # "Childs DoB" names a date of birth more usefully than a person.
    specific = [kind for kind in kinds if kind != _PERSON]
    found = specific or kinds
    return found[0] if found else None


_DATE = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{2,4}\b",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s().-]{7,16}\d(?!\w)")
_UK_PHONE = re.compile(r"^(?:(?:\+|00)44|0)\d{9,10}$")


def personal_value(value: str, *, dates: bool = True) -> str | None:
    """What personal data a value seems to hold ("a phone number"), or None.

    ``dates``: count any date as personal (a case list's extra column holds no dates, so a
    date there is likely a date of birth); free text, which may mention dates, passes False.
    """
    text = str(value)
    if _EMAIL.search(text):
        return "an email address"
    if dates and _DATE.search(text):
        return "a date (a date of birth?)"
    if _POSTCODE.search(text):
        return "a UK postcode"
    for candidate in _PHONE_CANDIDATE.findall(text):
        digits = re.sub(r"[\s().-]", "", candidate)
        if _UK_PHONE.match(digits):
            return "a phone number"
    return None


# Free text (notes, narratives, evidence descriptions). A name is only recognisable by what
# comes before it: a word for a person (or a title) followed by one or two capitalised words.
_PERSON_WORDS = (
    "child", "children", "victim", "victims", "mother", "father", "mum", "dad", "parent",
    "parents", "suspect", "suspects", "offender", "offenders", "perpetrator", "witness",
    "girl", "boy", "son", "daughter", "brother", "sister", "stepfather", "stepmother",
    "grandmother", "grandfather", "partner", "boyfriend", "girlfriend", "baby", "sibling",
    "named", "called", "mr", "mrs", "ms", "miss", "dr",
)  # fmt: skip
# Capitalised words that follow a person word in ordinary case-file prose, not names.
_NOT_NAME_WORDS = (
    "a an and as at but by for from had has have he her his in is it its not of on or she "
    "that the their them they this to was were who with abuse abused assessment at-risk care "
    "centre conference exploitation in-need plan protection referral safeguarding services "
    "sexual social team unit welfare"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_NAME = re.compile(
    r"\b(?i:" + "|".join(_PERSON_WORDS) + r")\.?\s+"
    r"(?P<name>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+)?)"
)
_DATE_OF_BIRTH = re.compile(
    r"\b(?:dob|d\.o\.b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*(?P<date>"
    + _DATE.pattern.replace(r"\b", "", 1)
    + r")",
    re.IGNORECASE,
)
_NATIONAL_INSURANCE = re.compile(
    r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE
)
_STREET = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][a-z'\u2019-]+\s+){1,3}"
    r"(?i:road|rd|street|st|avenue|ave|lane|close|drive|way|court|crescent|place|gardens|"
    r"terrace|grove|hill|walk|row|square|mews)\b"
)
_LONG_NUMBER = re.compile(r"(?<![\w/])\d(?:[ -]?\d){7,}(?![\w/])")


@dataclass(frozen=True)
class FreeTextFinding:
    """Something in free text that looks like personal data: its kind and where it is."""

    kind: str
    start: int
    end: int

    def found_in(self, text: str) -> str:
        return text[self.start : self.end]


def free_text_findings(text: str) -> list[FreeTextFinding]:
    """What in ``text`` looks like personal data, in order of position (none overlapping).

    Covers a name after a word for a person ("victim Jane Smith", "Mrs Patel"), a date of
    birth ("DOB 12/03/2015"), a street address ("14 Mill Road"), a UK postcode, a phone
    number, an email address, a National Insurance number and any other long identifying
    number (eight or more digits). Dates
    without "DOB" or "born" before them are allowed: notes record when things happened.
    """
    found: list[FreeTextFinding] = []

    def add(kind: str, start: int, end: int) -> None:
        if not any(start < other.end and other.start < end for other in found):
            found.append(FreeTextFinding(kind, start, end))

    for match in _EMAIL.finditer(text):
        add("an email address", *match.span())
    for match in _DATE_OF_BIRTH.finditer(text):
        add("a date of birth", *match.span("date"))
    for match in _STREET.finditer(text):
        add("a street address", *match.span())
    for match in _POSTCODE.finditer(text):
        add("a UK postcode", *match.span())
    for match in _NATIONAL_INSURANCE.finditer(text):
        add("a National Insurance number", *match.span())
    for match in _PHONE_CANDIDATE.finditer(text):
        if _UK_PHONE.match(re.sub(r"[\s().-]", "", match.group())):
            add("a phone number", *match.span())
    for match in _LONG_NUMBER.finditer(text):
        add("a long identifying number", *match.span())
    for match in _NAME.finditer(text):
        words = match.group("name").split()
        if words[0].lower() not in _NOT_NAMES:
            end = match.start("name") + len(words[0])
            if len(words) > 1 and words[1].lower() not in _NOT_NAMES:
                end = match.end("name")
            add("a name", match.start("name"), end)
    return sorted(found, key=lambda finding: finding.start)


# The longest piece of a finding a message quotes: enough to find it, never a whole paragraph.
_QUOTE_LIMIT = 40


def _piece(found: str) -> str:
    return found if len(found) <= _QUOTE_LIMIT else found[: _QUOTE_LIMIT - 1] + "…"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def free_text_message(text: str, what: str = "note") -> str | None:
    """The message for free text that looks personal; None when nothing does.

    "This note seems to hold a name ('Jane Smith') and a date of birth. Rephrase it without
    personal details." Names are quoted (a name is hard to spot by its kind alone); numbers,
    dates and addresses are named by kind only, so the message never repeats them.
    """
    kinds: list[str] = []
    names: list[str] = []
    for finding in free_text_findings(text):
        if finding.kind == "a name":
            quoted = f"'{_piece(finding.found_in(text))}'"
            if quoted not in names:
                names.append(quoted)
        if finding.kind not in kinds:
            kinds.append(finding.kind)
    if not kinds:
        return None
    parts = [
        kind
        if kind != "a name"
        else (f"a name ({names[0]})" if len(names) == 1 else f"names ({_listed(names)})")
        for kind in kinds
    ]
    return f"This {what} seems to hold {_listed(parts)}. Rephrase it without personal details."


def redaction_words(by: str, on: str, reason: str) -> str:
    """What stands where a redacted text was: "Redacted by Lee Lead on 3 December 2026: …"."""
    return f"Redacted by {by} on {on}: {reason}"
