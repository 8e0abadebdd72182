"""Neutralise text a spreadsheet program would read as a formula (CSV/formula injection).

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula, and some strip a leading tab or carriage return first. A hostile note such as
``=HYPERLINK("http://evil.example", "click")`` would then run when a report writer opens the
export. Prefixing a single quote makes every such program show the text as typed; it is the
OWASP-recommended treatment. Numbers and dates are never strings here, so a negative number
stays a number: only text is touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def is_dangerous(value: object) -> bool:
    """True for a string a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """Return the value with a single quote put before a formula-like string; others unchanged."""
    return QUOTE + value if is_dangerous(value) else value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    """Neutralise every cell of one row."""
    return [neutralise(value) for value in values]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of the frame with every string cell neutralised (column names too)."""
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            result[column] = series.map(neutralise, na_action="ignore")
    result.columns = [neutralise(column) for column in result.columns]
    return result
