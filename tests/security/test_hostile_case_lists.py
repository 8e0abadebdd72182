"""Hostile case lists: bounded after decompression, and a short error page however many problems.

Issue 20, point 6: a 1.2 MB workbook holding 2 million rows ran past the 60-second worker timeout;
an import error page for 115,000 problems was 21.7 MB of HTML.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import Case, Inspection, User
from tests.case_list_steps import import_list

SHEET = "xl/worksheets/sheet1.xml"
HEADINGS = ["case reference", "case type", "date"]


def _sheet_xml(row: bytes, count: int) -> Iterator[bytes]:
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:C2000001"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>case reference</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>case type</t></is></c>'
        b'<c r="C1" t="inlineStr"><is><t>date</t></is></c></row>'
    )
    chunk = 100_000
    for _ in range(count // chunk):
        yield row * chunk
    yield b"</sheetData></worksheet>"


def big_workbook(path: Path, row: bytes, count: int) -> bytes:
    """A real workbook whose first sheet holds ``count`` copies of one row's XML (streamed)."""
    book = Workbook()
    book.active.append(HEADINGS)
    small = io.BytesIO()
    book.save(small)
    with (
        zipfile.ZipFile(small) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            if member.filename == SHEET:
                with target.open(SHEET, "w", force_zip64=True) as sheet:
                    for part in _sheet_xml(row, count):
                        sheet.write(part)
            else:
                target.writestr(member, source.read(member.filename))
    return path.read_bytes()


@pytest.fixture(scope="module")
def two_million_rows(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """2 million case rows (a few hundred KB zipped, over 100 MB unzipped)."""
    row = (
        b'<row><c t="inlineStr"><is><t>R</t></is></c><c t="inlineStr"><is><t>PPO</t></is></c></row>'
    )
    return big_workbook(tmp_path_factory.mktemp("xlsx") / "big.xlsx", row, 2_000_000)


@pytest.fixture(scope="module")
def two_million_empty_rows(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """2 million empty rows: under 50 MB unzipped, so only the row limit can stop it."""
    return big_workbook(tmp_path_factory.mktemp("xlsx") / "empty.xlsx", b"<row/>", 2_000_000)


def upload(client: Any, inspection: Inspection, data: bytes, filename: str) -> Any:
    return client.post_form(
        f"/inspections/{inspection.id}/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def case_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case)) or 0


def test_a_workbook_that_unzips_past_the_limit_is_refused_within_seconds(
    login_as: Any, inspection: Inspection, lead: User, two_million_rows: bytes
) -> None:
    assert len(two_million_rows) < 5 * 1024 * 1024  # under the upload limit
    client = login_as(lead)
    started = time.perf_counter()

    response = upload(client, inspection, two_million_rows, "big.xlsx")

    assert time.perf_counter() - started < 10
    assert response.status_code == 400
    assert "The workbook unzips to more than 50 MB" in response.get_data(as_text=True)
    assert case_count() == 0


def test_a_workbook_with_more_rows_than_the_limit_is_refused_within_seconds(
    login_as: Any, inspection: Inspection, lead: User, two_million_empty_rows: bytes
) -> None:
    with zipfile.ZipFile(io.BytesIO(two_million_empty_rows)) as archive:
        assert archive.getinfo(SHEET).file_size < 50 * 1024 * 1024
    client = login_as(lead)
    started = time.perf_counter()

    response = upload(client, inspection, two_million_empty_rows, "rows.xlsx")

    assert time.perf_counter() - started < 15
    assert response.status_code == 400
    assert "The file has more than 200,000 rows" in response.get_data(as_text=True)


def test_the_command_line_refuses_the_big_workbook_too(
    app: Flask, inspection: Inspection, two_million_rows: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(two_million_rows)

    result = app.test_cli_runner().invoke(
        args=["cases", "import", str(path), "--inspection", str(inspection.id)]
    )

    assert result.exit_code != 0
    assert "unzips to more than 50 MB" in result.output
    assert "Traceback" not in result.output


def test_a_csv_with_more_rows_than_the_limit_is_refused(
    app: Flask, login_as: Any, inspection: Inspection, lead: User, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "CASE_LIST_MAX_ROWS", 100)
    lines = ["case reference,case type,date"] + [
        f"R{n},domestic-abuse,2022-01-01" for n in range(101)
    ]

    response = upload(login_as(lead), inspection, "\n".join(lines).encode(), "cases.csv")

    assert response.status_code == 400
    assert "The file has more than 100 rows" in response.get_data(as_text=True)
    assert case_count() == 0


def test_115000_bad_rows_give_a_short_grouped_page_and_the_full_list_to_download(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    lines = ["case reference,case type,date"] + [f"R{n},PPO,2022-01-01" for n in range(115_000)]
    client = login_as(lead)

    # Through every step; the label "PPO" is left unmapped.
    response = import_list(client, inspection, "\n".join(lines).encode(), "cases.csv")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert len(response.data) < 200_000
    assert "fix the 115,000 problems below" in page
    assert "115,000 rows (2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 114,990 more)" in page
    assert "case type &#34;PPO&#34; is not mapped to a case type" in page
    assert "Download the full list of 115,000 problems (CSV)" in page

    download = client.get(f"/inspections/{inspection.id}/import/problems.csv")

    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Problem"]
    assert len(rows) == 115_001
    assert rows[1] == ["2", "", 'case type "PPO" is not mapped to a case type']


def test_the_problem_list_is_the_uploaders_own(
    login_as: Any, inspection: Inspection, lead: User, admin: User
) -> None:
    refused = import_list(
        login_as(lead), inspection, b"case reference,case type,date\nR1,PPO,2022-01-01\n", "a.csv"
    )
    assert refused.status_code == 400  # "PPO" is not mapped: the lead has a problem list
    problems = f"/inspections/{inspection.id}/import/problems.csv"
    assert login_as(lead).get(problems).status_code == 200

    response = login_as(admin).get(problems)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}/import")
