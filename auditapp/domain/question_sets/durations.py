"""Durations as a question-set file writes them ("90 minutes", "14 days"), read and written."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*(minute|minutes|hour|hours|day|days|week|weeks)\s*$")
_UNIT = {"minute": 1, "hour": 60, "day": 60 * 24, "week": 60 * 24 * 7}


def parse_duration(text: str) -> timedelta:
    """Parse "90 minutes", "72 hours", "14 days" or "6 weeks"."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration such as '90 minutes' or '14 days'")
    amount, unit = int(match.group(1)), match.group(2).rstrip("s")
    return timedelta(minutes=amount * _UNIT[unit])


def format_duration(value: timedelta) -> str:
    """Write a duration in the largest whole unit of minutes, hours or days."""
    minutes = int(value.total_seconds() // 60)
    for unit, size in (("day", 60 * 24), ("hour", 60), ("minute", 1)):
        if minutes % size == 0 and (minutes or unit == "minute"):
            amount = minutes // size
            return f"{amount} {unit}{'' if amount == 1 else 's'}"
    raise AssertionError("unreachable: every whole number of minutes divides by 1")
