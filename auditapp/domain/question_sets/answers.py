"""Answers: checking what a form posts, reading stored answers, and wording them for people."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from auditapp.domain.question_sets.errors import AnswerError
from auditapp.domain.question_sets.model import (
    NONE_TICKED,
    NOT_APPLICABLE,
    TEXT_MAX_LENGTH,
    Condition,
    Question,
    QuestionSet,
)

_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATETIME = re.compile(r"^(?P<date>[0-9/-]+)[T ](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")

# A number answer is one a spreadsheet holds exactly: a double keeps 15 significant digits, and
# nothing an inspector counts or measures in a case file comes near a million million.
MAX_SIGNIFICANT_DIGITS = 15
NUMBER_LIMIT = Decimal(10) ** 12
# Longer text cannot be a number within the bounds (15 digits, a point, a sign, commas, zeros).
_NUMBER_TEXT_MAX = 40


def normalise_answer(
    question: Question, raw: str | Sequence[str] | Mapping[str, object] | None
) -> str | None:
    """Check what a form posted and return the string to store (None when left empty).

    A date or date-and-time question also takes the fields of the GOV.UK date input
    (``{"day": "5", "month": "9", "year": "2022", "hour": "14", "minute": "30"}``).
    """
    if question.type == "derived":
        raise AnswerError("This answer is worked out from other answers")
    if isinstance(raw, Mapping):
        if question.type not in ("date", "datetime"):
            raise AnswerError("Enter a single answer")
        return join_date_parts(question, raw)
    if question.type == "checklist":
        return _normalise_checklist(question, raw)
    if raw is not None and not isinstance(raw, str):
        raise AnswerError("Enter a single answer")
    text = (raw or "").strip()
    if not text:
        return None
    if question.allow_na and text.lower() == NOT_APPLICABLE:
        return NOT_APPLICABLE
    if question.type in ("yes_no", "choice"):
        value = text.lower() if question.type == "yes_no" else text
        if value not in question.allowed_values():
            raise AnswerError("Choose one of the options")
        return value
    if question.type == "number":
        return _normalise_number(question, text)
    if question.type == "date":
        return _parse_date(text).isoformat()
    if question.type == "datetime":
        return _parse_datetime(text).strftime("%Y-%m-%dT%H:%M")
    if len(text) > TEXT_MAX_LENGTH:
        raise AnswerError(f"Answer must be {TEXT_MAX_LENGTH:,} characters or fewer")
    return text


def _normalise_checklist(question: Question, raw: object) -> str | None:
    # A JSON client may send anything: only text, or a list of texts, names options.
    if raw is None or isinstance(raw, str):
        posted: list[object] = [raw] if raw else []
    elif isinstance(raw, list | tuple):
        posted = list(raw)
    else:
        raise AnswerError("Choose from the options listed")
    if not all(isinstance(value, str) for value in posted):
        raise AnswerError("Choose from the options listed")
    ticked = [value.strip() for value in posted if isinstance(value, str) and value.strip()]
    if not ticked:
        return None
    if ticked == [NOT_APPLICABLE] and question.allow_na:
        return NOT_APPLICABLE
    if NONE_TICKED in ticked:
        if len(ticked) > 1:
            raise AnswerError("Select the options that apply, or 'None of these', not both")
        return "[]"
    unknown = [value for value in ticked if value not in question.option_values]
    if unknown:
        raise AnswerError("Choose from the options listed")
    return json.dumps([v for v in question.option_values if v in ticked], separators=(",", ":"))


def _normalise_number(question: Question, text: str) -> str:
    message = "Enter a whole number" if question.whole_number else "Enter a number, like 2.5"
    if len(text) > _NUMBER_TEXT_MAX:
        raise AnswerError(f"Enter a number with {MAX_SIGNIFICANT_DIGITS} digits or fewer")
    # Thousands separators are allowed only where they are unambiguous ("1,000", not "1,5").
    cleaned = text.replace(",", "") if _THOUSANDS.match(text) else text
    if not _NUMBER.match(cleaned):
        raise AnswerError(message)
    number = Decimal(cleaned)
    if question.whole_number and number != number.to_integral_value():
        raise AnswerError(message)
    if number < 0:
        raise AnswerError("Enter a number that is 0 or more")
    if abs(number) >= NUMBER_LIMIT:
        raise AnswerError(f"Enter a number smaller than {NUMBER_LIMIT:,.0f}")
    if _significant_digits(number) > MAX_SIGNIFICANT_DIGITS:
        raise AnswerError(
            f"Enter a number with {MAX_SIGNIFICANT_DIGITS} significant digits or fewer"
        )
    # Canonical: no exponent, no trailing zeros after the point, "0" rather than "-0".
    canonical = format(number.normalize(), "f")
    return "0" if number == 0 else canonical


def _significant_digits(number: Decimal) -> int:
    """Digits from the first non-zero one to the last non-zero one ("1200" has 2, "0.05" 1)."""
    return 0 if number == 0 else len(number.normalize().as_tuple().digits)


def safe_number(value: str) -> int | float | None:
    """A stored number answer as a number a spreadsheet holds exactly, or None when it is not one.

    Safe means finite, within ``NUMBER_LIMIT`` and at most ``MAX_SIGNIFICANT_DIGITS``
    significant digits: what ``normalise_answer`` accepts. Anything else (a value edited by
    hand, stored before the bounds, "NaN", 310 digits) is for the caller to write as text.
    """
    if not isinstance(value, str) or len(value) > _NUMBER_TEXT_MAX:
        return None
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        return None
    if _significant_digits(number) > MAX_SIGNIFICANT_DIGITS:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _parse_date(text: str) -> date:
    match = _ISO_DATE.match(text)
    uk = _UK_DATE.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        if uk:  # a UK case file writes 05/09/2022 for 5 September
            return date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        pass
    raise AnswerError("Enter a real date, for example 2022-09-05")


def _parse_datetime(text: str) -> datetime:
    match = _DATETIME.match(text)
    message = "Enter a real date and time, for example 2022-09-05T14:30"
    if not match:
        raise AnswerError(message)
    try:
        day = _parse_date(match["date"])
        return datetime(day.year, day.month, day.day, int(match["h"]), int(match["m"]))
    except (AnswerError, ValueError) as exc:
        raise AnswerError(message) from exc


# The fields of a date answer in the GOV.UK date-input pattern, and of its 24-hour time.
DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")
_STORED_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2}):(\d{2}))?$")
_DIGITS = re.compile(r"^\d{1,4}$")


def date_parts(question: Question) -> tuple[str, ...]:
    """The fields a date question is typed in: day, month, year (and hour, minute)."""
    return DATE_PARTS + (TIME_PARTS if question.type == "datetime" else ())


def split_stored_date(question: Question, value: str | None) -> dict[str, str]:
    """A stored date answer as the date input shows it: "2022-09-05T14:30" ->
    {"day": "5", "month": "9", "year": "2022", "hour": "14", "minute": "30"}.

    A stored value that is not a date (e.g. edited by hand) is shown whole in the year field,
    so saving the form unchanged refuses it with a message instead of silently erasing it.
    """
    fields = dict.fromkeys(date_parts(question), "")
    if not value:
        return fields
    match = _STORED_DATE.match(value)
    if match is None:
        fields["year"] = value
        return fields
    year, month, day, hour, minute = match.groups()
    fields.update(day=str(int(day)), month=str(int(month)), year=year)
    if question.type == "datetime" and hour is not None:
        fields.update(hour=f"{int(hour):02d}", minute=minute or "")
    return fields


def join_date_parts(question: Question, parts: Mapping[str, object]) -> str | None:
    """The fields of a date input as the answer to store ("2022-09-05" or "2022-09-05T14:30").

    None when every field is empty. Raises AnswerError with the GOV.UK pattern's messages
    ("Date must include a month", "Year must include 4 numbers", "Date must be a real date").
    """
    names = date_parts(question)
    fields = {name: _part(parts.get(name)) for name in names}
    if not any(fields.values()):
        return None
    missing = [name for name in DATE_PARTS if not fields[name]]
    if missing:
        raise AnswerError(f"Date must include a {_and(missing)}")
    if not all(_DIGITS.match(fields[name]) for name in DATE_PARTS):
        raise AnswerError("Date must be a real date, for example 5 9 2022")
    if len(fields["year"]) != 4:
        raise AnswerError("Year must include 4 numbers")
    try:
        day = date(int(fields["year"]), int(fields["month"]), int(fields["day"]))
    except ValueError:
        raise AnswerError("Date must be a real date, for example 5 9 2022") from None
    if question.type == "date":
        return day.isoformat()
    missing = [name for name in TIME_PARTS if not fields[name]]
    if missing:
        article = "an" if missing[0] == "hour" else "a"
        raise AnswerError(f"Time must include {article} {_and(missing)}")
    hour, minute = fields["hour"], fields["minute"]
    if not (_DIGITS.match(hour) and _DIGITS.match(minute) and len(hour) <= 2 and len(minute) <= 2):
        raise AnswerError("Time must be a real time on the 24-hour clock, for example 14 30")
    if int(hour) > 23 or int(minute) > 59:
        raise AnswerError("Time must be a real time on the 24-hour clock, for example 14 30")
    return f"{day.isoformat()}T{int(hour):02d}:{int(minute):02d}"


def _part(value: object) -> str:
    """One typed field: text trimmed; a number sent as JSON read as its digits."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return value.strip() if isinstance(value, str) else "?"


def _and(names: list[str]) -> str:
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def parse_stored_date(question: Question, value: str) -> datetime:
    """Read a stored date or datetime answer as a naive datetime (a date is its midnight)."""
    if question.type == "date":
        return datetime.combine(date.fromisoformat(value), datetime.min.time())
    return datetime.strptime(value, "%Y-%m-%dT%H:%M")


def checklist_ticks(value: str | None) -> list[str]:
    """Return the ticked option values of a stored checklist answer ([] if none or n/a)."""
    if not value or value == NOT_APPLICABLE:
        return []
    try:
        ticked = json.loads(value)
    except json.JSONDecodeError:
        return []
    return [item for item in ticked if isinstance(item, str)] if isinstance(ticked, list) else []


# --- wording ------------------------------------------------------------------------------------

NOT_ANSWERED_WORDS = "Not answered"
NOT_APPLICABLE_WORDS = "Not applicable"
NONE_OF_THESE_WORDS = "None of these"
YES_NO_WORDS = {"yes": "Yes", "partly": "Partly", "no": "No"}
# Month names written out, so the wording never depends on the server's locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def answer_words(question: Question, value: str | None) -> str:
    """Return a stored answer as people read it, e.g. "Yes" or "5 September 2022, 14:30".

    The one wording of answers for the form, moderation, exports and grade explanations. A
    stored value the question cannot read (e.g. edited by hand) is shown as it is stored.
    """
    if not value:
        return NOT_ANSWERED_WORDS
    if value == NOT_APPLICABLE and question.allow_na:
        return NOT_APPLICABLE_WORDS
    if question.type in ("yes_no", "choice"):
        return option_words(question, value)
    if question.type == "checklist":
        return _checklist_words(question, value)
    if question.type == "number":
        return _number_words(value)
    if question.type in ("date", "datetime"):
        return _date_words(question, value)
    return value


def option_words(question: Question, value: str) -> str:
    """Return one answer value of a yes_no, choice or checklist question in words ("Partly")."""
    if question.type == "yes_no":
        return YES_NO_WORDS.get(value, value)
    if value == NOT_APPLICABLE and question.allow_na:
        return NOT_APPLICABLE_WORDS
    option = question.option(value)
    return option.label if option else value


def condition_words(qs: QuestionSet, condition: Condition) -> str:
    """A condition on an earlier answer in words, e.g. "MC02 is High or Very high"."""
    controller = qs.question(condition.question)
    values = " or ".join(option_words(controller, value) for value in condition.equals)
    return f"{condition.question} is {values}"


def _checklist_words(question: Question, value: str) -> str:
    ticked = checklist_ticks(value)
    if ticked:
        return ", ".join(option_words(question, tick) for tick in ticked)
    return NONE_OF_THESE_WORDS if value.strip() == "[]" else value


def _number_words(value: str) -> str:
    # Thousands separated by commas, as GOV.UK writes numbers over 999; decimals as stored.
    # A stored value that is not a safe number (e.g. 4,301 digits) is shown as it is stored.
    if safe_number(value) is None or not _NUMBER.match(value):
        return value
    return f"{Decimal(value):,}"


def _date_words(question: Question, value: str) -> str:
    try:
        when = parse_stored_date(question, value)
    except ValueError:
        return value
    day = f"{when.day} {_MONTHS[when.month - 1]} {when.year}"
    return day if question.type == "date" else f"{day}, {when:%H:%M}"
