"""Question sets as spreadsheets on the admin pages and the CLI: download, upload, refusals."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from auditapp.domain.question_sets import dump_question_set, load_library, load_question_set
from auditapp.domain.question_sets.spreadsheet import question_set_to_sheets
from auditapp.extensions import db
from auditapp.models import AuditEvent, CaseType, Question, QuestionSet, User
from auditapp.services.case_list_files import ReadLimits
from auditapp.services.question_set_workbooks import (
    question_set_workbook,
    read_question_set_workbook,
)
from auditapp.services.question_sets import import_question_set

LIBRARY = {qs.case_type: qs for qs in load_library() if qs.version == 1}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Page(HTMLParser):
    """The links (text -> href) and the listed problems of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.links: dict[str, str] = {}
        self.problems: list[str] = []
        self._href: str | None = None
        self._text = ""
        self._in_problems = False
        self._code = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), ""
        if tag == "ul" and dict(attrs).get("id") == "problems":
            self._in_problems = True
        if tag == "code" and self._in_problems:
            self._code = True
            self.problems.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links[" ".join(self._text.split())] = self._href
            self._href = None
        if tag == "ul":
            self._in_problems = False
        if tag == "code":
            self._code = False

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data
        if self._code:
            self.problems[-1] += data


def _counts() -> tuple[int, int, int, int]:
    """Case types, question sets, questions, and question-set entries in the audit log."""
    return (
        db.session.scalar(select(func.count(CaseType.id))) or 0,
        db.session.scalar(select(func.count(QuestionSet.id))) or 0,
        db.session.scalar(select(func.count(Question.id))) or 0,
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.entity == "question_set")
        )
        or 0,
    )


def _stored(slug: str) -> QuestionSet:
    row = import_question_set(dump_question_set(LIBRARY[slug]), filename=f"{slug}.yaml")
    db.session.commit()
    return row


def _upload(c: Any, content: bytes, filename: str = "set.xlsx") -> Any:
    return c.post_form(
        "/admin/question-sets/upload",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _workbook_with(slug: str, sheet: str, cell: str, value: Any) -> bytes:
    """The library set's workbook with one cell changed (as a person editing it would)."""
    workbook = load_workbook(io.BytesIO(question_set_workbook(LIBRARY[slug])))
    workbook[sheet][cell] = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_admin_downloads_a_set_as_a_spreadsheet_from_the_list_and_its_page(
    login_as: Any, admin: User
) -> None:
    row = _stored("online-csae")
    c = login_as(admin)
    listing = _Page(c.get("/admin/question-sets").get_data(as_text=True))
    name = LIBRARY["online-csae"].case_type_name
    href = listing.links[f"Download spreadsheet of {name} version 1"]
    assert listing.links[f"Download YAML of {name} version 1"]
    shown = _Page(c.get(f"/admin/question-sets/{row.id}").get_data(as_text=True))
    assert shown.links["Download as spreadsheet (XLSX)"] == href
    response = c.get(href)
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == 'attachment; filename="online-csae-v1.xlsx"'
    content = response.get_data()
    assert read_question_set_workbook(content, "x.xlsx", ReadLimits()) == LIBRARY["online-csae"]


def test_admin_uploads_an_edited_spreadsheet_as_a_new_version(login_as: Any, admin: User) -> None:
    _stored("missing-child")
    c = login_as(admin)
    # settings sheet: row 4 holds the version; questions sheet C3 the first question's text.
    workbook = load_workbook(io.BytesIO(question_set_workbook(LIBRARY["missing-child"])))
    workbook["settings"]["B4"] = 2
    workbook["questions"]["C3"] = "When was the child reported missing, by the clock?"
    output = io.BytesIO()
    workbook.save(output)
    response = _upload(c, output.getvalue(), "missing-child-v2.xlsx")
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "When was the child reported missing, by the clock?" in page
    rows = db.session.scalars(select(QuestionSet).order_by(QuestionSet.version)).all()
    assert [r.version for r in rows] == [1, 2]
    yaml_download = c.get(f"/admin/question-sets/{rows[1].id}/export").get_data(as_text=True)
    assert load_question_set(yaml_download).questions[0].text.endswith("by the clock?")


def test_a_spreadsheet_with_a_mistake_names_its_cell_and_changes_nothing(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    rows = question_set_to_sheets(LIBRARY["domestic-abuse"])["questions"]
    row = next(number for number, r in enumerate(rows, start=1) if r[1] == "DA05")
    assert rows[0][4] == "show_if"  # column E
    content = _workbook_with("domestic-abuse", "questions", f"E{row}", "DA99 = yes")
    before = _counts()
    response = _upload(c, content)
    assert response.status_code == 200
    page = _Page(response.get_data(as_text=True))
    assert page.problems == [f"questions sheet, row {row}, column 'show_if': unknown question DA99"]
    assert "<title>Error: Import a question set" in response.get_data(as_text=True)
    assert _counts() == before


def test_a_file_that_is_not_a_workbook_changes_nothing(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    before = _counts()
    response = _upload(c, b"PK\x03\x04 not really a zip", "broken.xlsx")
    assert response.status_code == 200
    assert "could not be read as an XLSX workbook" in response.get_data(as_text=True)
    assert _counts() == before


def test_other_file_types_are_refused_by_the_form(login_as: Any, admin: User) -> None:
    response = _upload(login_as(admin), b"a,b\n", "set.csv")
    assert response.status_code == 200
    assert "The file must be a .yaml, .yml or .xlsx file" in response.get_data(as_text=True)


def test_members_who_are_not_admins_cannot_download_or_upload_spreadsheets(
    login_as: Any, lead: User, observer: User, outsider: User
) -> None:
    row = _stored("police-protection")
    content = _workbook_with("police-protection", "settings", "B4", 2)
    before = _counts()
    for user in (lead, observer, outsider):
        c = login_as(user)
        assert c.get(f"/admin/question-sets/{row.id}/spreadsheet").status_code == 403
        assert _upload(c, content).status_code == 403
    assert _counts() == before


def test_signed_out_visitors_are_sent_to_sign_in(client: Any) -> None:
    row = _stored("police-protection")
    response = client.get(f"/admin/question-sets/{row.id}/spreadsheet")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_an_upload_without_the_form_token_is_refused_and_changes_nothing(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    before = _counts()
    content = question_set_workbook(LIBRARY["missing-child"])
    response = c.post(
        "/admin/question-sets/upload",
        data={"file": (io.BytesIO(content), "set.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert _counts() == before


def test_the_download_of_a_missing_set_is_not_found(login_as: Any, admin: User) -> None:
    assert login_as(admin).get("/admin/question-sets/999/spreadsheet").status_code == 404


def test_cli_exports_a_spreadsheet_and_imports_it_back(app: Flask, tmp_path: Path) -> None:
    _stored("child-detention")
    runner = app.test_cli_runner()
    out = tmp_path / "cd.xlsx"
    export = ["question-sets", "export", "child-detention", "1", "--format", "xlsx"]
    result = runner.invoke(args=[*export, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        read_question_set_workbook(out.read_bytes(), "cd.xlsx", ReadLimits())
        == LIBRARY["child-detention"]
    )
    no_out = runner.invoke(args=export)
    assert no_out.exit_code != 0 and "--out" in no_out.output
    workbook = load_workbook(out)
    workbook["settings"]["B4"] = 2
    workbook.save(out)
    imported = runner.invoke(args=["question-sets", "import", str(out)])
    assert imported.exit_code == 0, imported.output
    assert "Imported" in imported.output
    assert db.session.scalar(select(func.count(QuestionSet.id))) == 2
