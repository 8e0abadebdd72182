"""The arithmetic and words every count shares: whole percentages and plural nouns."""

from __future__ import annotations


def percent(part: int, whole: int) -> int | None:
    """Return part/whole as a whole percentage rounded half up (None when whole is 0)."""
    if whole == 0:
        return None
    # Integer arithmetic: round() would round 12.5 to 12 (banker's rounding) and floats drift.
    return (200 * part + whole) // (2 * whole)


def plural(count: int, noun: str) -> str:
    """Return a count and its noun, plural unless the count is 1: "1 case", "5 cases"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
