"""Evidence from beyond the case files: its kinds, and the figures an entry quotes.

Figures are written one a line, the number first, then what it counts, then optionally a comma
and the date it was true on: "48 medium-priority cases not yet visited, 9 September 2022". A
figure without a date takes the entry's date. The reference review quotes figures like this
("a backlog of 300 cases waiting to be uploaded").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class EvidenceKind(StrEnum):
    """What sort of evidence an entry records."""

    DOCUMENT = "document"
    INTERVIEW = "interview"
    FOCUS_GROUP = "focus_group"
    OBSERVATION = "observation"
    FORCE_DATA = "force_data"

    @property
    def label(self) -> str:
        """Text shown to users."""
        return {
            "document": "Document examined",
            "interview": "Interview",
            "focus_group": "Focus group",
            "observation": "Meeting observed",
            "force_data": "Force data",
        }[self.value]


MAX_FIGURES = 10
UNIT_MAX = 200
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_LINE = re.compile(rf"^(?P<value>{_NUMBER})%?\s+(?P<unit>.+?)\s*$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%B %Y")


class FigureError(ValueError):
    """A line of figures that cannot be read; the message names the line and says why."""


@dataclass(frozen=True)
class Figure:
    """A number quoted as evidence, what it counts, and the day it was true on."""

    value: Decimal
    unit: str
    as_of: date

    @property
    def value_text(self) -> str:
        """The number as written: thousands separated, no trailing zeros."""
        value = self.value.normalize()
        if value == value.to_integral_value():
            return f"{int(value):,}"
        return f"{value:,f}"

    @property
    def text(self) -> str:
        """The figure in words: "48 medium-priority cases not yet visited (9 September 2022)"."""
        return f"{self.value_text} {self.unit} ({self.as_of.day} {self.as_of:%B %Y})"

    def to_json(self) -> dict[str, Any]:
        """The figure as stored: the number as exact text, the date ISO."""
        return {"value": str(self.value), "unit": self.unit, "as_of": self.as_of.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        """A stored figure."""
        return cls(
            Decimal(str(data["value"])), str(data["unit"]), date.fromisoformat(data["as_of"])
        )


def _date(text: str) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _figure(line: str, number: int, default_date: date) -> Figure:
    body, as_of = line, default_date
    head, comma, tail = line.rpartition(",")
    if comma and (found := _date(tail)) is not None:
        body, as_of = head, found
    match = _LINE.match(body.strip())
    if match is None:
        raise FigureError(
            f"Figure on line {number} must start with a number, then say what it counts, "
            "for example “47 cases not progressed”"
        )
    try:
        value = Decimal(match["value"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise FigureError(f"Figure on line {number} must start with a number") from None
    unit = match["unit"]
    if len(unit) > UNIT_MAX:
        raise FigureError(
            f"Figure on line {number} must say what it counts in {UNIT_MAX} characters or fewer"
        )
    return Figure(value, unit, as_of)


def parse_figures(text: str, default_date: date) -> list[Figure]:
    """The figures written one a line (blank lines skipped); FigureError names a bad line."""
    lines = [(n, line.strip()) for n, line in enumerate(str(text).splitlines(), 1)]
    figures = [_figure(line, n, default_date) for n, line in lines if line]
    if len(figures) > MAX_FIGURES:
        raise FigureError(f"Enter {MAX_FIGURES} figures or fewer")
    return figures


def figures_text(figures: list[Figure]) -> str:
    """Figures written back one a line, in the form ``parse_figures`` reads."""
    return "\n".join(f"{f.value_text} {f.unit}, {f.as_of.day} {f.as_of:%B %Y}" for f in figures)
