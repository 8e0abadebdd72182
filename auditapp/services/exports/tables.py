"""The exported tables: each one's file and sheet name, its columns and the function that reads it.

Every format (workbook, CSV, CSV zip, CSV directory) writes these tables in this order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from auditapp.domain.grades import UNGRADED_CASES_HEADING
from auditapp.models import Inspection
from auditapp.services.action_plans import action_rows
from auditapp.services.evidence_log import evidence_rows
from auditapp.services.exports.figures import (
    agreement_rows,
    findings_rows,
    recommendation_rows,
    strata_rows,
    summary_rows,
)
from auditapp.services.exports.records import answer_chunks, case_rows, moderation_rows

Rows = list[dict[str, Any]]
FORMATS = ("xlsx", "csv", "html", "pdf", "docx")


class ExportError(ValueError):
    """An export was asked for something that does not exist (an unknown table or format)."""


@dataclass(frozen=True)
class Column:
    """One column of an exported table: its key in each row, heading, width and cell type."""

    key: str
    label: str
    width: int = 14
    kind: str = "text"  # text | int | number | decimal | date | datetime | bool


@dataclass(frozen=True)
class Table:
    """An exported table: file stem, sheet name, columns and the function that reads it.

    ``read`` yields the table's rows in chunks (lists of dicts keyed by column key); only the
    answers table yields more than one.
    """

    name: str
    sheet: str
    columns: tuple[Column, ...]
    read: Callable[[Inspection], Iterator[Rows]]
    description: str

    @property
    def filename(self) -> str:
        """The CSV file name, e.g. ``cases.csv``."""
        return f"{self.name}.csv"


def _one(rows_of: Callable[[Inspection], Rows]) -> Callable[[Inspection], Iterator[Rows]]:
    """A reader that yields a small table's rows as one chunk."""

    def read(inspection: Inspection) -> Iterator[Rows]:
        yield rows_of(inspection)

    return read


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
                Column("ungraded", UNGRADED_CASES_HEADING, 10, "int"),
                Column("graded", "Graded", 9, "int"),
                Column("pct_good", "Good (%)", 9, "int"),
                Column("pct_requires_improvement", "Requires improvement (%)", 12, "int"),
                Column("pct_inadequate", "Inadequate (%)", 11, "int"),
                Column("ci_good", "Good (95% CI)", 16),
                Column("ci_requires_improvement", "Requires improvement (95% CI)", 16),
                Column("ci_inadequate", "Inadequate (95% CI)", 16),
                Column("provisional", "Provisional", 11, "bool"),
            ),
            _one(summary_rows),
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
            _one(case_rows),
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
                Column("answers", "Answers", 60),
                Column("median", "Median", 14),
                Column("low", "Lowest", 14),
                Column("high", "Highest", 14),
                Column("within_target", "Within target (cases)", 10, "int"),
            ),
            _one(findings_rows),
            "Each question's results across the audited cases; every kind of answer in figures.",
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
                Column("compared_questions", "Questions compared", 24),
                Column("rate", "Met rate (%)", 10, "number"),
                Column("baseline_rate", "Baseline rate (%)", 10, "number"),
                Column("baseline_source", "Baseline source", 40),
                Column("change", "Change (percentage points)", 12, "number"),
                Column("now_cases", "Cases now", 8, "int"),
                Column("baseline_cases", "Cases at baseline", 8, "int"),
                Column("min_cases", "Fewest cases for a suggestion", 10, "int"),
                Column("new_evidence", "New evidence (not in the change)", 40),
                Column("suggestion", "Suggested judgement", 22),
                Column("suggestion_reason", "Why suggested", 40),
                Column("judgement", "Judgement", 22),
                Column("narrative", "Narrative", 60),
                Column("judged_by", "Judged by", 20),
                Column("judged_at", "Judged (UTC)", 18, "datetime"),
            ),
            _one(recommendation_rows),
            "Progress on each recommendation, like for like: the mean of the compared questions'"
            " case-level rates now and at the baseline, the change, the cases on each side, "
            "new evidence, the suggestion and the lead's judgement.",
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
            _one(moderation_rows),
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
            _one(agreement_rows),
            "How often moderating leads and second auditors agreed with the auditor.",
        ),
        Table(
            "strata",
            "Strata",
            (
                Column("case_type", "Case type", 30),
                Column("stratified_by", "Stratified by", 20),
                Column("stratum", "Stratum", 24),
                Column("frame", "Cases listed (frame)", 12, "int"),
                Column("sample", "Cases sampled", 12, "int"),
                Column("fraction", "Sampling fraction (%)", 12, "number"),
            ),
            _one(strata_rows),
            "Frame and sample per stratum of each case type, with the sampling fraction.",
        ),
        Table(
            "evidence",
            "Evidence",
            (
                Column("held_on", "Date", 12, "date"),
                Column("kind", "Kind", 18),
                Column("source", "Source", 30),
                Column("description", "Description", 60),
                Column("figures", "Figures", 50),
                Column("recommendations", "Recommendations", 16),
                Column("chapters", "Chapters", 30),
            ),
            _one(evidence_rows),
            "Evidence from beyond the case files: documents examined, interviews, focus groups, "
            "meetings observed and force data quoted, with the recommendations they evidence.",
        ),
        Table(
            "actions",
            "Action plan",
            (
                Column("recommendation", "Recommendation", 10),
                Column("chapter", "Chapter", 24),
                Column("action", "Action", 60),
                Column("owner", "Owner", 24),
                Column("status", "Status", 16),
                Column("timescale", "Timescale", 16),
                Column("due", "Due", 12, "date"),
                Column("due_reason", "How the due date was worked out", 40),
                Column("overdue", "Overdue", 9, "bool"),
                Column("updates", "Updates", 60),
            ),
            _one(action_rows),
            "The force's actions on each recommendation: owner, status, due date, dated updates.",
        ),
    )
}


def table(name: str) -> Table:
    """The table called ``name`` (ExportError when there is none)."""
    try:
        return TABLES[name]
    except KeyError:
        raise ExportError(f"unknown table {name!r}") from None
