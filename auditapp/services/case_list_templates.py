"""A case-list template to download (CSV or XLSX): the headings the import expects and one
example row per case type. Case-type names come from question-set files, so every cell is
neutralised against formula injection before it is written."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from auditapp.domain.spreadsheet_safety import neutralise_row
from auditapp.models import Inspection
from auditapp.services.case_list_mapping import inspection_case_types

HEADINGS = ["Case reference", "Case type", "Date", "Area"]


def template_rows(inspection: Inspection) -> list[list[str]]:
    """Headings, then an example row per case type (formula-safe)."""
    rows = [HEADINGS]
    for number, case_type in enumerate(inspection_case_types(inspection), start=1):
        rows.append([f"EXAMPLE-{number:03d}", case_type.name, "2024-01-31", "North"])
    return [neutralise_row(row) for row in rows]


def template_csv(inspection: Inspection) -> bytes:
    """The template as CSV, UTF-8 with a BOM so Excel reads it as UTF-8."""
    out = io.StringIO()
    csv.writer(out).writerows(template_rows(inspection))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(inspection: Inspection) -> bytes:
    """The template as an XLSX workbook; every cell is text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Case list"
    for row in template_rows(inspection):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
