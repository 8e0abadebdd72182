"""Exports of an inspection: a workbook, one CSV per table, and the figures of the report.

Each table is built by one function that reads SQL into pandas DataFrames. The answers table,
the only one that grows with the size of an inspection (cases x questions), is read in chunks
with a streaming cursor (``yield_per``) and written chunk by chunk, so a large inspection is
never held in memory twice. XlsxWriter in constant-memory mode writes the workbook row by row
to disk; CSVs are written chunk by chunk too. Every text cell is neutralised against formula
injection (``auditapp.domain.spreadsheet_safety``) in every format.

Figures (grade counts, per-question results, recommendation rates) come from the same
functions the findings pages use, so each exported figure equals the one on screen.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pandas as pd
import xlsxwriter
from sqlalchemy import and_, case, select
from sqlalchemy.orm import aliased

from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.question_sets import NOT_APPLICABLE
from auditapp.domain.question_sets import Question as DomainQuestion
from auditapp.domain.spreadsheet_safety import neutralise
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    ModerationDecision,
    Question,
    QuestionOutcomeRow,
    QuestionSet,
    RecommendationKind,
    User,
)
from auditapp.services import findings, moderation
from auditapp.services.audit_log import record_event
from auditapp.services.question_sets import question_set_data

ANSWER_CHUNK_ROWS = 2_000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportError(ValueError):
    """An export was asked for something that does not exist (an unknown table or format)."""


# --- figures: the findings pages' numbers -------------------------------------------------------
# Every figure comes from auditapp.services.findings and auditapp.services.moderation, the
# functions the findings, dashboard and agreement pages call: the export never recomputes one.


def sampled_cases(inspection_id: int) -> Any:
    """The SQL condition selecting the cases the findings list: the inspection's sample."""
    return and_(Case.inspection_id == inspection_id, Case.in_sample.is_(True))


def grade_words(grade: str | None) -> str | None:
    """A stored grade as the words on screen ("Requires improvement"), None when ungraded."""
    return Grade(grade).label if isinstance(grade, str) and grade else None


def outcome_words(outcome: str | None) -> str | None:
    """A stored outcome as the words on screen ("Partly met")."""
    return Outcome(outcome).label if isinstance(outcome, str) and outcome else None


def _agreement_percent(fraction: float | None) -> int | None:
    """Agreement as the agreement page shows it: Python's round() of the percentage.

    The page rounds half to even, unlike the findings' half up; the export follows the page
    so the two show the same number.
    """
    return None if fraction is None else round(fraction * 100)


def headline_text(inspection: Inspection) -> str:
    """The dashboard's headline, e.g. "24 cases audited: 6 good (25%), …"."""
    board = findings.dashboard(inspection.id)
    return board.headline + (" (provisional)" if board.provisional else "")


def grade_summary(inspection: Inspection) -> pd.DataFrame:
    """The dashboard's grade counts: all audited cases, then by case type and by auditor."""
    board = findings.dashboard(inspection.id)
    groups = [("All", board.overall)]
    groups += [("Case type", b) for b in board.by_case_type]
    groups += [("Auditor", b) for b in board.by_auditor]
    rows = []
    for grouping, breakdown in groups:
        row: dict[str, Any] = {
            "grouping": grouping,
            "group": breakdown.label,
            "cases": breakdown.cases,
            "graded": breakdown.graded,
            "ungraded": breakdown.ungraded,
            "provisional": breakdown.provisional,
        }
        for count in breakdown.grades:
            row[count.grade] = int(count.share.count)
            row[f"pct_{count.grade}"] = count.share.percent
        rows.append(row)
    return pd.DataFrame(rows)


def question_findings_frame(inspection: Inspection) -> pd.DataFrame:
    """The findings page's per-question figures, one row per question of each set used."""
    rows = []
    for found in findings.question_findings(inspection.id):
        for q in found.questions:
            rows.append(
                {
                    "case_type": found.case_type_name,
                    "version": found.version,
                    "cases": found.cases,
                    "question_id": q.code,
                    "section": q.section,
                    "question_text": q.text,
                    "critical": q.critical,
                    "recommendations": ", ".join(q.recommendation_codes),
                    "met": q.met,
                    "partly_met": q.partly_met,
                    "not_met": q.not_met,
                    "not_applicable": q.not_applicable,
                    "recorded": q.recorded,
                    "applicable": q.applicable,
                    "pct_met": q.share.percent,
                    "ci": q.share.ci_text,
                    "summary": q.summary,
                }
            )
    return pd.DataFrame(rows)


def recommendation_rows(inspection: Inspection) -> pd.DataFrame:
    """The findings page's progress on each baseline recommendation."""
    progress = findings.recommendation_progress(inspection)
    rows = []
    for rec in progress.rows:
        rows.append(
            {
                "code": rec.code,
                "kind": RecommendationKind(rec.kind).label,
                "chapter": rec.chapter,
                "timescale": rec.timescale,
                "text": rec.text,
                "met": rec.met,
                "partly_met": rec.partly_met,
                "not_met": rec.not_met,
                "applicable": rec.applicable,
                "rate": rec.now_percent,
                "ci": rec.now_share.ci_text,
                "baseline_rate": rec.baseline_percent,
                "baseline_source": rec.baseline_source,
                "change": rec.change_points,
                "suggestion": rec.suggestion.judgement.label,
                "suggestion_reason": rec.suggestion.reason,
                "judgement": rec.judgement_label,
                "narrative": rec.narrative or None,
                "judged_by": rec.judged_by,
                "judged_at": rec.judged_at,
            }
        )
    return pd.DataFrame(rows)


def agreement_rows(inspection: Inspection) -> pd.DataFrame:
    """The agreement page's figures: moderated vs first grades, second vs first audits."""
    figures = moderation.agreement_figures(inspection.id)
    rows = []
    for comparison, agreement_table in (
        ("Lead's moderated grade v auditor's grade", figures.moderation),
        ("Second audit's grade v first audit's grade", figures.second_audits),
    ):
        groups = [("All", "All cases", agreement_table.overall)]
        groups += [("Auditor", name, a) for name, a in agreement_table.by_auditor.items()]
        groups += [("Case type", name, a) for name, a in agreement_table.by_case_type.items()]
        for grouping, group, figure in groups:
            rows.append(
                {
                    "comparison": comparison,
                    "grouping": grouping,
                    "group": group,
                    "compared": figure.compared,
                    "agreed": figure.agreed,
                    "disagreed": figure.disagreed,
                    "percent": _agreement_percent(figure.percent),
                    "kappa": figure.kappa,
                    "linear_kappa": figure.linear_kappa,
                    "quadratic_kappa": figure.quadratic_kappa,
                }
            )
    for question in figures.questions:
        q = question.figures
        rows.append(
            {
                "comparison": "Second audit's outcome v first audit's outcome",
                "grouping": "Question",
                "group": f"{question.case_type} {q.question_id}: {question.text}",
                "compared": q.compared,
                "agreed": q.agreed,
                "disagreed": q.disagreed,
                "percent": _agreement_percent(q.percent) if q.compared else None,
                "kappa": q.kappa,
                "linear_kappa": None,
                "quadratic_kappa": None,
            }
        )
    return pd.DataFrame(rows)


# --- table descriptions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an exported table: its key in the frame, heading, width and cell type."""

    key: str
    label: str
    width: int = 14
    kind: str = "text"  # text | int | decimal | date | datetime | bool


@dataclass(frozen=True)
class Table:
    """An exported table: file stem, sheet name, columns and the function that reads it."""

    name: str
    sheet: str
    columns: tuple[Column, ...]
    read: Callable[[Inspection], Iterator[pd.DataFrame]]
    description: str

    @property
    def filename(self) -> str:
        """The CSV file name, e.g. ``cases.csv``."""
        return f"{self.name}.csv"


def _one(frame_of: Callable[[Inspection], pd.DataFrame]) -> Callable[[Inspection], Iterator]:
    def read(inspection: Inspection) -> Iterator[pd.DataFrame]:
        yield frame_of(inspection)

    return read


# --- summary ------------------------------------------------------------------------------------


def summary_frame(inspection: Inspection) -> pd.DataFrame:
    """Grades overall, by case type and by auditor, as the dashboard shows them."""
    return grade_summary(inspection)


# --- cases --------------------------------------------------------------------------------------


def _counted_in_figures(status: Any, kind: Any) -> Any:
    """SQL: 'Yes' when the findings count the case (a graded case type, submitted or moderated)."""
    return case(
        (and_(status.in_(findings.AUDITED), kind == "case"), "Yes"),
        else_="No",
    )


def cases_frame(inspection: Inspection) -> pd.DataFrame:
    """One row per sampled case: reference, type, auditor, status and its grades."""
    auditor = aliased(User)
    statement = (
        select(
            Case.id.label("case_id"),
            Case.reference,
            CaseType.name.label("case_type"),
            auditor.name.label("auditor"),
            Case.status,
            _counted_in_figures(Case.status, CaseType.kind).label("counted"),
            Case.computed_grade,
            Case.proposed_grade,
            Case.proposed_reason,
            Case.final_grade,
            Case.current_risk,
            Case.is_case_study,
            Case.case_study_narrative,
            Case.submitted_at,
            Case.moderated_at,
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(auditor, auditor.id == Case.auditor_id)
        .where(sampled_cases(inspection.id))
        .order_by(CaseType.name, Case.reference)
    )
    frame = _frame(statement)
    # The grade the figures use, exactly as the findings decide it.
    used = findings.cases_frame(inspection.id)[["case_id", "grade"]]
    frame = frame.merge(used, on="case_id", how="left")
    for column in ("computed_grade", "proposed_grade", "final_grade", "grade"):
        frame[column] = frame[column].map(grade_words)
    frame["status"] = frame["status"].map(lambda s: CaseStatus(s).label)
    frame["auditor"] = frame["auditor"].fillna(findings.NOT_ASSIGNED)
    return frame


# --- answers ------------------------------------------------------------------------------------


def answer_chunks(
    inspection: Inspection, chunk_rows: int = ANSWER_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """One row per sampled case and question (first audit), read ``chunk_rows`` at a time.

    A streaming cursor (``yield_per``: a server-side cursor on PostgreSQL) keeps one chunk of
    rows in memory at a time; each chunk is turned into a DataFrame, yielded and dropped.
    """
    answer = aliased(Answer)
    outcome = aliased(QuestionOutcomeRow)
    statement = (
        select(
            Case.reference,
            CaseType.name.label("case_type"),
            Case.status,
            _counted_in_figures(Case.status, CaseType.kind).label("counted"),
            Case.question_set_id,
            Question.code.label("question_id"),
            Question.section_title.label("section"),
            Question.text.label("question_text"),
            Question.answer_type,
            answer.value.label("answer"),
            outcome.outcome,
            answer.note,
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .join(Question, Question.question_set_id == Case.question_set_id)
        .outerjoin(
            answer,
            and_(
                answer.case_id == Case.id,
                answer.audit_round == 1,
                answer.question_code == Question.code,
            ),
        )
        .outerjoin(
            outcome,
            and_(
                outcome.case_id == Case.id,
                outcome.audit_round == 1,
                outcome.question_code == Question.code,
            ),
        )
        .where(sampled_cases(inspection.id))
        .order_by(CaseType.name, Case.reference, Question.position)
    )
    # Per statement: Connection.execution_options() would change the session's connection for
    # every later statement (a server-side cursor cannot run an INSERT).
    words = _answer_words(inspection.id)
    result = db.session.execute(statement, execution_options={"yield_per": chunk_rows})
    keys = list(result.keys())
    emitted = False
    for chunk in result.partitions(chunk_rows):
        frame = pd.DataFrame.from_records(chunk, columns=keys)
        frame["answer"] = [
            _typed_answer(kind, value, words.get((set_id, code)))
            for kind, value, set_id, code in zip(
                frame["answer_type"],
                frame["answer"],
                frame["question_set_id"],
                frame["question_id"],
                strict=True,
            )
        ]
        frame["outcome"] = frame["outcome"].map(outcome_words)
        frame["status"] = frame["status"].map(lambda s: CaseStatus(s).label)
        emitted = True
        yield frame
    if not emitted:
        yield pd.DataFrame(columns=keys)


def _answer_words(inspection_id: int) -> dict[tuple[int, str], DomainQuestion]:
    """The domain question behind each (question set, code) the sampled cases use."""
    used = select(Case.question_set_id).where(sampled_cases(inspection_id)).distinct()
    sets = db.session.scalars(select(QuestionSet).where(QuestionSet.id.in_(used))).all()
    return {
        (row.id, question.id): question
        for row in sets
        for question in question_set_data(row).questions
    }


def _typed_answer(kind: str, value: Any, question: DomainQuestion | None = None) -> Any:
    """Numbers as numbers, dates as dates, choices in the words the case page shows."""
    if not isinstance(value, str):  # no answer (None, or NaN once in a DataFrame)
        return None
    if value == NOT_APPLICABLE:
        return "Not applicable"
    if question is not None and kind in ("yes_no", "choice", "checklist"):
        return moderation.answer_text(question, value)
    try:
        if kind == "number":
            number = Decimal(value)
            return int(number) if number == number.to_integral_value() else float(number)
        if kind == "date":
            return date.fromisoformat(value)
        if kind == "datetime":
            return datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except (ValueError, ArithmeticError):
        return value
    return value


# --- findings, recommendations, moderation, agreement -------------------------------------------


def findings_frame(inspection: Inspection) -> pd.DataFrame:
    """Each question's outcomes across the audited cases, as on the findings page."""
    return question_findings_frame(inspection)


def recommendations_frame(inspection: Inspection) -> pd.DataFrame:
    """Each recommendation's met rate now and at baseline, the change, judgement and narrative."""
    return recommendation_rows(inspection)


def moderation_frame(inspection: Inspection) -> pd.DataFrame:
    """Every moderation decision: case, lead, action, grade before and after, reason, when."""
    lead = aliased(User)
    statement = (
        select(
            Case.reference,
            CaseType.name.label("case_type"),
            lead.name.label("lead"),
            ModerationDecision.action,
            ModerationDecision.grade_before,
            ModerationDecision.grade_after,
            ModerationDecision.reason,
            ModerationDecision.created_at,
        )
        .join(Case, Case.id == ModerationDecision.case_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(lead, lead.id == ModerationDecision.lead_id)
        .where(Case.inspection_id == inspection.id)
        .order_by(ModerationDecision.created_at, ModerationDecision.id)
    )
    frame = _frame(statement)
    frame["action"] = frame["action"].map(lambda a: _ACTION_WORDS.get(str(a), str(a)))
    for column in ("grade_before", "grade_after"):
        frame[column] = frame[column].map(grade_words)
    return frame


_ACTION_WORDS = {"agree": "Agreed", "change": "Changed", "return": "Returned to auditor"}


def agreement_frame(inspection: Inspection) -> pd.DataFrame:
    """Agreement between auditors, moderating leads and second auditors, as the pages show."""
    return agreement_rows(inspection)


def _frame(statement: Any) -> pd.DataFrame:
    """Run a select and return its rows as a DataFrame (small tables only)."""
    result = db.session.execute(statement)
    return pd.DataFrame.from_records(result.all(), columns=list(result.keys()))


TABLES: dict[str, Table] = {
    spec.name: spec
    for spec in (
        Table(
            "summary",
            "Summary",
            (
                Column("grouping", "Grouping", 12),
                Column("group", "Group", 34),
                Column("cases", "Cases", 9, "int"),
                Column("good", "Good", 9, "int"),
                Column("requires_improvement", "Requires improvement", 12, "int"),
                Column("inadequate", "Inadequate", 11, "int"),
                Column("ungraded", "Not yet graded", 10, "int"),
                Column("graded", "Graded", 9, "int"),
                Column("pct_good", "Good (%)", 9, "int"),
                Column("pct_requires_improvement", "Requires improvement (%)", 12, "int"),
                Column("pct_inadequate", "Inadequate (%)", 11, "int"),
                Column("provisional", "Provisional", 11, "bool"),
            ),
            _one(summary_frame),
            "The headline and grades of the audited cases: overall, by case type, by auditor.",
        ),
        Table(
            "cases",
            "Cases",
            (
                Column("reference", "Reference", 16),
                Column("case_type", "Case type", 30),
                Column("auditor", "Auditor", 20),
                Column("status", "Status", 12),
                Column("counted", "Counted in figures", 10),
                Column("computed_grade", "Computed grade", 20),
                Column("proposed_grade", "Proposed grade", 20),
                Column("proposed_reason", "Reason for proposed grade", 40),
                Column("final_grade", "Final grade", 20),
                Column("grade", "Grade used in figures", 20),
                Column("current_risk", "Child at current risk", 10, "bool"),
                Column("is_case_study", "Case study", 10, "bool"),
                Column("case_study_narrative", "Case study narrative", 60),
                Column("submitted_at", "Submitted (UTC)", 18, "datetime"),
                Column("moderated_at", "Moderated (UTC)", 18, "datetime"),
            ),
            _one(cases_frame),
            "One row per sampled case with its computed, proposed and final grades.",
        ),
        Table(
            "answers",
            "Answers",
            (
                Column("reference", "Reference", 16),
                Column("case_type", "Case type", 30),
                Column("status", "Status", 12),
                Column("counted", "Counted in figures", 10),
                Column("question_id", "Question", 10),
                Column("section", "Section", 24),
                Column("question_text", "Question text", 60),
                Column("answer", "Answer", 18),
                Column("outcome", "Outcome", 14),
                Column("note", "Note", 60),
            ),
            answer_chunks,
            "One row per case and question: the answer, its outcome and the auditor's note.",
        ),
        Table(
            "findings",
            "Findings",
            (
                Column("case_type", "Case type", 30),
                Column("version", "Question set version", 9, "int"),
                Column("cases", "Audited cases", 9, "int"),
                Column("question_id", "Question", 10),
                Column("section", "Section", 24),
                Column("question_text", "Question text", 60),
                Column("critical", "Critical", 9, "bool"),
                Column("recommendations", "Recommendations", 14),
                Column("met", "Met", 8, "int"),
                Column("partly_met", "Partly met", 8, "int"),
                Column("not_met", "Not met", 8, "int"),
                Column("not_applicable", "Not applicable", 10, "int"),
                Column("recorded", "Recorded", 10, "int"),
                Column("applicable", "Applicable", 10, "int"),
                Column("pct_met", "Met (%)", 9, "int"),
                Column("ci", "95% confidence interval", 20),
                Column("summary", "Summary", 40),
            ),
            _one(findings_frame),
            "Each question's results across the audited cases.",
        ),
        Table(
            "recommendations",
            "Recommendations",
            (
                Column("code", "Code", 8),
                Column("kind", "Kind", 18),
                Column("chapter", "Chapter", 24),
                Column("timescale", "Timescale", 16),
                Column("text", "Recommendation", 60),
                Column("met", "Met", 8, "int"),
                Column("partly_met", "Partly met", 8, "int"),
                Column("not_met", "Not met", 8, "int"),
                Column("applicable", "Applicable", 10, "int"),
                Column("rate", "Met rate (%)", 10, "int"),
                Column("ci", "95% confidence interval", 20),
                Column("baseline_rate", "Baseline rate (%)", 10, "int"),
                Column("baseline_source", "Baseline source", 40),
                Column("change", "Change (percentage points)", 12, "int"),
                Column("suggestion", "Suggested judgement", 22),
                Column("suggestion_reason", "Why suggested", 40),
                Column("judgement", "Judgement", 22),
                Column("narrative", "Narrative", 60),
                Column("judged_by", "Judged by", 20),
                Column("judged_at", "Judged (UTC)", 18, "datetime"),
            ),
            _one(recommendations_frame),
            "Progress on each recommendation: rates now and at baseline, judgement, narrative.",
        ),
        Table(
            "moderation",
            "Moderation",
            (
                Column("reference", "Reference", 16),
                Column("case_type", "Case type", 30),
                Column("lead", "Lead", 20),
                Column("action", "Decision", 14),
                Column("grade_before", "Grade before", 20),
                Column("grade_after", "Grade after", 20),
                Column("reason", "Reason", 50),
                Column("created_at", "Decided (UTC)", 18, "datetime"),
            ),
            _one(moderation_frame),
            "Every moderation decision on the inspection's cases.",
        ),
        Table(
            "agreement",
            "Agreement",
            (
                Column("comparison", "Comparison", 40),
                Column("grouping", "Grouping", 12),
                Column("group", "Group", 40),
                Column("compared", "Cases compared", 10, "int"),
                Column("agreed", "Agreed", 9, "int"),
                Column("disagreed", "Disagreed", 9, "int"),
                Column("percent", "Agreement (%)", 10, "int"),
                Column("kappa", "Cohen's kappa", 10, "decimal"),
                Column("linear_kappa", "Kappa, linear weights", 10, "decimal"),
                Column("quadratic_kappa", "Kappa, quadratic weights", 10, "decimal"),
            ),
            _one(agreement_frame),
            "How often moderating leads and second auditors agreed with the auditor.",
        ),
    )
}
FORMATS = ("xlsx", "csv", "html", "pdf")


def table(name: str) -> Table:
    """The table called ``name`` (ExportError when there is none)."""
    try:
        return TABLES[name]
    except KeyError:
        raise ExportError(f"unknown table {name!r}") from None


# --- cell values --------------------------------------------------------------------------------


def _naive_utc(value: datetime) -> datetime:
    """Spreadsheets have no time zones: write UTC wall time (the headings say UTC)."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA: an empty cell."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def cell_value(column: Column, value: Any) -> Any:
    """A frame value as the typed, neutralised cell value a workbook holds (None when empty)."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if column.kind == "bool":
        return "Yes" if value else "No"
    if column.kind == "int":
        return int(value)
    if column.kind == "decimal":
        return float(value)
    if isinstance(value, datetime):
        return _naive_utc(value)
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return neutralise(value) if isinstance(value, str) else value


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def workbook_value(column: Column, value: Any) -> Any:
    """A cell value for the workbook: as ``cell_value``, without characters XML cannot hold."""
    cell = cell_value(column, value)
    # Control characters (other than tab, line feed, carriage return) are illegal in XLSX.
    return _ILLEGAL_XML.sub("", cell) if isinstance(cell, str) else cell


def csv_value(column: Column, value: Any) -> Any:
    """A frame value as CSV text: ISO 8601 dates, whole numbers without ".0", safe text."""
    cell = cell_value(column, value)
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    if column.kind == "decimal":
        return f"{cell:.2f}"  # as the pages show kappa: two decimal places
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def rows(spec: Table, frame: pd.DataFrame, convert: Callable[[Column, Any], Any]) -> Iterator:
    """The frame's rows, in the table's column order, converted cell by cell.

    Columns are converted whole (one list each) and zipped: per-cell DataFrame indexing would
    cost more than the rest of the export together.
    """
    size = len(frame)
    columns = [
        [convert(c, v) for v in frame[c.key].tolist()]
        if c.key in frame.columns
        else [convert(c, None)] * size
        for c in spec.columns
    ]
    yield from (list(row) for row in zip(*columns, strict=True))


# --- workbook -----------------------------------------------------------------------------------

# XlsxWriter in constant-memory mode writes each row to disk as it comes, so a sheet is never
# held in memory. Strings are never turned into formulas, links or numbers: text stays text.
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}
_NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "decimal": "0.00",
}


def _write_sheet(
    workbook: xlsxwriter.Workbook,
    inspection: Inspection,
    spec: Table,
    title_rows: list[str],
) -> int:
    """Write one table as a sheet: title lines, a bold frozen header row, typed cells, filter."""
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in _NUMBER_FORMATS.items()}
    sheet = workbook.add_worksheet(spec.sheet)
    for number, column in enumerate(spec.columns):
        sheet.set_column(number, number, column.width)
    title = workbook.add_format({"bold": True, "font_size": 14})
    for line_number, line in enumerate(title_rows):
        sheet.write_string(line_number, 0, neutralise(line), title if line_number == 0 else None)
    header_row = len(title_rows)
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for number, column in enumerate(spec.columns):
        sheet.write_string(header_row, number, neutralise(column.label), header)
    sheet.freeze_panes(header_row + 1, 0)
    row_number = header_row
    for frame in spec.read(inspection):
        for values in rows(spec, frame, workbook_value):
            row_number += 1
            for number, (column, value) in enumerate(zip(spec.columns, values, strict=True)):
                _write_cell(sheet, row_number, number, column, value, formats)
    count = row_number - header_row
    sheet.autofilter(header_row, 0, max(row_number, header_row + 1), len(spec.columns) - 1)
    return count


def _write_cell(
    sheet: Any, row: int, col: int, column: Column, value: Any, formats: dict[str, Any]
) -> None:
    """Write one typed cell: text as text (never a formula), numbers, dates with a format."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
    elif isinstance(value, datetime):
        kind = "date" if column.kind == "date" else "datetime"
        sheet.write_datetime(row, col, value, formats[kind])
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Yes" if value else "No")
    elif isinstance(value, int | float):
        sheet.write_number(
            row, col, value, formats["decimal"] if column.kind == "decimal" else None
        )
    else:
        sheet.write_string(row, col, neutralise(str(value)))


def write_workbook(inspection: Inspection, target: str | Path | IO[bytes]) -> dict[str, int]:
    """Write the inspection's workbook (one sheet per table) to a path or binary file.

    Returns the number of data rows written per sheet.
    """
    with tempfile.TemporaryDirectory(prefix="auditapp-xlsx-") as scratch:
        workbook = xlsxwriter.Workbook(
            str(target) if isinstance(target, Path) else target,
            {**_WORKBOOK_OPTIONS, "tmpdir": scratch},
        )
        workbook.set_properties(
            {"title": f"{inspection.force}: {inspection.title}", "author": "auditapp"}
        )
        written = {}
        for name, spec in TABLES.items():
            title_rows = []
            if name == "summary":
                title_rows = [
                    f"{inspection.force}: {inspection.title}",
                    headline_text(inspection),
                    f"Exported {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
                ]
            written[name] = _write_sheet(workbook, inspection, spec, title_rows)
        workbook.close()
    return written


# --- CSV ----------------------------------------------------------------------------------------

# A byte-order mark makes Excel on Windows open the file as UTF-8 (without it, accented
# letters and dashes turn into mojibake); Python's csv, pandas and LibreOffice skip it when told
# the encoding is utf-8-sig. Report writers open these files in Excel far more often than
# they parse them.
CSV_ENCODING = "utf-8-sig"


def write_csv(inspection: Inspection, name: str, target: IO[bytes]) -> int:
    """Write one table as UTF-8 CSV (with BOM and a header row) to a binary file; rows written."""
    spec = table(name)
    text = io.TextIOWrapper(target, encoding=CSV_ENCODING, newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([neutralise(column.label) for column in spec.columns])
        count = 0
        for frame in spec.read(inspection):
            for values in rows(spec, frame, csv_value):
                writer.writerow(values)
                count += 1
        text.flush()
    finally:
        text.detach()  # leave the caller's file open
    return count


def write_csv_zip(inspection: Inspection, target: str | Path | IO[bytes]) -> dict[str, int]:
    """Write every table as a CSV inside one zip file; rows written per table."""
    written = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, spec in TABLES.items():
            with archive.open(spec.filename, "w") as member:
                written[name] = write_csv(inspection, name, member)
    return written


def write_csv_directory(inspection: Inspection, directory: str | Path) -> dict[str, int]:
    """Write every table as ``<table>.csv`` into a directory (created if missing)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, spec in TABLES.items():
        with (folder / spec.filename).open("wb") as handle:
            written[name] = write_csv(inspection, name, handle)
    return written


# --- audit log ----------------------------------------------------------------------------------


def record_export(
    user: User | None, inspection: Inspection, export_format: str, what: str = "all"
) -> None:
    """Put the export in the audit log: who (user), when (now), what format and table."""
    if export_format not in FORMATS:
        raise ExportError(f"unknown format {export_format!r}")
    record_event(
        "export",
        "inspection",
        user=user,
        entity_id=inspection.id,
        inspection_id=inspection.id,
        field=export_format,
        new=what,
    )
    db.session.flush()


def download_name(inspection: Inspection, suffix: str) -> str:
    """A file name for a download, e.g. ``inspection-3-cases.csv``."""
    return f"inspection-{inspection.id}-{suffix}"


# --- the printable report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportChapter:
    """A chapter of the report: its judgement, recommendations and case studies."""

    title: str
    judgement: str | None
    judgement_reason: str
    recommendations: tuple[Any, ...]  # findings.RecommendationProgressRow
    case_studies: tuple[Any, ...]  # findings.CaseStudy


@dataclass(frozen=True)
class Report:
    """Everything the printable report shows, in reading order, from the findings."""

    inspection: Inspection
    headline: str
    provisional: bool
    summary: pd.DataFrame
    chapters: tuple[ReportChapter, ...]
    baseline_title: str | None
    agreement: pd.DataFrame
    case_type_names: dict[str, str]
    generated_at: datetime


def report_data(inspection: Inspection) -> Report:
    """Gather the report: headline, grades by case type, then chapter by chapter."""
    board = findings.dashboard(inspection.id)
    progress = findings.recommendation_progress(inspection)
    chapter_findings = findings.chapter_findings(inspection)
    # Chapter judgements appear only where the inspection uses the chapter rule.
    chapter_judgements = (
        {c.chapter: c for c in chapter_findings.chapters} if chapter_findings.rule.enabled else {}
    )
    studies = {group.chapter: group.studies for group in findings.case_studies(inspection)}
    recommendations: dict[str, list[Any]] = {}
    for row in progress.rows:
        recommendations.setdefault(row.chapter, []).append(row)
    order = list(dict.fromkeys([*recommendations, *chapter_judgements, *studies]))
    chapters = []
    for title in order:
        judged = chapter_judgements.get(title)
        grade = judged.judgement if judged is not None else None
        if judged is not None and judged.override:
            reason = f"Lead's judgement: {judged.override_reason}"
        else:
            reason = judged.suggestion.reason if judged is not None else ""
        chapters.append(
            ReportChapter(
                title=title,
                judgement=grade.label if grade is not None else None,
                judgement_reason=reason,
                recommendations=tuple(recommendations.get(title, ())),
                case_studies=tuple(studies.get(title, ())),
            )
        )
    summary = grade_summary(inspection)
    return Report(
        inspection=inspection,
        headline=board.headline,
        provisional=board.provisional,
        summary=summary[summary["grouping"] != "Auditor"].reset_index(drop=True),
        chapters=tuple(chapters),
        baseline_title=progress.baseline_title,
        agreement=agreement_rows(inspection),
        case_type_names={
            slug: name for slug, name in db.session.execute(select(CaseType.slug, CaseType.name))
        },
        generated_at=datetime.now(UTC),
    )
