"""The Word draft read back with python-docx: its sentences say the findings' figures, each with a
note naming the figure and its cases, and its structure is accessible (headings, header rows,
alternative text)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from flask import Flask
from sqlalchemy import select

from auditapp.domain.grades import Grade
from auditapp.domain.report_wording import WordingError, number_words
from auditapp.exports.docx import ReportItem, write_report_docx
from auditapp.exports.docx.sentences import WORDING_DIRECTORY
from auditapp.extensions import db
from auditapp.models import Inspection
from auditapp.services import findings
from auditapp.services.demo import REVIEW_TITLE, load_demo

NOTE_LINE = re.compile(r"^(\d+)\. (.*)$")


@pytest.fixture
def review() -> Inspection:
    load_demo()
    db.session.commit()
    found = db.session.scalar(select(Inspection).where(Inspection.title == REVIEW_TITLE))
    assert found is not None
    return found


def _document(inspection: Inspection, **items: Any) -> Any:
    out = io.BytesIO()
    write_report_docx(inspection, out, **items)
    out.seek(0)
    return docx.Document(out)


def _markers(document: Any) -> list[tuple[str, int]]:
    """Each noted sentence (its text runs) with the number of its note (a superscript run)."""
    noted = []
    for paragraph in document.paragraphs:
        runs = paragraph.runs
        if len(runs) >= 2 and runs[-1].font.superscript and runs[-1].text.isdigit():
            noted.append(("".join(r.text for r in runs[:-1]), int(runs[-1].text)))
    return noted


def _sentences(document: Any) -> dict[str, int]:
    """Each noted sentence with its note's number (the first, when a sentence recurs)."""
    noted: dict[str, int] = {}
    for text, number in _markers(document):
        noted.setdefault(text, number)
    return noted


def _notes(document: Any) -> dict[int, str]:
    paragraphs = document.paragraphs
    start = next(
        i
        for i, p in enumerate(paragraphs)
        if p.style.name == "Heading 1" and p.text == "Notes on the figures"
    )
    notes = {}
    for paragraph in paragraphs[start + 1 :]:
        match = NOTE_LINE.match(paragraph.text)
        assert match, paragraph.text
        notes[int(match.group(1))] = match.group(2)
    return notes


def _question(inspection: Inspection, case_type: str, code: str) -> Any:
    found = next(s for s in findings.question_findings(inspection.id) if s.case_type == case_type)
    return found, next(q for q in found.questions if q.code == code)


def _cases(inspection: Inspection, case_type: str, code: str) -> list[str]:
    found, _ = _question(inspection, case_type, code)
    return [
        case.reference
        for case in findings.cases_with_outcome(
            inspection.id, found.question_set_id, code, "applicable"
        )
    ]


def test_demo_draft_says_the_reports_figures_as_the_findings_service_computes_them(
    review: Inspection,
) -> None:
    document = _document(review)
    sentences = _sentences(document)
    notes = _notes(document)
    board = findings.dashboard(review.id)
    counts = {g.grade: int(g.share.count) for g in board.overall.grades}
    assert (board.overall.cases, counts) == (
        24,
        {"good": 6, "requires_improvement": 5, "inadequate": 13},
    )

    headline = (
        f"We audited {board.overall.cases} child protection cases ({counts[Grade.GOOD]} were "
        f"good, {counts[Grade.REQUIRES_IMPROVEMENT]} required improvement and "
        f"{counts[Grade.INADEQUATE]} were inadequate)."
    )
    assert headline in sentences
    headline_note = notes[sentences[headline]]
    assert headline_note.startswith(
        "24 cases audited: 6 good, 5 requires improvement, 13 inadequate."
    )
    graded = [c.reference for c in findings.cases_with_grade(review.id)]
    assert len(graded) == 24 and all(ref in headline_note for ref in graded)

    # Children seen in 1 of 5 diary-appointment cases: said as "four of the five" not seen.
    _, seen = _question(review, "da-diary-appointment", "DY03")
    assert (seen.met, seen.applicable) == (1, 5)
    diary = (
        f"In {number_words(seen.not_met)} of the {number_words(seen.applicable)} domestic abuse "
        "cases with a diary appointment, children present at the incident were not seen or "
        "spoken to."
    )
    assert diary == (
        "In four of the five domestic abuse cases with a diary appointment, children present "
        "at the incident were not seen or spoken to."
    )
    assert diary in sentences
    note = notes[sentences[diary]]
    assert "DY03" in note and "met in 1 of 5 applicable cases" in note
    for reference in _cases(review, "da-diary-appointment", "DY03"):
        assert reference in note

    # 21 of 23 telephone appointments appropriate.
    _, telephone = _question(review, "da-telephone-appointment", "TA01")
    assert (telephone.met, telephone.applicable) == (21, 23)
    phone = (
        f"We sampled {telephone.applicable} telephone appointments and found that "
        f"{telephone.met} were appropriate."
    )
    assert phone in sentences
    assert all(
        r in notes[sentences[phone]] for r in _cases(review, "da-telephone-appointment", "TA01")
    )

    # A detention certificate in 1 of 5 cases.
    _, certificate = _question(review, "child-detention", "CD15")
    assert (certificate.met, certificate.applicable) == (1, 5)
    detention = (
        f"We saw a juvenile detention certificate in {number_words(certificate.met)} of the "
        f"{number_words(certificate.applicable)} cases we audited where a child was kept in "
        "custody after charge."
    )
    assert detention in sentences
    assert "CD15" in notes[sentences[detention]]

    # Every marker has its note, numbered in reading order.
    assert [number for _, number in _markers(document)] == list(range(1, len(notes) + 1))


def test_demo_draft_quotes_recommendations_and_states_their_progress_figures(
    review: Inspection,
) -> None:
    document = _document(review)
    text = [p.text for p in document.paragraphs]
    sentences = _sentences(document)
    rows = findings.recommendation_progress(review).rows
    for row in rows:
        assert row.text in text, row.code
        if row.figures.change is not None:
            said = next(
                s
                for s in sentences
                if f"a change of {row.figures.change_text}" in s and row.figures.now_text in s
            )
            assert f"against {row.figures.baseline_text} at the baseline" in said
    studies = [s for chapter in findings.case_studies(review) for s in chapter.studies]
    assert studies
    for study in studies:
        assert any(study.reference in t for t in text)
        assert study.narrative.split("\n\n")[0].strip() in text


def test_demo_draft_is_accessible_headings_header_rows_and_alternative_text(
    review: Inspection,
) -> None:
    document = _document(review)

    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    chapters = [c.title for c in findings_report_chapters(review)]
    assert headings[0] == ("Title", REVIEW_TITLE)
    ones = [t for s, t in headings if s == "Heading 1"]
    assert ones == ["Introduction", *chapters, "Notes on the figures"]
    # No heading level is skipped: a Heading 3 always follows a Heading 2 in its chapter.
    level = 1
    for style, _ in headings[1:]:
        new = int(style.split()[-1])
        assert new <= level + 1, headings
        level = new

    assert document.tables
    for table in document.tables:
        first = table.rows[0]._tr
        repeat = first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
        assert repeat is not None and repeat.get(qn("w:val")) == "true"
        assert table._tbl.tblPr.find(qn("w:tblCaption")) is not None

    pictures = document.inline_shapes
    assert len(pictures) == 1 + len(findings.recommendation_progress(review).rows)
    for picture in pictures:
        descr = picture._inline.docPr.get("descr")
        assert descr, "every chart has alternative text"
    grade_chart = pictures[0]._inline.docPr.get("descr")
    assert "All audited cases: 6 good, 5 requires improvement, 13 inadequate" in grade_chart


def findings_report_chapters(inspection: Inspection) -> list[Any]:
    from auditapp.services.exports import report_data

    return list(report_data(inspection).chapters)


def test_evidence_and_actions_sit_in_their_chapter_when_given(review: Inspection) -> None:
    evidence = [
        ReportItem(
            "We found 47 cases that had not been progressed.",
            recommendation="R6",
            source="Force data, September 2022",
        ),
        ReportItem("We examined the missing persons policy.", chapter="Initial contact"),
    ]
    actions = [
        ReportItem(
            "Review the diary appointment system (owner: head of the demand hub).",
            recommendation="R2",
        )
    ]

    document = _document(review, evidence=evidence, actions=actions)

    paragraphs = document.paragraphs

    def chapter_of(text: str) -> str:
        index = next(i for i, p in enumerate(paragraphs) if p.text.startswith(text))
        return next(p.text for p in reversed(paragraphs[:index]) if p.style.name == "Heading 1")

    assert chapter_of("We found 47 cases") == "Investigation"
    assert chapter_of("We examined the missing persons policy.") == "Initial contact"
    assert chapter_of("Review the diary appointment system") == "Initial contact"
    notes = _notes(document)
    assert any("Force data, September 2022" in n for n in notes.values())
    without = _document(review)
    assert "Evidence from beyond the case files" not in [p.text for p in without.paragraphs]


def test_wording_changes_without_code_and_a_broken_file_is_refused(
    app: Flask, review: Inspection, tmp_path: Path
) -> None:
    text = (WORDING_DIRECTORY / "sentences.yaml").read_text(encoding="utf-8")
    changed = text.replace(
        "We sampled {applicable} telephone appointments and found that {met} were appropriate.",
        "'{met:Words} out of {applicable} telephone appointments were appropriate.'",
    )
    assert changed != text
    (tmp_path / "sentences.yaml").write_text(changed, encoding="utf-8")
    app.config["REPORT_WORDING_DIR"] = str(tmp_path)
    try:
        assert "21 out of 23 telephone appointments were appropriate." in _sentences(
            _document(review)
        )

        # Edited again in place: the next draft reads it, and refuses the mistake.
        (tmp_path / "sentences.yaml").write_text(
            changed.replace("{met:Words} out of", "{mett} out of"), encoding="utf-8"
        )
        with pytest.raises(
            WordingError,
            match=(
                r"sentences\.yaml, line \d+: questions\.da-telephone-appointment/TA01\.some: "
                r"unknown placeholder \{mett\}"
            ),
        ):
            _document(review)
    finally:
        app.config.pop("REPORT_WORDING_DIR", None)
