"""Cell values: a row's value as the typed, formula-safe cell a workbook or CSV file holds."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from auditapp.domain.spreadsheet_safety import neutralise
from auditapp.services.exports.tables import Column, Table

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _naive_utc(value: datetime) -> datetime:
    """Spreadsheets have no time zones: write UTC wall time (the headings say UTC)."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _missing(value: Any) -> bool:
    """None, or a float that is not a number: an empty cell."""
    return value is None or (isinstance(value, float) and math.isnan(value))


# A spreadsheet number (a double) is exact to 15 significant digits: larger whole numbers, and
# infinities, are written as text so that no stored or computed value can break a file.
_SAFE_INT = 10**15


def _number_text(value: int | float) -> str:
    """An unsafe number as text (Decimal prints ints past Python's 4,300-digit str limit)."""
    return str(Decimal(value)) if isinstance(value, int) else str(value)


def _safe_number(value: Any) -> Any:
    """Numbers a spreadsheet holds exactly as they are; any other number as its text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) >= _SAFE_INT:
        return _number_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return _number_text(value)
    return value


def cell_value(column: Column, value: Any) -> Any:
    """A row's value as the typed, neutralised cell value a workbook holds (None when empty)."""
    if _missing(value):
        return None
    if column.kind == "bool":
        return "Yes" if value else "No"
    if hasattr(value, "item"):  # numpy scalars, should a figure come from pandas
        value = value.item()
    try:
        if column.kind == "int":
            return _safe_number(int(value))
        if column.kind == "decimal":
            return _safe_number(float(value))
    except (ValueError, OverflowError, TypeError):
        return neutralise(str(value)) if isinstance(value, str) else None
    if isinstance(value, datetime):
        return _naive_utc(value)
    if isinstance(value, int | float):
        value = _safe_number(value)
    return neutralise(value) if isinstance(value, str) else value


def workbook_value(column: Column, value: Any) -> Any:
    """A cell value for the workbook: as ``cell_value``, without characters XML cannot hold."""
    cell = cell_value(column, value)
    # Control characters (other than tab, line feed, carriage return) are illegal in XLSX.
    return _ILLEGAL_XML.sub("", cell) if isinstance(cell, str) else cell


def csv_value(column: Column, value: Any) -> Any:
    """A row's value as CSV text: ISO 8601 dates, whole numbers without ".0", safe text."""
    cell = cell_value(column, value)
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    if column.kind == "decimal" and isinstance(cell, float):
        return f"{cell:.2f}"  # as the pages show kappa: two decimal places
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def converted_rows(
    spec: Table, rows: list[dict[str, Any]], convert: Callable[[Column, Any], Any]
) -> Iterator[list[Any]]:
    """Each row's cells in the table's column order, converted (a missing key is empty)."""
    columns = spec.columns
    for row in rows:
        yield [convert(column, row.get(column.key)) for column in columns]
