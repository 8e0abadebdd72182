"""Question sets as XLSX workbooks: written with XlsxWriter, read back bounded with openpyxl.

The rows of each sheet, and what they mean, are ``domain/question_sets/spreadsheet.py``'s;
this module only moves them in and out of a workbook file. Reading is bounded as a case list
is (``case_list_files``: declared unzipped size checked before parsing, rows counted while
streaming), with the same configured limits. An uploaded workbook goes through the same import
as a YAML file (``import_question_set``), stored as the YAML it validates to.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from auditapp.domain.question_sets import QuestionSet as QuestionSetData
from auditapp.domain.question_sets import (
    QuestionSetError,
    QuestionSetProblem,
    dump_question_set,
)
from auditapp.domain.question_sets.spreadsheet import (
    INSTRUCTIONS,
    QUESTION_COLUMNS,
    SHEET_ORDER,
    Cell,
    load_question_set_sheets,
    question_set_to_sheets,
)
from auditapp.domain.spreadsheet_safety import neutralise
from auditapp.models import QuestionSet, User
from auditapp.services.case_import import read_limits
from auditapp.services.case_list_files import (
    CaseListFileError,
    ReadLimits,
    bounded_sheet_rows,
    open_xlsx,
)
from auditapp.services.exports.workbook import XLSX_MIMETYPE
from auditapp.services.question_sets import import_question_set, question_set_data

__all__ = [
    "XLSX_MIMETYPE",
    "export_question_set_workbook",
    "import_question_set_workbook",
    "question_set_workbook",
    "read_question_set_workbook",
]

# Text stays text: never a formula, a link or a number (as the inspection export writes).
_WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
# Wide columns for words; the rest fit their heading.
_WIDTHS = {"text": 60, "guidance": 50, "label": 40, "value": 40}
# The sheets read on upload have at most this many columns (questions has the most).
_MAX_COLUMNS = len(QUESTION_COLUMNS) + 20


def question_set_workbook(qs: QuestionSetData) -> bytes:
    """The set as an XLSX workbook: questions, options, settings and instructions sheets."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, _WORKBOOK_OPTIONS)
    workbook.set_properties({"title": f"{qs.title} (version {qs.version})", "author": "auditapp"})
    heading = workbook.add_format({"bold": True, "valign": "top"})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    for name, rows in question_set_to_sheets(qs).items():
        sheet = workbook.add_worksheet(name)
        if name == INSTRUCTIONS:
            sheet.set_column(0, 0, 36)
            sheet.set_column(1, 1, 100)
        else:
            for number, title in enumerate(rows[0]):
                width = _WIDTHS.get(str(title), max(12, len(str(title)) + 2))
                sheet.set_column(number, number, width)
            sheet.freeze_panes(1, 0)
        for row_number, row in enumerate(rows):
            style = heading if row_number == 0 else wrapped
            for column, value in enumerate(row):
                _write_cell(sheet, row_number, column, value, style)
    workbook.close()
    return output.getvalue()


def _write_cell(sheet: Any, row: int, column: int, value: Cell, style: Any) -> None:
    """Text as text (neutralised: never run as a formula), numbers as numbers, blank as blank."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, column, neutralise(value), style)
    else:
        sheet.write_number(row, column, value, style)


def read_question_set_workbook(
    data: bytes, filename: str, limits: ReadLimits | None = None
) -> QuestionSetData:
    """Read and validate a question-set workbook; QuestionSetError names each problem's cell."""
    limits = limits or read_limits()
    try:
        workbook = open_xlsx(data, limits, advice=": a question set needs far less")
    except CaseListFileError as error:
        raise QuestionSetError([QuestionSetProblem("", str(error))], filename=filename) from error
    sheets: dict[str, list[tuple[Any, ...]]] = {}
    try:
        for sheet in workbook.worksheets:
            name = sheet.title.strip().lower()
            if name not in SHEET_ORDER or name == INSTRUCTIONS:
                continue  # the instructions, and any sheet of the author's own, are not read
            too_many = CaseListFileError(f"The {name} sheet has more than {limits.max_rows:,} rows")
            sheets[name] = bounded_sheet_rows(sheet, limits, too_many, _MAX_COLUMNS)
    except CaseListFileError as error:
        raise QuestionSetError([QuestionSetProblem("", str(error))], filename=filename) from error
    finally:
        workbook.close()
    return load_question_set_sheets(sheets, filename=filename)


def export_question_set_workbook(row: QuestionSet) -> bytes:
    """A stored set as an XLSX workbook (uploading it as a new version gives the same set)."""
    return question_set_workbook(question_set_data(row))


def import_question_set_workbook(
    data: bytes, *, filename: str, by: User | None = None
) -> QuestionSet:
    """Validate and store a question-set workbook, as ``import_question_set`` stores a file.

    Raises QuestionSetError (each problem naming sheet, row and column) or
    QuestionSetImportError; nothing is added to the session unless the whole set is valid and
    new. The set is stored as the YAML it validates to, so both downloads give it back.
    """
    qs = read_question_set_workbook(data, filename)
    return import_question_set(dump_question_set(qs), filename=filename, by=by)
