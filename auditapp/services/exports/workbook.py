"""The XLSX workbook: one sheet per exported table, typed cells, written row by row to disk."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import xlsxwriter

from auditapp.domain.spreadsheet_safety import neutralise
from auditapp.models import Inspection
from auditapp.services.exports.cells import converted_rows, workbook_value
from auditapp.services.exports.figures import headline_text
from auditapp.services.exports.tables import TABLES, Column, Table

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# XlsxWriter in constant-memory mode writes each row to disk as it comes, so a sheet is never
# held in memory. Strings are never turned into formulas, links or numbers: text stays text.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}
_NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "decimal": "0.00",
}


def _write_sheet(
    workbook: xlsxwriter.Workbook,
    inspection: Inspection,
    spec: Table,
    title_rows: list[str],
) -> int:
    """Write one table as a sheet: title lines, a bold frozen header row, typed cells, filter."""
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in _NUMBER_FORMATS.items()}
    sheet = workbook.add_worksheet(spec.sheet)
    for number, column in enumerate(spec.columns):
        sheet.set_column(number, number, column.width)
    title = workbook.add_format({"bold": True, "font_size": 14})
    for line_number, line in enumerate(title_rows):
        sheet.write_string(line_number, 0, neutralise(line), title if line_number == 0 else None)
    header_row = len(title_rows)
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for number, column in enumerate(spec.columns):
        sheet.write_string(header_row, number, neutralise(column.label), header)
    sheet.freeze_panes(header_row + 1, 0)
    row_number = header_row
    for chunk in spec.read(inspection):
        for values in converted_rows(spec, chunk, workbook_value):
            row_number += 1
            for number, (column, value) in enumerate(zip(spec.columns, values, strict=True)):
                _write_cell(sheet, row_number, number, column, value, formats)
    count = row_number - header_row
    sheet.autofilter(header_row, 0, max(row_number, header_row + 1), len(spec.columns) - 1)
    return count


def _write_cell(
    sheet: Any, row: int, col: int, column: Column, value: Any, formats: dict[str, Any]
) -> None:
    """Write one typed cell: text as text (never a formula), numbers, dates with a format."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
    elif isinstance(value, datetime):
        kind = "date" if column.kind == "date" else "datetime"
        sheet.write_datetime(row, col, value, formats[kind])
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Yes" if value else "No")
    elif isinstance(value, int | float):
        sheet.write_number(
            row, col, value, formats["decimal"] if column.kind == "decimal" else None
        )
    else:
        sheet.write_string(row, col, neutralise(str(value)))


def write_workbook(inspection: Inspection, target: str | Path | IO[bytes]) -> dict[str, int]:
    """Write the inspection's workbook (one sheet per table) to a path or binary file.

    Returns the number of data rows written per sheet.
    """
    with tempfile.TemporaryDirectory(prefix="auditapp-xlsx-") as scratch:
        workbook = xlsxwriter.Workbook(
            str(target) if isinstance(target, Path) else target,
            {**WORKBOOK_OPTIONS, "tmpdir": scratch},
        )
        workbook.set_properties(
            {"title": f"{inspection.force}: {inspection.title}", "author": "auditapp"}
        )
        written = {}
        for name, spec in TABLES.items():
            title_rows = []
            if name == "summary":
                title_rows = [
                    f"{inspection.force}: {inspection.title}",
                    headline_text(inspection),
                    f"Exported {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
                ]
            written[name] = _write_sheet(workbook, inspection, spec, title_rows)
        workbook.close()
    return written
