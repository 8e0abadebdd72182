"""`flask export INSPECTION_ID --format xlsx|csv|pdf --out PATH` for scripted use."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import AuditEvent, CaseStatus, Inspection, User
from auditapp.services import exports as export_service
from auditapp.services import findings
from tests import factories

ANSWERS = {f"DA{n:02d}": "yes" for n in range(1, 18)} | {"DA03": "attended", "DA11": "high"}


@pytest.fixture
def graded(inspection: Inspection, auditor: User) -> Inspection:
    factories.make_case(
        inspection, "DA-1", auditor=auditor, answers=ANSWERS, status=CaseStatus.SUBMITTED
    )
    factories.make_case(
        inspection,
        "DA-2",
        auditor=auditor,
        answers=ANSWERS | {"DA06": "no"},
        status=CaseStatus.SUBMITTED,
    )
    return inspection


def _export(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["export", *args])


def test_cli_writes_the_workbook_with_the_dashboard_figures(
    app: Flask, graded: Inspection, tmp_path: Path
) -> None:
    out = tmp_path / "audit.xlsx"

    result = _export(app, str(graded.id), "--format", "xlsx", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert "Exported inspection" in result.output
    summary = load_workbook(out)["Summary"]
    assert summary["A2"].value.startswith(findings.dashboard(graded.id).headline)


def test_cli_writes_one_csv_per_table_into_a_directory(
    app: Flask, graded: Inspection, tmp_path: Path
) -> None:
    out = tmp_path / "csv"

    result = _export(app, str(graded.id), "--format", "csv", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{name}.csv" for name in export_service.TABLES
    )
    cases = list(csv.DictReader(io.StringIO((out / "cases.csv").read_text("utf-8-sig"))))
    assert [row["Reference"] for row in cases] == ["DA-1", "DA-2"]


def test_cli_writes_the_csv_files_into_a_zip(
    app: Flask, graded: Inspection, tmp_path: Path
) -> None:
    out = tmp_path / "tables.zip"

    result = _export(app, str(graded.id), "--format", "csv", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert "summary.csv" in zipfile.ZipFile(out).namelist()


def test_cli_writes_the_pdf_report(app: Flask, graded: Inspection, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"

    result = _export(app, str(graded.id), "--format", "pdf", "--out", str(out))

    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "2 cases audited" in " ".join(text.split())


def test_cli_exports_are_in_the_audit_log(app: Flask, graded: Inspection, tmp_path: Path) -> None:
    _export(app, str(graded.id), "--format", "xlsx", "--out", str(tmp_path / "a.xlsx"))

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event is not None
    assert event.inspection_id == graded.id
    assert event.field == "xlsx"
    assert event.new_value.startswith("all via command line by ")


def test_cli_refuses_an_unknown_inspection(app: Flask, tmp_path: Path) -> None:
    result = _export(app, "999", "--format", "xlsx", "--out", str(tmp_path / "a.xlsx"))

    assert result.exit_code != 0
    assert "No inspection 999" in result.output


def test_cli_refuses_a_csv_target_that_is_a_file(
    app: Flask, graded: Inspection, tmp_path: Path
) -> None:
    target = tmp_path / "exists.txt"
    target.write_text("x")

    result = _export(app, str(graded.id), "--format", "csv", "--out", str(target))

    assert result.exit_code != 0
    assert "give a directory or a .zip path" in result.output
