"""Reading a case-list file (CSV or XLSX) as text cells, bounded in rows and unzipped size.

An XLSX file is a zip: a 1.2 MB workbook can hold 2 million rows. The zip members' declared
uncompressed sizes are checked before anything is parsed (zipfile never inflates a member past
its declared size), and the first sheet is streamed with openpyxl's read-only reader, stopping
at the row limit, so a hostile file is refused in seconds, never at a worker timeout.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import PurePath
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

ALLOWED_EXTENSIONS = (".csv", ".xlsx")


@dataclass(frozen=True)
class ReadLimits:
    """The most rows (after the headings) and uncompressed bytes a case list may hold."""

    max_rows: int = 200_000
    max_unzipped_bytes: int = 50 * 1024 * 1024


class CaseListFileError(ValueError):
    """The file cannot be read, or is over a limit; the message is for the person uploading."""


def read_case_list_file(data: bytes, filename: str, limits: ReadLimits) -> pd.DataFrame:
    """The file's first sheet as a frame of text cells (index 0 is spreadsheet row 2)."""
    extension = PurePath(filename).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise CaseListFileError("The file must be a CSV or XLSX file")
    if extension == ".xlsx":
        return _read_xlsx(data, limits)
    return _read_csv(data, limits)


def _too_many_rows(limits: ReadLimits) -> CaseListFileError:
    return CaseListFileError(
        f"The file has more than {limits.max_rows:,} rows: split the case list"
    )


def _read_csv(data: bytes, limits: ReadLimits) -> pd.DataFrame:
    if len(data) > limits.max_unzipped_bytes:
        raise CaseListFileError(
            f"The file is larger than {limits.max_unzipped_bytes // (1024 * 1024)} MB"
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not text.strip():
            raise CaseListFileError("The file is empty")
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                nrows=limits.max_rows + 1,
            )
        except (ValueError, KeyError, OSError) as error:
            raise CaseListFileError(
                f"The file could not be read as a CSV file ({type(error).__name__})"
            ) from error
        if len(frame) > limits.max_rows:
            raise _too_many_rows(limits)
        return frame
    raise CaseListFileError("The file is not text in UTF-8 or Windows-1252")


def open_xlsx(data: bytes, limits: ReadLimits, *, advice: str) -> Any:
    """Open an XLSX workbook read-only, after refusing one that unzips past the limit.

    The members' declared sizes are checked before anything is parsed; ``advice`` follows the
    refusal (": split the case list"). Close the workbook when done. CaseListFileError if the
    file is not a workbook or is too big.
    """
    unreadable = "The file could not be read as an XLSX workbook"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise CaseListFileError(f"{unreadable} ({type(error).__name__})") from error
    if declared > limits.max_unzipped_bytes:
        raise CaseListFileError(
            f"The workbook unzips to more than {limits.max_unzipped_bytes // (1024 * 1024)} MB"
            f"{advice}"
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # SyntaxError: xml.etree's ParseError, a member that is not well-formed XML.
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        SyntaxError,
    ) as error:
        raise CaseListFileError(f"{unreadable} ({type(error).__name__})") from error


def bounded_sheet_rows(
    sheet: Any,
    limits: ReadLimits,
    too_many: CaseListFileError,
    max_columns: int | None = None,
) -> list[tuple[Any, ...]]:
    """A read-only sheet's rows (values) up to the last one used; ``too_many`` past the limit.

    ``max_columns`` cuts each row: a sheet may declare 16,384 columns, padded in every row.
    """
    try:
        rows = sheet.iter_rows(values_only=True, max_col=max_columns)
        return _sheet_rows(rows, limits, too_many)
    except CaseListFileError:
        raise
    # SyntaxError: xml.etree's ParseError, a sheet that is not well-formed XML (cut short).
    except (KeyError, OSError, ValueError, SyntaxError, zipfile.BadZipFile) as error:
        raise CaseListFileError(
            f"The file could not be read as an XLSX workbook ({type(error).__name__})"
        ) from error


def _read_xlsx(data: bytes, limits: ReadLimits) -> pd.DataFrame:
    workbook = open_xlsx(data, limits, advice=": split the case list, or save it as CSV")
    try:
        rows = bounded_sheet_rows(workbook.worksheets[0], limits, _too_many_rows(limits))
    finally:
        workbook.close()
    if not rows:
        return pd.DataFrame()
    width = max(len(row) for row in rows)
    cells = [[_text(value) for value in row] + [""] * (width - len(row)) for row in rows]
    return pd.DataFrame(cells[1:], columns=_headings(cells[0]), dtype=str)


def _sheet_rows(
    rows: Iterator[tuple[Any, ...]], limits: ReadLimits, too_many: CaseListFileError
) -> list[tuple[Any, ...]]:
    """The sheet's rows up to the last one with a value, refusing more than the limit."""
    kept: list[tuple[Any, ...]] = []
    last_used = 0
    for number, row in enumerate(rows):
        if number > limits.max_rows:  # number 0 is the headings
            raise too_many
        kept.append(row)
        if any(value is not None and str(value).strip() for value in row):
            last_used = number + 1
    return kept[:last_used]


def _text(value: Any) -> str:
    """A cell as text, as pandas reads it with dtype=str (whole floats without ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return str(value)
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _headings(cells: list[str]) -> list[str]:
    """Headings as pandas names them: "Unnamed: 3" when blank, "date.1" for a repeat."""
    seen: dict[str, int] = {}
    headings = []
    for position, cell in enumerate(cells):
        heading = cell if cell.strip() else f"Unnamed: {position}"
        if heading in seen:
            seen[heading] += 1
            heading = f"{heading}.{seen[heading]}"
        else:
            seen[heading] = 0
        headings.append(heading)
    return headings
