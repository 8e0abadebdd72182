"""The force's action plan: statuses, and when an action is due and overdue.

The due date rule: a recommendation's timescale counts from the day the report that made it was
published. "immediately" is due on that day; "within six months" six calendar months later (the
last day of the month when the day does not exist: 31 August + 6 months = 28 February); weeks
and days likewise. A timescale the rule does not know, or a report without a publication date,
gives no due date, with the reason, never a guess.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class ActionStatus(StrEnum):
    """Where the force's action stands; only a lead may record the inspectorate's verification."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"

    @property
    def label(self) -> str:
        """Text shown to users."""
        return {
            "not_started": "Not started",
            "in_progress": "In progress",
            "done": "Done",
            "verified": "Verified by the inspectorate",
        }[self.value]

    @property
    def is_closed(self) -> bool:
        """Done or verified: a closed action is never overdue."""
        return self in (ActionStatus.DONE, ActionStatus.VERIFIED)


# Only a lead may set this status, or change an action away from it.
LEAD_ONLY_STATUS = ActionStatus.VERIFIED

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "eighteen": 18, "twenty-four": 24,
}  # fmt: skip
_WITHIN = re.compile(
    r"^within\s+(?P<count>\d{1,3}|[a-z-]+)\s+(?P<unit>days?|weeks?|months?|years?)$"
)
_IMMEDIATELY = ("immediately", "now", "with immediate effect")


@dataclass(frozen=True)
class DueDate:
    """When an action is due (None: not worked out) and how the date was worked out."""

    due: date | None
    reason: str


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the month's last day if it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def due_date(timescale: str, published_on: date | None) -> DueDate:
    """The due date of an action on a recommendation with this timescale (see module docstring)."""
    words = " ".join(str(timescale).lower().replace(",", " ").split())
    match = _WITHIN.match(words)
    if words not in _IMMEDIATELY and match is None:
        return DueDate(None, f"No due date: the timescale “{timescale}” is not one the rule knows")
    if published_on is None:
        return DueDate(None, "No due date: the report's publication date is not recorded")
    published = _long_date(published_on)
    if match is None:
        return DueDate(published_on, f"Immediately: due on publication, {published}")
    count_text = match["count"]
    count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS.get(count_text)
    if count is None:
        return DueDate(None, f"No due date: the timescale “{timescale}” is not one the rule knows")
    unit = match["unit"].rstrip("s")
    if unit == "day":
        due = published_on + timedelta(days=count)
    elif unit == "week":
        due = published_on + timedelta(weeks=count)
    else:
        due = add_months(published_on, count * (12 if unit == "year" else 1))
    return DueDate(due, f"{timescale.strip().capitalize()} of publication ({published})")


def is_overdue(due: date | None, status: str, today: date) -> bool:
    """An open action (not done, not verified) whose due date has passed."""
    return due is not None and not ActionStatus(status).is_closed and today > due
