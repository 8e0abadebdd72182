"""Question sets as XLSX files: every library set survives set -> XLSX -> set, text never runs
as a formula, reading is bounded, and an import stores all of a valid set or nothing."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from auditapp.domain.question_sets import (
    QuestionSet as QuestionSetData,
)
from auditapp.domain.question_sets import (
    QuestionSetError,
    load_library,
    load_question_set,
    question_set_from_data,
    question_set_to_dict,
)
from auditapp.extensions import db
from auditapp.models import Question, QuestionSet
from auditapp.services.case_list_files import ReadLimits
from auditapp.services.question_set_workbooks import (
    import_question_set_workbook,
    question_set_workbook,
    read_question_set_workbook,
)
from auditapp.services.question_sets import QuestionSetImportError, export_question_set

LIBRARY = {qs.case_type: qs for qs in load_library() if qs.version == 1}
LIMITS = ReadLimits()


@pytest.mark.parametrize("case_type", sorted(LIBRARY))
def test_every_library_set_survives_xlsx_unchanged(case_type: str) -> None:
    qs = LIBRARY[case_type]
    assert read_question_set_workbook(question_set_workbook(qs), "set.xlsx", LIMITS) == qs


def test_the_workbook_has_the_four_sheets_with_headings_first() -> None:
    workbook = load_workbook(io.BytesIO(question_set_workbook(LIBRARY["online-csae"])))
    assert workbook.sheetnames == ["questions", "options", "settings", "instructions"]
    questions = list(workbook["questions"].iter_rows(values_only=True))
    assert questions[0][:3] == ("type", "id", "text")
    assert questions[1][0] == "section"
    thresholds = questions[0].index("check_thresholds")
    assert any(row[thresholds] == "low = 28 days; medium = 14 days" for row in questions)
    settings = dict(workbook["settings"].iter_rows(values_only=True))
    assert settings["case_type"] == "online-csae" and settings["version"] == 1
    assert workbook["instructions"]["A1"].value


def _with_formula_text(text: str) -> QuestionSetData:
    data = question_set_to_dict(LIBRARY["domestic-abuse"])
    data["sections"][0]["questions"][0]["text"] = text
    return question_set_from_data(data)


def test_text_that_looks_like_a_formula_is_written_as_text_and_read_back_as_typed() -> None:
    formula = '=HYPERLINK("http://evil.example", "click")'
    qs = _with_formula_text(formula)
    content = question_set_workbook(qs)
    cell = load_workbook(io.BytesIO(content))["questions"]["C3"]
    assert cell.data_type == "s"
    assert cell.value == "'" + formula
    assert read_question_set_workbook(content, "set.xlsx", LIMITS) == qs


def test_a_workbook_past_the_unzipped_limit_is_refused() -> None:
    content = question_set_workbook(LIBRARY["missing-child"])
    with pytest.raises(QuestionSetError) as caught:
        read_question_set_workbook(content, "big.xlsx", ReadLimits(max_unzipped_bytes=10_000))
    assert "unzips to more than" in str(caught.value)


def test_a_sheet_past_the_row_limit_is_refused() -> None:
    content = question_set_workbook(LIBRARY["missing-child"])
    with pytest.raises(QuestionSetError) as caught:
        read_question_set_workbook(content, "long.xlsx", ReadLimits(max_rows=5))
    assert "The questions sheet has more than 5 rows" in str(caught.value)


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(QuestionSetError) as caught:
        read_question_set_workbook(b"case_type: x\n", "set.xlsx", LIMITS)
    assert "could not be read as an XLSX workbook" in str(caught.value)


def _with_member_cut_short(content: bytes, member: str) -> bytes:
    """The workbook with one zip member's XML cut in half (its CRC made to match)."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(
                item.filename, data[: len(data) // 2] if item.filename == member else data
            )
    return output.getvalue()


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_workbook_whose_xml_is_cut_short_is_refused_with_a_message(member: str) -> None:
    content = _with_member_cut_short(question_set_workbook(LIBRARY["missing-child"]), member)
    with pytest.raises(QuestionSetError) as caught:
        read_question_set_workbook(content, "cut.xlsx", LIMITS)
    assert "could not be read as an XLSX workbook" in str(caught.value)


def test_a_workbook_without_the_sheets_names_them() -> None:
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    output = io.BytesIO()
    workbook.save(output)
    with pytest.raises(QuestionSetError) as caught:
        read_question_set_workbook(output.getvalue(), "empty.xlsx", LIMITS)
    problems = [str(problem) for problem in caught.value.errors]
    assert "questions sheet: the workbook has no sheet called 'questions'" in problems
    assert "settings sheet: the workbook has no sheet called 'settings'" in problems


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(QuestionSet.id))) or 0,
        db.session.scalar(select(func.count(Question.id))) or 0,
    )


def test_an_imported_workbook_is_stored_and_exports_as_the_same_set() -> None:
    qs = LIBRARY["child-detention"]
    row = import_question_set_workbook(question_set_workbook(qs), filename="cd.xlsx")
    assert (row.case_type.slug, row.version) == ("child-detention", qs.version)
    assert len(row.questions) == len(qs.questions)
    assert load_question_set(export_question_set(row)) == qs


def test_an_invalid_or_repeated_workbook_stores_nothing() -> None:
    qs = LIBRARY["police-protection"]
    import_question_set_workbook(question_set_workbook(qs), filename="pp.xlsx")
    before = _counts()
    with pytest.raises(QuestionSetImportError):
        import_question_set_workbook(question_set_workbook(qs), filename="pp.xlsx")
    broken = replace(qs, version=qs.version + 1, title="")
    with pytest.raises(QuestionSetError) as caught:
        import_question_set_workbook(question_set_workbook(broken), filename="pp2.xlsx")
    problems = [str(problem) for problem in caught.value.errors]
    assert problems == ["settings sheet, row 5, column 'value': '' should be non-empty"]
    assert _counts() == before
