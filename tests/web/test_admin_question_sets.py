"""Question sets: admin upload, view and export, and the question-sets CLI."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from auditapp.domain.question_sets import dump_question_set, load_library, load_question_set
from auditapp.extensions import db
from auditapp.models import CaseType, Question, QuestionSet, User

LIBRARY = {qs.case_type: qs for qs in load_library() if qs.version == 1}


def _library_text(slug: str, **changes: Any) -> str:
    text = dump_question_set(LIBRARY[slug])
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(CaseType.id))) or 0,
        db.session.scalar(select(func.count(QuestionSet.id))) or 0,
        db.session.scalar(select(func.count(Question.id))) or 0,
    )


def _upload(c: Any, text: str, filename: str = "set.yaml") -> Any:
    return c.post_form(
        "/admin/question-sets/upload",
        {"file": (io.BytesIO(text.encode()), filename)},
        content_type="multipart/form-data",
    )


def test_admin_uploads_a_question_set_and_sees_its_questions(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    response = _upload(c, _library_text("missing-child"), "missing-child.yaml")
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    first = LIBRARY["missing-child"].questions[0]
    assert first.text in page
    assert "Critical" in page
    listing = c.get("/admin/question-sets").get_data(as_text=True)
    assert LIBRARY["missing-child"].case_type_name in listing


def test_invalid_upload_names_the_place_and_stores_nothing(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    qs = LIBRARY["domestic-abuse"]
    conditional = next(q for q in qs.questions if q.show_if is not None)
    bad = _library_text(
        "domestic-abuse",
        **{f"question: {conditional.show_if.question}": "question: DA99"},
    )
    before = _counts()
    response = _upload(c, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Import a question set" in page
    assert "show_if" in page and "DA99" in page
    assert _counts() == before


def test_yaml_syntax_error_is_reported(login_as: Any, admin: User) -> None:
    response = _upload(login_as(admin), "case_type: [unclosed\n")
    assert response.status_code == 200
    assert "Nothing was imported" in response.get_data(as_text=True)


def test_same_version_twice_is_refused(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    assert _upload(c, _library_text("police-protection")).status_code == 302
    before = _counts()
    again = _upload(c, _library_text("police-protection"))
    assert "already exists" in again.get_data(as_text=True)
    assert _counts() == before


def test_new_version_leaves_older_version_untouched(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    _upload(c, _library_text("police-protection"))
    old = db.session.scalar(select(QuestionSet).where(QuestionSet.version == 1))
    old_source = old.source_text
    newer = _library_text("police-protection", **{"version: 1\n": "version: 2\n"})
    assert _upload(c, newer).status_code == 302
    db.session.refresh(old)
    assert old.source_text == old_source
    assert db.session.scalar(select(func.count(QuestionSet.id))) == 2


def test_export_round_trips(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    location = _upload(c, _library_text("online-csae")).headers["Location"]
    exported = c.get(location + "/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    assert load_question_set(exported.get_data(as_text=True)) == LIBRARY["online-csae"]


def test_non_admin_cannot_reach_question_set_pages(login_as: Any, lead: User) -> None:
    c = login_as(lead)
    assert c.get("/admin/question-sets").status_code == 403
    assert _upload(c, _library_text("missing-child")).status_code == 403


def test_cli_imports_exports_and_lists(app: Flask, tmp_path: Path) -> None:
    source = tmp_path / "child-detention.yaml"
    source.write_text(_library_text("child-detention"), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["question-sets", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output
    listed = runner.invoke(args=["question-sets", "list"])
    assert "child-detention\tv1" in listed.output
    out = tmp_path / "out.yaml"
    exported = runner.invoke(
        args=["question-sets", "export", "child-detention", "1", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert load_question_set(out.read_text()) == LIBRARY["child-detention"]


def test_cli_import_is_all_or_nothing(app: Flask, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(_library_text("missing-child"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_type: x\n", encoding="utf-8")
    before = _counts()
    result = app.test_cli_runner().invoke(args=["question-sets", "import", str(good), str(bad)])
    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    assert "bad.yaml" in result.output
    assert _counts() == before


def test_question_set_list_links_are_real_links(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    _upload(c, _library_text("missing-child"))
    page = c.get("/admin/question-sets").get_data(as_text=True)
    assert "&lt;a" not in page
    assert ">Missing child episode</a>" in page
