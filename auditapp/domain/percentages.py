"""Scores and shares as people read them: rounded half up, by one function.

Every percentage a page, an export or a grade explanation shows is rounded here, half up
(57.65% reads 57.7%, 12.5% reads 13% as a whole number), never half to even (Python's
``round``) nor down. Decimal arithmetic rounds the number as written: a float is read by its
shortest form (``repr``), so 0.145 is the 14.5% a person means, not 14.4999...%.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Number = float | int | Decimal

NO_FIGURE = "\u2013"  # an en dash where there is no figure, as the tables show it


def _decimal(value: Number) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_half_up(value: Number, places: int = 0) -> Decimal:
    """Round to ``places`` decimal places, a half always up: 57.65 -> 57.7, 2.5 -> 3."""
    return _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(fraction: Number, places: int = 1) -> Decimal:
    """A fraction as a percentage rounded half up: 0.576923 -> Decimal("57.7")."""
    return round_half_up(_decimal(fraction) * 100, places)


def whole_percent(fraction: Number) -> int:
    """A fraction as a whole percentage rounded half up: 0.125 -> 13."""
    return int(percent(fraction, 0))


def percent_text(fraction: Number | None, places: int = 1, *, fixed: bool = False) -> str:
    """The one wording of a percentage: 0.576923 -> "57.7%", 0.8 -> "80%", None -> an en dash.

    Trailing zeros are dropped ("80%", not "80.0%") unless ``fixed`` keeps them ("5.0%").
    """
    if fraction is None:
        return NO_FIGURE
    value = percent(fraction, places)
    if value == 0:
        value = abs(value)  # never "-0%"
    text = f"{value:f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def percent_beside(value: Number, other: Number, places: int = 1) -> str:
    """``value`` as a percentage with enough places not to read as ``other`` when it differs.

    "79.96% is below 80%", never "80% is below 80%": one more place at a time, up to nine.
    """
    text = percent_text(value, places)
    if _decimal(value) == _decimal(other):
        return text
    while places < 9 and text == percent_text(other, places):
        places += 1
        text = percent_text(value, places)
    return text
