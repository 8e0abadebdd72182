"""Writes the draft (``content.Draft``) as a Word document with python-docx.

Accessible and editable: Word's own Title and Heading 1-3 styles (so the navigation pane and a
contents field work), a contents field Word fills in, tables whose header row repeats on every
page (``w:tblHeader``) and carries a caption, charts with alternative text (``docPr descr``),
and every generated sentence followed by the number of its note in the notes section.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from auditapp.exports.docx.content import Chart, Draft, Note, ReportItem, Sentence
from auditapp.exports.docx.images import svg_to_png
from auditapp.exports.docx.notes import NoteBook

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHART_WIDTH = Cm(16)
# Characters XML 1.0 cannot hold (control characters pasted into a note, lone surrogates):
# python-docx refuses them, so they are left out, as the workbook leaves them out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The settings that follow w:updateFields in CT_Settings (ECMA-376 Part 1, 17.15.1).
_AFTER_UPDATE_FIELDS = frozenset(
    [
        "hdrShapeDefaults",
        "footnotePr",
        "endnotePr",
        "compat",
        "docVars",
        "rsids",
        "mathPr",
        "attachedSchema",
        "themeFontLang",
        "clrSchemeMapping",
        "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures",
        "forceUpgrade",
        "captions",
        "readModeInkLockDown",
        "smartTagType",
        "schemaLibrary",
        "shapeDefaults",
        "doNotEmbedSmartTags",
        "decimalSymbol",
        "listSeparator",
    ]
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def clean(text: object) -> str:
    """Text as Word can store it."""
    return _NOT_XML.sub("", str(text))


class _Writer:
    def __init__(self) -> None:
        self.doc: Any = Document()
        self.notes = NoteBook()

    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(clean(text), level=level)

    def paragraph(self, text: str = "", style: str | None = None) -> Any:
        return self.doc.add_paragraph(clean(text), style=style)

    def sentence(self, sentence: Sentence, style: str | None = None) -> None:
        """A sentence, then its note's number in superscript."""
        paragraph = self.paragraph(style=style)
        paragraph.add_run(clean(sentence.text))
        if sentence.note is not None:
            self.marker(paragraph, sentence.note)

    def marker(self, paragraph: Any, note: Note) -> None:
        run = paragraph.add_run(str(self.notes.add(note)))
        run.font.superscript = True

    def table(self, caption: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A table with a caption and a header row repeated on every page."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        properties = table._tbl.tblPr
        caption_element = OxmlElement("w:tblCaption")
        caption_element.set(qn("w:val"), clean(caption))
        properties.append(caption_element)
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(clean(text)).bold = True
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(repeat)
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = clean(value)
        self.paragraph()

    def chart(self, chart: Chart) -> None:
        """A chart as a picture whose alternative text is its figures in words."""
        png = svg_to_png(str(chart.svg))[0]
        run = self.paragraph().add_run()
        shape = run.add_picture(io.BytesIO(png), width=CHART_WIDTH)
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", clean(chart.description))
        doc_pr.set("title", clean(chart.description.split(".")[0]))

    def contents(self, headings: Sequence[str]) -> None:
        """A contents field (Word fills in the page numbers when it updates fields)."""
        self.paragraph("Contents", style="TOC Heading")
        paragraph = self.paragraph()

        def field_char(kind: str) -> None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            paragraph.add_run()._r.append(element)

        field_char("begin")
        instruction = OxmlElement("w:instrText")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = 'TOC \\o "1-2" \\h \\z \\u'
        paragraph.add_run()._r.append(instruction)
        field_char("separate")
        for number, heading in enumerate(headings):
            run = paragraph.add_run(clean(heading))
            if number < len(headings) - 1:
                run.add_break()
        field_char("end")
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        # Word reads settings in the schema's order: updateFields goes before these.
        settings = self.doc.settings.element
        later = next((c for c in settings if _local(c.tag) in _AFTER_UPDATE_FIELDS), None)
        if later is None:
            settings.append(update)
        else:
            later.addprevious(update)

    def items(self, heading: str, items: Sequence[ReportItem], empty: str) -> None:
        self.heading(heading, 2)
        if not items:
            self.paragraph(empty)
        for item in items:
            paragraph = self.paragraph(style="List Bullet")
            paragraph.add_run(clean(item.text))
            if item.source:
                self.marker(paragraph, Note(item.text, item.source))


def _placed(items: Sequence[ReportItem] | None, chapter: str, codes: set[str]) -> list[ReportItem]:
    return [
        item
        for item in items or ()
        if item.chapter == chapter
        or (item.recommendation is not None and item.recommendation in codes)
    ]


def write_docx(
    draft: Draft,
    target: str | Path | IO[bytes],
    *,
    evidence: Sequence[ReportItem] | None = None,
    actions: Sequence[ReportItem] | None = None,
) -> None:
    """Write the draft as a .docx file; evidence and actions, when given, sit in each chapter."""
    w = _Writer()
    w.doc.core_properties.title = clean(f"{draft.force}: {draft.title}")
    w.doc.core_properties.author = "auditapp"
    w.doc.core_properties.language = "en-GB"

    w.paragraph(draft.title, style="Title")
    w.paragraph(draft.subtitle, style="Subtitle")
    w.paragraph(
        f"Draft produced from the case audit on {draft.generated_at:%-d %B %Y}. Each number "
        "in the text has a note at the end naming the figure and the cases behind it."
    )
    headings = ["Introduction", *(c.title for c in draft.chapters), draft.notes_heading]
    w.contents(headings)
    w.paragraph().add_run().add_break(WD_BREAK.PAGE)

    w.heading("Introduction", 1)
    w.heading("How we carried out the review", 2)
    for sentence in draft.method:
        w.sentence(sentence)
    if draft.strata:
        w.table(
            "Cases listed and sampled per stratum",
            ("Case type", "Stratified by", "Stratum", "Listed", "Sampled", "Fraction"),
            draft.strata,
        )
    w.heading("Summary of the case audit", 2)
    w.sentence(draft.headline)
    if draft.provisional_note:
        w.paragraph(draft.provisional_note)
    w.table("Cases by grade and case type", draft.summary_header, draft.summary_rows)
    w.chart(draft.grade_chart)
    chapter_titles = {c.title for c in draft.chapters}
    all_codes = {r.code for c in draft.chapters for r in c.recommendations}
    for extra, heading in (
        (evidence, "Evidence from beyond the case files"),
        (actions, "The force's action plan"),
    ):
        unplaced = [
            i
            for i in extra or ()
            if i.chapter not in chapter_titles and i.recommendation not in all_codes
        ]
        if unplaced:
            w.items(heading, unplaced, "")

    for chapter in draft.chapters:
        w.heading(chapter.title, 1)
        codes = {r.code for r in chapter.recommendations}
        if chapter.recommendations:
            w.heading("Recommendations", 2)
            for rec in chapter.recommendations:
                w.heading(rec.heading, 3)
                w.paragraph(rec.text, style="Quote")
                for point in rec.sub_points:
                    w.paragraph(point, style="List Bullet")
            w.heading("Progress on the recommendations", 2)
            for rec in chapter.recommendations:
                w.heading(f"Progress on {rec.code}", 3)
                w.sentence(rec.judgement)
                for text in rec.narrative:
                    w.paragraph(text)
                w.sentence(rec.progress)
                if rec.chart is not None:
                    w.chart(rec.chart)
        if chapter.judgement is not None or chapter.findings or chapter.case_studies:
            w.heading("Findings from the case audit", 2)
            if chapter.judgement is not None:
                w.sentence(chapter.judgement)
            for sentence in chapter.findings:
                w.sentence(sentence)
            for study in chapter.case_studies:
                w.heading("Case study", 3)
                caption = w.paragraph()
                caption.add_run(clean(study.caption)).italic = True
                for text in study.paragraphs:
                    w.paragraph(text)
        if evidence is not None:
            w.items(
                "Evidence from beyond the case files",
                _placed(evidence, chapter.title, codes),
                "No evidence from beyond the case files is recorded for this chapter.",
            )
        if actions is not None:
            w.items(
                "The force's action plan",
                _placed(actions, chapter.title, codes),
                "No action of the force's plan is recorded for this chapter.",
            )

    w.heading(draft.notes_heading, 1)
    for line in w.notes.lines():
        w.paragraph(line)
    w.doc.save(str(target) if isinstance(target, Path) else target)
