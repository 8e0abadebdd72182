"""CSV files: one table as UTF-8 CSV, every table in one zip, or every table into a directory."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from auditapp.domain.spreadsheet_safety import neutralise
from auditapp.models import Inspection
from auditapp.services.exports.cells import converted_rows, csv_value
from auditapp.services.exports.tables import TABLES, table

# A byte-order mark makes Excel on Windows open the file as UTF-8 (without it, accented
# letters and dashes turn into mojibake); Python's csv, pandas and LibreOffice skip it when told
# the encoding is utf-8-sig. Report writers open these files in Excel far more often than
# they parse them.
CSV_ENCODING = "utf-8-sig"
# ZIP dates have no time zone: members carry the export's time as read in the UK.
_LONDON = ZoneInfo("Europe/London")


def write_csv(inspection: Inspection, name: str, target: IO[bytes]) -> int:
    """Write one table as UTF-8 CSV (with BOM and a header row) to a binary file; rows written.

    Rows are written chunk by chunk as the table's reader yields them, so the answers table
    is never held whole.
    """
    spec = table(name)
    text = io.TextIOWrapper(target, encoding=CSV_ENCODING, newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([neutralise(column.label) for column in spec.columns])
        count = 0
        for chunk in spec.read(inspection):
            for values in converted_rows(spec, chunk, csv_value):
                writer.writerow(values)
                count += 1
        text.flush()
    finally:
        text.detach()  # leave the caller's file open
    return count


def write_csv_zip(
    inspection: Inspection,
    target: str | Path | IO[bytes],
    exported_at: datetime | None = None,
) -> dict[str, int]:
    """Write every table as a CSV inside one zip file; rows written per table.

    Every member is dated with the time of the export (UK time), not the ZIP format's
    1 January 1980 that a bare name gets.
    """
    local = (exported_at or datetime.now(UTC)).astimezone(_LONDON)
    stamp = (local.year, local.month, local.day, local.hour, local.minute, local.second)
    written = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, spec in TABLES.items():
            info = zipfile.ZipInfo(spec.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                written[name] = write_csv(inspection, name, member)
    return written


def write_csv_directory(inspection: Inspection, directory: str | Path) -> dict[str, int]:
    """Write every table as ``<table>.csv`` into a directory (created if missing)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, spec in TABLES.items():
        with (folder / spec.filename).open("wb") as handle:
            written[name] = write_csv(inspection, name, handle)
    return written
