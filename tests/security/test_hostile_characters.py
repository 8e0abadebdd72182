"""Control and bidirectional characters in case lists are refused with the row and column named.

Issue 20, point 9: on SQLite a NUL in a case reference was stored (and cases.csv then held a raw
NUL); on PostgreSQL `flask cases import` printed a DataError traceback holding row data and never
named the row; U+202E was accepted, so one reference could be made to display as another.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import Case, Inspection, User
from tests import factories

CHARACTERS = [
    "\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _case_types() -> None:
    factories.question_set("domestic-abuse")


def case_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case)) or 0


def _csv(reference: str, area: str = "North") -> bytes:
    return (
        "case reference,case type,date,area\n"
        "DA-1,domestic-abuse,2022-01-01,North\n"
        f"{reference},domestic-abuse,2022-01-02,{area}\n"
    ).encode()


def _import(app: Flask, inspection: Inspection, path: Path) -> Any:
    return app.test_cli_runner().invoke(
        args=["cases", "import", str(path), "--inspection", str(inspection.id)]
    )


@pytest.mark.parametrize("character", CHARACTERS)
def test_the_command_line_refuses_the_character_naming_row_and_column(
    app: Flask, inspection: Inspection, tmp_path: Path, character: str
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(_csv(f"DA{character}2"))

    result = _import(app, inspection, path)

    assert result.exit_code != 0
    code = f"U+{ord(character):04X}"
    assert (
        f'cases.csv: Row 3: column "case reference" contains a control or bidirectional '
        f"character ({code})"
    ) in result.output
    assert "Traceback" not in result.output
    assert "DataError" not in result.output
    assert case_count() == 0


def test_the_upload_refuses_a_bidirectional_override_in_an_xlsx_cell(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    book = Workbook()
    book.active.append(["case reference", "case type", "date", "area"])
    book.active.append(["DA-1", "domestic-abuse", "2022-01-01", "North\u202eht"])
    buffer = io.BytesIO()
    book.save(buffer)

    response = login_as(lead).post_form(
        f"/inspections/{inspection.id}/import",
        {"file": (io.BytesIO(buffer.getvalue()), "cases.xlsx")},
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<td class="govuk-table__cell">2</td>' in page
    assert "column &#34;area&#34; contains a control or bidirectional character (U+202E)" in page
    assert case_count() == 0


def test_a_heading_with_a_control_character_is_refused(
    app: Flask, inspection: Inspection, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(b"case reference,case type,date,ar\x1bea\nDA-1,domestic-abuse,2022-01-01,N\n")

    result = _import(app, inspection, path)

    assert result.exit_code != 0
    assert "The heading of column 4 contains a control or bidirectional character (U+001B)" in (
        result.output
    )


def test_tabs_in_an_extra_column_are_free_text_but_not_in_a_reference(
    app: Flask, inspection: Inspection, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(_csv("DA-2", area='"North\tEast"'))
    result = _import(app, inspection, path)
    assert result.exit_code == 0, result.output

    path.write_bytes(_csv('"DA\t3"').replace(b"DA-1,", b"DA-9,"))
    result = _import(app, inspection, path)
    assert result.exit_code != 0
    assert (
        'Row 3: column "case reference" contains a control or bidirectional character (U+0009)'
        in (result.output)
    )
