"""Exports of an inspection: a workbook, one CSV per table, and the printable report's data.

One module per task:

- ``tables``: the exported tables (columns, sheet and file names) and which reader fills each;
- ``figures``: the findings, dashboard and agreement pages' figures as rows (never recomputed);
- ``records``: cases, answers (read in chunks) and moderation decisions from the database;
- ``wording``: stored grades, outcomes and answers in the words the pages show;
- ``cells``: each value as a typed, formula-safe workbook or CSV cell;
- ``workbook``: the XLSX file; ``csv_files``: one CSV, a CSV zip or a CSV directory;
- ``downloads``: download file names and the audit-log entry of each export;
- ``report``: the printable report's data.

Every table is a reader yielding chunks of plain rows (dicts by column key). Only the answers
table, which grows with cases x questions, yields more than one chunk: it is read with a
streaming cursor and written chunk by chunk, so a large inspection is never held in memory
whole. XlsxWriter in constant-memory mode writes the workbook row by row to disk. Every text
cell is neutralised against formula injection (``auditapp.domain.spreadsheet_safety``).
"""

from __future__ import annotations

from auditapp.services.exports.cells import cell_value, csv_value, workbook_value
from auditapp.services.exports.csv_files import (
    CSV_ENCODING,
    write_csv,
    write_csv_directory,
    write_csv_zip,
)
from auditapp.services.exports.downloads import download_name, record_export
from auditapp.services.exports.figures import headline_text
from auditapp.services.exports.records import ANSWER_CHUNK_ROWS, answer_chunks, sampled_cases
from auditapp.services.exports.report import Report, ReportChapter, report_data
from auditapp.services.exports.tables import FORMATS, TABLES, Column, ExportError, Table, table
from auditapp.services.exports.wording import grade_words, outcome_words
from auditapp.services.exports.workbook import WORKBOOK_OPTIONS, XLSX_MIMETYPE, write_workbook

# bench/export_child.py writes its pandas floor with the app's workbook options by this name.
_WORKBOOK_OPTIONS = WORKBOOK_OPTIONS

__all__ = [
    "ANSWER_CHUNK_ROWS",
    "CSV_ENCODING",
    "FORMATS",
    "TABLES",
    "WORKBOOK_OPTIONS",
    "XLSX_MIMETYPE",
    "Column",
    "ExportError",
    "Report",
    "ReportChapter",
    "Table",
    "answer_chunks",
    "cell_value",
    "csv_value",
    "download_name",
    "grade_words",
    "headline_text",
    "outcome_words",
    "record_export",
    "report_data",
    "sampled_cases",
    "table",
    "workbook_value",
    "write_csv",
    "write_csv_directory",
    "write_csv_zip",
    "write_workbook",
]
