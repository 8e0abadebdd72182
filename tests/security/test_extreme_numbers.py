"""Extreme stored number answers never break an export: unsafe numbers are written as text.

Issue 20, point 2: a 310-digit answer broke the workbook and `flask export` (OverflowError), a
4,301-digit one made the CSV export answer 500 (Python's int-to-text digit limit). The values
are stored straight into the database, as a hand edit or an old release could have left them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import Answer, CaseStatus, Inspection, User
from auditapp.services import exports as export_service
from tests import factories

EXTREME = {
    "NUM-310": "9" * 310,
    "NUM-4301": "1" + "0" * 4300,
    "NUM-30SIG": "1.23456789012345678901234567891",
    "NUM-NAN": "NaN",
    "NUM-INF": "inf",
    "NUM-NEG0": "-0",
    "NUM-1E400": "1e400",
}
# Safe: written as a number. Everything else is written as the stored text.
SAFE = {"NUM-NEG0": 0}


@pytest.fixture
def extreme(inspection: Inspection, auditor: User) -> Inspection:
    """One submitted missing-child case per extreme MC11 answer, stored without any checks."""
    for reference, value in EXTREME.items():
        case = factories.make_case(
            inspection,
            reference,
            slug="missing-child",
            auditor=auditor,
            answers={"MC10": "yes"},
            status=CaseStatus.SUBMITTED,
        )
        db.session.add(Answer(case_id=case.id, question_code="MC11", value=value))
    db.session.commit()
    assert db.session.scalar(select(Answer.value).where(Answer.value == "NaN")) == "NaN"
    return inspection


def _answers_by_reference(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {row["Reference"]: row["Answer"] for row in rows if row["Question"] == "MC11"}


def _assert_written(answers: dict[str, Any], *, csv_text: bool) -> None:
    assert set(answers) == set(EXTREME)
    for reference, stored in EXTREME.items():
        if reference in SAFE:
            expected: Any = str(SAFE[reference]) if csv_text else SAFE[reference]
        else:
            expected = stored
        assert answers[reference] == expected, reference


def _sheet_answers(workbook: Any) -> dict[str, Any]:
    rows = list(workbook["Answers"].iter_rows(values_only=True))
    return _answers_by_reference([dict(zip(rows[0], row, strict=True)) for row in rows[1:]])


def _csv_answers(data: bytes) -> dict[str, Any]:
    return _answers_by_reference(list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")))))


def test_the_workbook_writes_unsafe_numbers_as_text(
    login_as: Callable, lead: User, extreme: Inspection
) -> None:
    response = login_as(lead).get(f"/exports/{extreme.id}/workbook.xlsx")

    assert response.status_code == 200
    _assert_written(_sheet_answers(load_workbook(io.BytesIO(response.data))), csv_text=False)


@pytest.mark.parametrize("name", list(export_service.TABLES))
def test_every_csv_exports(login_as: Callable, lead: User, extreme: Inspection, name: str) -> None:
    response = login_as(lead).get(f"/exports/{extreme.id}/csv/{name}.csv")

    assert response.status_code == 200
    if name == "answers":
        _assert_written(_csv_answers(response.data), csv_text=True)


def test_the_csv_zip_exports(login_as: Callable, lead: User, extreme: Inspection) -> None:
    response = login_as(lead).get(f"/exports/{extreme.id}/csv.zip")

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        answers = next(n for n in archive.namelist() if n.endswith("answers.csv"))
        _assert_written(_csv_answers(archive.read(answers)), csv_text=True)


@pytest.mark.parametrize("path", ["/report", "/report.pdf"])
def test_the_report_renders(login_as: Callable, lead: User, extreme: Inspection, path: str) -> None:
    response = login_as(lead).get(f"/exports/{extreme.id}{path}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("export_format", "target"),
    [("xlsx", "out.xlsx"), ("csv", "csv"), ("csv", "out.zip"), ("pdf", "out.pdf")],
)
def test_flask_export_succeeds(
    app: Flask, extreme: Inspection, tmp_path: Path, export_format: str, target: str
) -> None:
    out = tmp_path / target

    result = app.test_cli_runner().invoke(
        args=["export", str(extreme.id), "--format", export_format, "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    if export_format == "xlsx":
        _assert_written(_sheet_answers(load_workbook(out)), csv_text=False)
    if target == "csv":
        _assert_written(_csv_answers((out / "answers.csv").read_bytes()), csv_text=True)
