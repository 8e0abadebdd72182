"""Case lists from real exports: upload, preview, map columns and labels, check, import."""

from __future__ import annotations

import csv as csv_module
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import Case, CaseType, CaseTypeLabel, Inspection, QuestionSet, User
from auditapp.services import case_import
from auditapp.services.case_list_mapping import ColumnMapping
from tests import factories
from tests.case_list_steps import (
    choose_columns,
    choose_labels,
    import_list,
    label_field,
    read_form,
    upload,
)

FORCE_EXPORT = (
    b"Crime No,Offence Category,Recorded,District,Risk\n"
    b"F-1,Domestic Abuse,01/03/2024,North,High\n"
    b"F-2,domestic abuse ,02/03/2024,South,Medium\n"
    b"F-3,PPO,03/03/2024,North,Low\n"
    b"F-4,ppo,04/03/2024,East,Low\n"
    b"F-5,Missing Episode,05/03/2024,West,High\n"
)


@pytest.fixture(autouse=True)
def _question_sets() -> None:
    factories.question_set("domestic-abuse")
    factories.question_set("missing-child")


def type_id(slug: str) -> str:
    found = db.session.scalar(select(CaseType.id).where(CaseType.slug == slug))
    assert found is not None
    return str(found)


def case_count() -> int:
    return db.session.scalar(select(func.count(Case.id))) or 0


FORCE_COLUMNS = {"reference": "Crime No", "case_type": "Offence Category", "date": "Recorded"}


def force_labels() -> dict[str, str]:
    return {
        "Domestic Abuse": type_id("domestic-abuse"),
        "PPO": type_id("domestic-abuse"),
        "Missing Episode": type_id("missing-child"),
    }


def test_force_export_is_mapped_and_imported(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    response = import_list(
        c,
        inspection,
        FORCE_EXPORT,
        "export.csv",
        keep=("District",),
        labels=force_labels(),
        columns=FORCE_COLUMNS,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}/sampling")
    cases = {case.reference: case for case in db.session.scalars(select(Case))}
    assert sorted(cases) == ["F-1", "F-2", "F-3", "F-4", "F-5"]
    assert cases["F-1"].attributes == {"District": "North"}  # "Risk" was not ticked
    assert cases["F-3"].case_date == date(2024, 3, 3)


def start(c: Any, inspection: Inspection, content: bytes = FORCE_EXPORT) -> str:
    """Upload; the columns page's URL."""
    response = upload(c, inspection, content, "export.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "/columns" in response.headers["Location"]
    return str(response.headers["Location"])


def to_check(c: Any, inspection: Inspection, labels: dict[str, str], **kwargs: Any) -> str:
    """Upload, columns and labels; the check page's URL."""
    response = choose_columns(c, start(c, inspection, **kwargs), ("District",), **FORCE_COLUMNS)
    assert response.status_code == 302, response.get_data(as_text=True)
    response = choose_labels(c, response.headers["Location"], labels)
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def test_the_first_rows_are_previewed_in_their_own_scrolling_container(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    page = c.get(start(c, inspection)).get_data(as_text=True)
    preview = page[page.index('id="preview"') - 60 : page.index("</table>")]
    assert 'class="app-table-scroll"' in preview and 'tabindex="0"' in preview
    assert "The first 5 of 5 rows" in preview
    assert "Offence Category" in preview and "F-5" in preview and "Missing Episode" in preview
    assert "Keep “Risk”: it holds no personal data" in page
    assert case_count() == 0  # nothing is imported before the last step


def test_usual_headings_are_suggested_and_no_column_is_kept_unasked(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    content = b"Case Ref,Case type,Incident date,Area\nX-1,missing-child,2022-05-01,North\n"
    form = read_form(c.get(start(c, inspection, content)).get_data(as_text=True))
    assert form.values["reference"] == ["Case Ref"]
    assert form.values["case_type"] == ["Case type"]
    assert form.values["date"] == ["Incident date"]
    assert form.values.get("kept", []) == []


def test_a_column_not_confirmed_is_not_kept(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    response = import_list(
        login_as(lead), inspection, FORCE_EXPORT, "export.csv",
        labels=force_labels(), columns=FORCE_COLUMNS,
    )  # fmt: skip
    assert response.status_code == 302
    assert all(a == {} for a in db.session.scalars(select(Case.attributes)))


def test_an_unmapped_label_is_refused_in_one_grouped_line_and_nothing_is_imported(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    labels = {**force_labels(), "PPO": ""}
    check_url = to_check(c, inspection, labels)

    response = c.get(check_url)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The case list was not imported: fix the 2 problems below" in page
    table = page[page.index('id="problems"') :]
    assert table.count("is not mapped to a case type") == 1  # one line, never one per row
    assert "2 rows (4, 5)" in page
    assert "case type &#34;PPO&#34; is not mapped to a case type" in page
    assert "Import the case list" not in page
    posted = c.post_form(check_url, {})
    assert posted.status_code == 400
    assert case_count() == 0


@pytest.mark.parametrize("heading", ["Victim Name", "DoB", "Postal code", "Childs DoB"])
def test_a_personal_data_column_is_refused_at_upload_with_the_column_named(
    login_as: Any, inspection: Inspection, lead: User, heading: str
) -> None:
    content = f"Crime No,Offence Category,Recorded,{heading}\nF-1,PPO,01/03/2024,x\n".encode()
    response = upload(login_as(lead), inspection, content, "export.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Column &#34;{heading}&#34; looks like personal data" in page
    assert case_count() == 0


def test_a_kept_column_with_personal_values_is_refused_with_row_and_column_named(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    content = FORCE_EXPORT.replace(b"F-3,PPO,03/03/2024,North", b"F-3,PPO,03/03/2024,CB1 1AA")
    c = login_as(lead)
    page = c.get(to_check(c, inspection, force_labels(), content=content)).get_data(as_text=True)
    assert '<td class="govuk-table__cell">4</td>' in page
    assert "column &#34;District&#34; holds what looks like a UK postcode" in page
    assert case_count() == 0


def test_the_service_refuses_a_kept_column_that_looks_personal(
    inspection: Inspection, lead: User
) -> None:
    frame = case_import.read_table(b"ref,type,date,Notes\nA,ppo,2024-01-01,x\n", "a.csv")
    frame = frame.rename(columns={"Notes": "Surname"})
    mapping = ColumnMapping("ref", "type", "date", kept=("Surname",), labels={"ppo": 1})
    checked = case_import.check_case_list(inspection, frame, mapping)
    assert [p.column for p in checked.problems] == ["Surname"]
    assert "looks like personal data" in checked.problems[0].message


def test_labels_are_matched_case_insensitively(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    content = FORCE_EXPORT.replace(b"Missing Episode", b"MISSING-CHILD")
    response = choose_columns(c, start(c, inspection, content), (), **FORCE_COLUMNS)
    form = read_form(c.get(response.headers["Location"]).get_data(as_text=True))
    # "Domestic Abuse" and "domestic abuse " are one label; so are "PPO" and "ppo".
    assert sorted(form.labels) == [
        "“Domestic Abuse” (2 rows)", "“MISSING-CHILD” (1 row)", "“PPO” (2 rows)"
    ]  # fmt: skip
    # A label that is a case type's short name, in any case, is suggested.
    assert form.values[label_field(form, "MISSING-CHILD")] == [type_id("missing-child")]
    assert form.values[label_field(form, "PPO")] == [""]


def test_a_remembered_mapping_is_offered_next_time_for_the_same_force_only(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    response = import_list(
        c, inspection, FORCE_EXPORT, "export.csv", labels=force_labels(), columns=FORCE_COLUMNS
    )
    assert response.status_code == 302
    remembered = db.session.scalars(select(CaseTypeLabel.label).order_by(CaseTypeLabel.label))
    assert list(remembered) == ["domestic abuse", "missing episode", "ppo"]

    same_force = factories.scope_every_case_type(factories.make_inspection("Review 2024"))
    other_force = factories.scope_every_case_type(
        factories.make_inspection("Elsewhere 2024", force="Otherford Police")
    )
    for later, expected in [(same_force, type_id("domestic-abuse")), (other_force, "")]:
        factories.add_member(later, lead, factories.InspectionRole.LEAD)
        columns = choose_columns(c, start(c, later), (), **FORCE_COLUMNS)
        form = read_form(c.get(columns.headers["Location"]).get_data(as_text=True))
        assert form.values[label_field(form, "PPO")] == [expected]


def test_reimport_adds_new_updates_unsampled_and_reports_a_changed_sampled_case(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    first = import_list(
        c, inspection, FORCE_EXPORT, "export.csv",
        keep=("District",), labels=force_labels(), columns=FORCE_COLUMNS,
    )  # fmt: skip
    assert first.status_code == 302
    sampled = db.session.scalar(select(Case).where(Case.reference == "F-3"))
    assert sampled is not None
    sampled.in_sample = True
    db.session.commit()
    updated = (
        FORCE_EXPORT.replace(
            b"F-2,domestic abuse ,02/03/2024", b"F-2,domestic abuse ,09/03/2024"
        ).replace(b"F-3,PPO,03/03/2024,North", b"F-3,PPO,03/03/2024,West")
        + b"F-6,PPO,06/03/2024,North,Low\n"
    )
    check_url = to_check(c, inspection, force_labels(), content=updated)

    page = c.get(check_url).get_data(as_text=True)

    counts = " ".join(page[page.index('id="counts"') :].split())
    for key, value in [("New cases", "1"), ("Unchanged rows", "3"),
                       ("Changed rows of cases not sampled (updated)", "1"),
                       ("Changed rows of sampled cases (left as they are)", "1")]:  # fmt: skip
        assert f'{key} </dt> <dd class="govuk-summary-list__value"> {value} </dd>' in counts
    assert "These sampled cases differ in the file" in page and "F-3" in page

    response = c.post_form(check_url, {})

    assert response.status_code == 302
    flashed = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 case: 1 Domestic abuse" in flashed
    assert "3 rows unchanged; 1 case updated" in flashed
    assert "1 changed row of sampled case left as it was (F-3)" in flashed
    cases = {case.reference: case for case in db.session.scalars(select(Case))}
    assert len(cases) == 6
    assert cases["F-2"].case_date == date(2024, 3, 9)  # unsampled: updated
    assert cases["F-3"].attributes == {"District": "North"}  # sampled: left as it was


def test_the_service_counts_new_unchanged_and_changed(inspection: Inspection, lead: User) -> None:
    labels = {"ppo": int(type_id("domestic-abuse"))}
    mapping = ColumnMapping("ref", "type", "date", labels=labels)
    first = b"ref,type,date\nA,PPO,2024-01-01\nB,ppo,2024-01-02\n"
    case_import.import_case_list(inspection, first, "a.csv", by=lead, mapping=mapping)
    again = b"ref,type,date\nA,PPO,2024-01-01\nB,ppo,2024-02-02\nC,ppo,2024-01-03\n"
    result = case_import.import_case_list(inspection, again, "a.csv", by=lead, mapping=mapping)
    assert (result.count, result.unchanged, result.updated) == (1, 1, 1)
    assert case_count() == 3


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_template_downloads_with_formulas_neutralised(
    login_as: Any, inspection: Inspection, lead: User, extension: str
) -> None:
    hostile = CaseType(slug="hostile", name='=HYPERLINK("http://evil.example","x")')
    db.session.add(hostile)
    db.session.add(
        QuestionSet(case_type=hostile, version=1, title="x", definition={}, source_text="")
    )
    db.session.commit()
    factories.scope_every_case_type(inspection)
    response = login_as(lead).get(f"/inspections/{inspection.id}/import/template.{extension}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    if extension == "csv":
        assert response.mimetype == "text/csv"
        rows = list(csv_module.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.data)).active
        rows = [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Case reference", "Case type", "Date", "Area"]
    types = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","x")' in types
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_template_imports_as_it_is(login_as: Any, inspection: Inspection, lead: User) -> None:
    c = login_as(lead)
    template = c.get(f"/inspections/{inspection.id}/import/template.xlsx").data
    response = import_list(c, inspection, template, "template.xlsx", keep=("Area",))
    assert response.status_code == 302
    assert case_count() == 2


def test_a_non_lead_is_refused_every_step(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    columns_url = start(login_as(lead), inspection)
    c = login_as(auditor)
    base = f"/inspections/{inspection.id}/import"
    for url in [base, columns_url, columns_url.replace("/columns", "/labels"),
                columns_url.replace("/columns", "/check"), f"{base}/template.csv",
                f"{base}/template.xlsx"]:  # fmt: skip
        assert c.get(url).status_code == 403, url
    assert c.post_form(columns_url.replace("/columns", "/check"), {}).status_code == 403
    assert case_count() == 0


def test_another_users_upload_cannot_be_used(
    login_as: Any, inspection: Inspection, lead: User, admin: User
) -> None:
    columns_url = start(login_as(lead), inspection)
    response = login_as(admin).get(columns_url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}/import")
    page = login_as(admin).get(columns_url, follow_redirects=True).get_data(as_text=True)
    assert "has expired or is not available: upload it again" in page


def test_steps_need_the_csrf_token(login_as: Any, inspection: Inspection, lead: User) -> None:
    c = login_as(lead)
    columns_url = start(c, inspection)
    response = c.post(columns_url, data={**FORCE_COLUMNS, "kept": ["District"]})
    assert response.status_code == 400
    labels_page = c.get(columns_url.replace("/columns", "/labels"))
    assert labels_page.status_code == 302  # the columns were never saved
    check_url = to_check(c, inspection, force_labels())
    assert c.post(check_url, data={}).status_code == 400
    assert case_count() == 0


def test_the_upload_is_deleted_after_the_import(
    app: Any, login_as: Any, inspection: Inspection, lead: User
) -> None:
    c = login_as(lead)
    check_url = to_check(c, inspection, force_labels())
    token = check_url.rstrip("/").split("/")[-2]
    folder = Path(app.instance_path) / "case-list-uploads"
    assert list(folder.glob(f"{token}.*"))
    assert c.post_form(check_url, {}).status_code == 302
    assert not list(folder.glob(f"{token}.*"))
    assert c.get(check_url).status_code == 302  # gone: back to the upload
