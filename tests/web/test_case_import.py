"""Case list import (browser and CLI): every bad row named, all or nothing, no personal data."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, Inspection, User
from auditapp.services.case_import import (
    CaseListError,
    import_case_list,
    looks_personal,
    parse_case_date,
)
from tests import factories
from tests.case_list_steps import KEEP_ALL, import_list

DATA = Path(__file__).resolve().parent.parent / "data" / "case_lists"


@pytest.fixture(autouse=True)
def _question_sets() -> None:
    factories.question_set("domestic-abuse")
    factories.question_set("missing-child")


def upload(client: Any, inspection: Inspection, content: bytes, filename: str) -> Any:
    """Every step of the browser import, the lead keeping every extra column and accepting
    the suggested columns and case types (tests/web/test_case_list_mapping.py tests the
    choices themselves)."""
    return import_list(client, inspection, content, filename, keep=KEEP_ALL)


def case_count() -> int:
    return db.session.scalar(select(func.count(Case.id))) or 0


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_valid_csv_is_imported_with_extra_columns_kept(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    response = upload(c, inspection, (DATA / "valid.csv").read_bytes(), "valid.csv")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}/sampling")
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Imported 9 cases: 6 Domestic abuse incident with children present or linked, "
        "3 Missing child episode" in page
    )
    case = db.session.scalar(select(Case).where(Case.reference == "DA-003"))
    assert case is not None
    assert case.case_date.isoformat() == "2022-06-02"  # DD/MM/YYYY read the British way
    assert case.attributes == {"Area": "South", "Risk level": "standard"}
    assert case.in_sample is False and case.question_set_id is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "case_list"))
    assert event is not None and event.user_id == lead.id and event.inspection_id == inspection.id


def test_xlsx_with_real_date_cells_is_imported(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["Case Ref", "Case type", "Incident date", "Area"])
    sheet.append(["X-1", "missing-child", datetime(2022, 5, 1), "North"])
    sheet.append(["X-2", "Missing Child Episode", "03/05/2022", "South"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(login_as(lead), inspection, buffer.getvalue(), "cases.xlsx")
    assert response.status_code == 302
    dates = dict(db.session.execute(select(Case.reference, Case.case_date)).all())
    assert {k: v.isoformat() for k, v in dates.items()} == {
        "X-1": "2022-05-01",
        "X-2": "2022-05-03",
    }


def test_every_bad_row_is_named_and_nothing_is_stored(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    factories.make_case(inspection, "ALREADY-1")
    before = case_count()
    response = upload(login_as(lead), inspection, (DATA / "bad_rows.csv").read_bytes(), "bad.csv")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Check the case list before importing it" in page
    assert "govuk-error-summary" in page
    assert "fix the 6 problems below" in page
    table = page[page.index('id="problems"') :]
    for row, message in [
        (3, "the case reference is missing"),
        (4, "case type &#34;burglary&#34; is not mapped to a case type"),
        (5, "&#34;31/02/2022&#34; is not a date"),
        (6, "case reference DA-101 is a duplicate of row 2"),
        (7, "the date is missing"),
        (8, "&#34;next tuesday&#34; is not a date"),
    ]:
        assert f'<td class="govuk-table__cell">{row}</td>' in table
        assert message in table
    assert case_count() == before  # the good first row was not stored either
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "case_list")) is None


@pytest.mark.parametrize(
    ("row", "lists_known_types"),
    [
        ("DA-1,burglary,2022-01-01", True),
        # A message that merely quotes the words is not an unknown case type.
        ("DA-1,domestic-abuse,not a known case type", False),
    ],
)
def test_known_case_types_are_listed_only_for_an_unknown_case_type(
    inspection: Inspection, lead: User, row: str, lists_known_types: bool
) -> None:
    with pytest.raises(CaseListError) as refused:
        import_case_list(inspection, csv("case reference,case type,date", row), "c.csv", by=lead)

    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].unknown_case_type is lists_known_types
    hints = refused.value.hints
    if lists_known_types:
        assert len(hints) == 1 and hints[0].startswith("Known case types: Domestic abuse")
        assert hints[0].endswith("; Missing child episode")
    else:
        assert hints == []
    assert case_count() == 0


def test_reference_already_in_the_inspection_is_not_added_again(
    login_as: Any, inspection: Inspection, lead: User, other_inspection: Inspection
) -> None:
    factories.make_case(inspection, "DA-9")
    factories.make_case(other_inspection, "DA-8")  # other inspections do not count
    c = login_as(lead)
    response = upload(
        c,
        inspection,
        csv("case reference,case type,date", "da-9,domestic-abuse,2022-01-01",
            "DA-8,domestic-abuse,2022-01-01"),
        "dupes.csv",
    )  # fmt: skip
    assert response.status_code == 302  # a re-import: da-9 is known (any case), DA-8 is new
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 case: 1 Domestic abuse" in page
    assert "1 changed row of sampled case left as it was (DA-9)" in page
    references = db.session.scalars(select(Case.reference).where(Case.inspection == inspection))
    assert sorted(references) == ["DA-8", "DA-9"]
    assert case_count() == 3


@pytest.mark.parametrize(
    "header",
    ["Surname", "First name", "Full Name", "Forename", "Date of birth", "DOB", "Address",
     "Postcode", "Street", "Phone", "email", "NHS number", "NI number", "childName"],
)  # fmt: skip
def test_personal_data_columns_refuse_the_whole_file(
    login_as: Any, inspection: Inspection, lead: User, header: str
) -> None:
    response = upload(
        login_as(lead),
        inspection,
        csv(f"case reference,case type,date,{header}", "DA-1,domestic-abuse,2022-01-01,x"),
        "people.csv",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"Column &#34;{header}&#34; looks like personal data" in page
    assert "holds pseudonymous case references only" in page
    assert case_count() == 0


def test_sample_personal_data_file_names_each_column(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    response = upload(
        login_as(lead), inspection, (DATA / "personal_data.csv").read_bytes(), "p.csv"
    )
    page = response.get_data(as_text=True)
    for header in ("Surname", "Date of birth", "Postcode"):
        assert f"Column &#34;{header}&#34; looks like personal data" in page
    assert case_count() == 0


def test_missing_required_columns_are_named(
    app: Flask, login_as: Any, inspection: Inspection, lead: User
) -> None:
    response = upload(
        login_as(lead), inspection, (DATA / "missing_columns.csv").read_bytes(), "m.csv"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The file needs at least three columns: case reference, case type and date" in page
    assert "Whole file" in page
    # The command line maps by heading, so it names the missing ones.
    result = app.test_cli_runner().invoke(
        args=["cases", "import", str(DATA / "missing_columns.csv"), "--inspection",
              str(inspection.id)],
    )  # fmt: skip
    assert 'The file has no "case type" column' in result.output
    assert 'The file has no "date" column' in result.output


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"a,b\n", "cases.txt", "The file must be a CSV or XLSX file"),
        (b"", "empty.csv", "The file is empty"),
        (b"case reference,case type,date\n", "header.csv", "has a header row but no cases"),
        (b"not a workbook", "broken.xlsx", "could not be read as an XLSX workbook"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    login_as: Any, inspection: Inspection, lead: User, content: bytes, filename: str, message: str
) -> None:
    response = upload(login_as(lead), inspection, content, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_file_over_the_size_limit_gets_a_clear_message(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    big = b"case reference,case type,date\n" + b"x" * (5 * 1024 * 1024 + 10)
    response = upload(login_as(lead), inspection, big, "huge.csv")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file must be smaller than 5 MB" in page
    assert "Import a case list" in page
    assert case_count() == 0


def test_cli_imports_the_same_way(app: Flask, inspection: Inspection, lead: User) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["cases", "import", str(DATA / "valid.csv"), "--inspection", str(inspection.id),
              "--by", lead.email],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported 9 cases" in result.output
    assert case_count() == 9


def test_cli_lists_bad_rows_and_stores_nothing(app: Flask, inspection: Inspection) -> None:
    result = app.test_cli_runner().invoke(
        args=["cases", "import", str(DATA / "bad_rows.csv"), "--inspection", str(inspection.id)]
    )
    assert result.exit_code == 1
    assert 'bad_rows.csv: Row 4: case type "burglary" is not a known case type' in result.output
    assert "Nothing imported: 6 problem(s)" in result.output
    assert case_count() == 0


def test_cli_refuses_unknown_inspection(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["cases", "import", str(DATA / "valid.csv"), "--inspection", "999"]
    )
    assert result.exit_code == 1
    assert "There is no inspection 999" in result.output


@pytest.mark.parametrize(
    ("header", "personal"),
    [("Area", False), ("Risk level", False), ("District", False), ("Case type", False),
     ("Surname", True), ("DateOfBirth", True), ("home_address", True), ("Tel (mobile)", True)],
)  # fmt: skip
def test_personal_column_detection(header: str, personal: bool) -> None:
    assert looks_personal(header) is personal


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2022-09-05", "2022-09-05"), ("05/09/2022", "2022-09-05"), ("5 September 2022",
     "2022-09-05"), ("2022-09-05 00:00:00", "2022-09-05"), ("31/02/2022", None), ("soon", None)],
)  # fmt: skip
def test_case_dates_are_read_day_first(text: str, iso: str | None) -> None:
    parsed = parse_case_date(text)
    assert (parsed.isoformat() if parsed else None) == iso


def test_cli_keeps_only_the_extra_columns_named_with_keep(
    app: Flask, inspection: Inspection, lead: User
) -> None:
    runner = app.test_cli_runner()
    path = str(DATA / "valid.csv")
    result = runner.invoke(
        args=["cases", "import", path, "--inspection", str(inspection.id), "--keep", "Area"]
    )
    assert result.exit_code == 0, result.output
    attributes = db.session.scalars(select(Case.attributes)).all()
    assert attributes and all(set(a) == {"Area"} for a in attributes)


def test_cli_without_keep_imports_no_extra_column(app: Flask, inspection: Inspection) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["cases", "import", str(DATA / "valid.csv"), "--inspection", str(inspection.id)]
    )
    assert result.exit_code == 0, result.output
    assert all(not a for a in db.session.scalars(select(Case.attributes)))


def test_cli_refuses_to_keep_a_column_the_file_does_not_have(
    app: Flask, inspection: Inspection
) -> None:
    result = app.test_cli_runner().invoke(
        args=["cases", "import", str(DATA / "valid.csv"), "--inspection", str(inspection.id),
              "--keep", "Postcode"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert 'There is no extra column "Postcode" to keep' in result.output
    assert case_count() == 0
