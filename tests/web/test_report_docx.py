"""Downloads named for people, the Word draft's download and command, ZIP member dates, and the
workbook's intervals."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, CaseStatus, Inspection, User
from auditapp.services import exports as export_service
from auditapp.services import findings
from auditapp.services.exports.downloads import download_slug
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
        answers=ANSWERS | {"DA06": "no", "DA05": "no", "DA09": "no"},
        status=CaseStatus.SUBMITTED,
    )
    inspection.force = "Cambridgeshire Constabulary"
    inspection.title = "Post-inspection review 2022"
    inspection.start_date = date(2022, 9, 5)
    db.session.commit()
    return inspection


@pytest.mark.parametrize(
    ("force", "title", "when", "slug"),
    [
        (
            "Cambridgeshire Constabulary",
            "Post-inspection review 2022",
            date(2022, 9, 5),
            "cambridgeshire-post-inspection-review-2022-09",
        ),
        (
            "Avon and Somerset Police",
            "National child protection inspection",
            date(2021, 7, 5),
            "avon-and-somerset-national-child-protection-inspection-2021-07",
        ),
        (
            "Police Service of Northern Ireland",
            "Thematic: custody",
            None,
            "police-service-of-northern-ireland-thematic-custody",
        ),
        (
            "Gwent Police",
            "Adolygiad \u2013 \u00d4l-arolygiad",
            date(2023, 1, 2),
            "gwent-adolygiad-ol-arolygiad-2023-01",
        ),
        ("Police", "", None, "police"),
    ],
)
def test_one_function_names_downloads_from_force_title_and_month(
    force: str, title: str, when: date | None, slug: str
) -> None:
    assert download_slug(force, title, when) == slug


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/workbook.xlsx", "workbook.xlsx"),
        ("/csv/cases.csv", "cases.csv"),
        ("/csv.zip", "csv.zip"),
        ("/report.docx", "report-draft.docx"),
    ],
)
def test_downloads_are_named_for_people(
    login_as: Callable, lead: User, graded: Inspection, path: str, name: str
) -> None:
    response = login_as(lead).get(f"/exports/{graded.id}{path}")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=cambridgeshire-post-inspection-review-2022-09-{name}"
    )


def test_lead_downloads_the_word_draft_with_the_dashboards_headline(
    login_as: Callable, lead: User, graded: Inspection
) -> None:
    client = login_as(lead)
    assert "Draft report (Word)" in client.get(f"/exports/{graded.id}").get_data(as_text=True)

    response = client.get(f"/exports/{graded.id}/report.docx")

    assert response.status_code == 200
    assert response.mimetype == export_service_docx_mimetype()
    document = docx.Document(io.BytesIO(response.data))
    board = findings.dashboard(graded.id)
    text = " ".join(p.text for p in document.paragraphs)
    assert f"We audited {board.overall.cases} child protection cases" in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.user_id, event.field, event.new_value) == (lead.id, "docx", "report")


def export_service_docx_mimetype() -> str:
    from auditapp.exports.docx import DOCX_MIMETYPE

    return DOCX_MIMETYPE


@pytest.mark.parametrize("who", ["auditor", "observer"])
def test_auditors_and_observers_may_not_download_the_word_draft(
    login_as: Callable, request: pytest.FixtureRequest, graded: Inspection, who: str
) -> None:
    response = login_as(request.getfixturevalue(who)).get(f"/exports/{graded.id}/report.docx")

    assert response.status_code == 403
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export")) is None


def test_a_wording_mistake_is_shown_on_the_exports_page_not_as_an_error(
    app: Flask, login_as: Callable, lead: User, graded: Inspection, tmp_path: Path
) -> None:
    (tmp_path / "sentences.yaml").write_text("method:\n  audited: '{cases} audited'\n")
    app.config["REPORT_WORDING_DIR"] = str(tmp_path)
    try:
        client = login_as(lead)
        response = client.get(f"/exports/{graded.id}/report.docx", follow_redirects=True)
    finally:
        app.config.pop("REPORT_WORDING_DIR", None)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "sentences.yaml, line 2: method.audited: missing placeholder {good}" in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export")) is None


def test_zip_members_are_dated_with_the_time_of_the_export(
    graded: Inspection, tmp_path: Path
) -> None:
    exported_at = datetime(2024, 7, 1, 13, 45, 30, tzinfo=UTC)  # 14:45:30 in London (BST)

    export_service.write_csv_zip(graded, tmp_path / "tables.zip", exported_at=exported_at)

    with zipfile.ZipFile(tmp_path / "tables.zip") as archive:
        dates = {info.date_time for info in archive.infolist()}
    assert dates == {(2024, 7, 1, 14, 45, 30)}


def test_downloaded_zip_members_carry_todays_date(
    login_as: Callable, lead: User, graded: Inspection
) -> None:
    before = datetime.now(UTC)
    response = login_as(lead).get(f"/exports/{graded.id}/csv.zip")

    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        stamps = {datetime(*info.date_time) for info in archive.infolist()}
    assert all(abs((s.date() - before.date()).days) <= 1 for s in stamps), stamps
    assert all(s.year > 1980 for s in stamps)


def test_workbook_summary_carries_the_dashboards_intervals(
    login_as: Callable, lead: User, graded: Inspection
) -> None:
    board = findings.dashboard(graded.id)

    workbook = load_workbook(
        io.BytesIO(login_as(lead).get(f"/exports/{graded.id}/workbook.xlsx").data)
    )

    rows = list(workbook["Summary"].iter_rows(values_only=True))
    header = rows[3]
    overall = dict(zip(header, rows[4], strict=True))
    for count in board.overall.grades:
        assert count.share.ci_text.startswith("95% CI ")
        assert overall[f"{count.label} (95% CI)"] == count.share.ci_text


def test_cli_writes_the_word_draft(app: Flask, graded: Inspection, tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"

    result = app.test_cli_runner().invoke(
        args=["export", str(graded.id), "--format", "docx", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    headings = [p.text for p in docx.Document(out).paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Introduction" and headings[-1] == "Notes on the figures"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.field == "docx" and "via command line" in event.new_value


def test_wording_check_names_each_mistake_with_file_and_line(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    assert "templates in" in runner.invoke(args=["wording", "check"]).output

    (tmp_path / "mine.yaml").write_text("progress:\n  judgement: 'Our view: {verdict}.'\n")
    result = runner.invoke(args=["wording", "check", str(tmp_path)])

    assert result.exit_code != 0
    assert "mine.yaml, line 2: progress.judgement: unknown placeholder {verdict}" in result.output


def test_control_characters_in_a_narrative_do_not_break_the_word_draft(
    login_as: Callable, lead: User, graded: Inspection, auditor: User
) -> None:
    factories.make_case(
        graded,
        "DA-3",
        auditor=auditor,
        answers=ANSWERS,
        status=CaseStatus.SUBMITTED,
        is_case_study=True,
        case_study_narrative="Pasted\x07 from\x0b a form.",
    )

    response = login_as(lead).get(f"/exports/{graded.id}/report.docx")

    assert response.status_code == 200
    text = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert "Pasted from a form." in text


def test_the_method_names_each_draw_its_seed_and_its_strata(
    login_as: Callable, lead: User, inspection: Inspection
) -> None:
    from auditapp.services.sampling import draw_cases, stratum_rows

    qs = factories.question_set("domestic-abuse")
    factories.scope(inspection, "domestic-abuse")
    areas = ["North"] * 6 + ["South"] * 4
    for number, area in enumerate(areas, start=1):
        db.session.add(
            Case(
                inspection_id=inspection.id,
                case_type_id=qs.case_type_id,
                reference=f"DA-{number:03d}",
                attributes={"Area": area},
            )
        )
    db.session.commit()
    draw = draw_cases(inspection, qs.case_type_id, "5", by=lead, seed=4821, stratify_by="Area")
    db.session.commit()

    response = login_as(lead).get(f"/exports/{inspection.id}/report.docx")

    document = docx.Document(io.BytesIO(response.data))
    text = [p.text for p in document.paragraphs]
    assert any(
        t.startswith(
            f'Cases were drawn at random within each value of "Area": {draw.sample_size} '
            f"of {draw.frame_size} "
        )
        and "seed 4821" in t
        for t in text
    )
    strata = next(t for t in document.tables if t.rows[0].cells[2].text == "Stratum")
    shown = [(r.cells[2].text, r.cells[3].text, r.cells[4].text) for r in strata.rows[1:]]
    assert shown == [(r.stratum, str(r.frame), str(r.sample)) for r in stratum_rows(inspection)]
