"""Frame and sample per stratum, with the sampling fraction, in the workbook, CSVs and PDF."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from auditapp.extensions import db
from auditapp.models import Inspection, User
from auditapp.services import sampling
from tests.web.test_sampling import case_type_id, list_cases

DA, MC = "domestic-abuse", "missing-child"
# Worked by hand: 20 of 100 Area cases drawn proportionally: North 60 -> 12, South 30 -> 6,
# East 10 -> 2, each 20.0%; missing children 5 of 20 unstratified, 25.0%.
EXPECTED = [
    ("East", "Area", 10, 2, 20.0),
    ("North", "Area", 60, 12, 20.0),
    ("South", "Area", 30, 6, 20.0),
    ("All cases", "", 20, 5, 25.0),
]


def _sampled(inspection: Inspection, lead: User) -> None:
    areas = ["North"] * 60 + ["South"] * 30 + ["East"] * 10
    list_cases(inspection, 100, slug=DA, prefix="DA", Area=areas)
    list_cases(inspection, 20, slug=MC, prefix="MC")
    sampling.draw_all(inspection, {case_type_id(DA): "20"}, by=lead, seed=77, stratify_by="Area")
    sampling.draw_all(inspection, {case_type_id(MC): "5"}, by=lead, seed=78)
    db.session.commit()


def test_workbook_has_a_strata_sheet_equal_to_the_sampling_page(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    _sampled(inspection, lead)
    response = login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["Strata"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Case type",
        "Stratified by",
        "Stratum",
        "Cases listed (frame)",
        "Cases sampled",
        "Sampling fraction (%)",
    )
    got = [(r[2], r[1] or "", r[3], r[4], r[5]) for r in rows[1:]]
    assert got == EXPECTED
    # the same function as the sampling page: each row is one of its StratumRows
    page = [(r.stratum, r.column, r.frame, r.sample) for r in sampling.stratum_rows(inspection)]
    assert [g[:4] for g in got] == page


def test_csv_and_zip_carry_the_strata(login_as: Any, inspection: Inspection, lead: User) -> None:
    _sampled(inspection, lead)
    c = login_as(lead)
    single = c.get(f"/exports/{inspection.id}/csv/strata.csv")
    assert single.status_code == 200
    rows = list(csv.DictReader(io.StringIO(single.data.decode("utf-8-sig"))))
    assert [
        (
            r["Stratum"],
            r["Stratified by"],
            int(r["Cases listed (frame)"]),
            int(r["Cases sampled"]),
            float(r["Sampling fraction (%)"]),
        )
        for r in rows
    ] == EXPECTED
    archive = zipfile.ZipFile(io.BytesIO(c.get(f"/exports/{inspection.id}/csv.zip").data))
    assert "strata.csv" in archive.namelist()


def test_report_pdf_shows_the_sample_per_stratum(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    _sampled(inspection, lead)
    response = login_as(lead).get(f"/exports/{inspection.id}/report.pdf")
    assert response.status_code == 200
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split()
    )
    assert "The sample" in text
    assert "Area: North 60 12 20.0%" in text
    assert "All cases 20 5 25.0%" in text
