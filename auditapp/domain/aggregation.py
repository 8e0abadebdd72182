"""Counts across cases: grade distribution, per-question outcomes, per-recommendation evidence.

Inputs are plain DataFrames so the web layer can build them from one SQL query each; nothing
here knows about the database. Small samples are reported as counts ("met in 1 of 5
applicable cases"), as HMICFRS reports do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from auditapp.domain.grades import Grade, Outcome

GRADE_COLUMNS = [str(grade) for grade in Grade]
OUTCOME_COLUMNS = [str(outcome) for outcome in Outcome]
_WEAK = (Outcome.NOT_MET, Outcome.PARTLY_MET)


def _require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s): {', '.join(missing)}")


def percent(part: int, whole: int) -> int | None:
    """Return part/whole as a whole percentage rounded half up (None when whole is 0)."""
    if whole == 0:
        return None
    # Integer arithmetic: round() would round 12.5 to 12 (banker's rounding) and floats drift.
    return (200 * part + whole) // (2 * whole)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- grades -------------------------------------------------------------------------------------


def grade_distribution(cases: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Count cases per grade (overall, or per value of ``by``), with percentages of graded cases.

    ``cases`` has columns case_id, case_type, auditor, grade (a Grade value or None). The result
    is indexed by the group (``"total"`` when ``by`` is None) with columns cases, good,
    requires_improvement, inadequate, ungraded, graded, pct_good, pct_requires_improvement and
    pct_inadequate (whole percentages of graded cases, rounded half up; missing when none).
    """
    _require(cases, ["case_id", "grade"] + ([by] if by else []), "cases")
    grades = cases["grade"].astype("object").where(cases["grade"].notna(), None)
    unknown = sorted({str(g) for g in grades.dropna()} - set(GRADE_COLUMNS))
    if unknown:
        raise ValueError(f"unknown grade value(s): {', '.join(unknown)}")
    keys = cases[by].fillna("not recorded") if by else pd.Series("total", index=cases.index)
    rows = []
    for key in pd.unique(keys) if len(cases) else ([] if by else ["total"]):
        in_group = grades[keys == key]
        row: dict[str, object] = {"group": key, "cases": len(in_group)}
        for grade in GRADE_COLUMNS:
            row[grade] = int((in_group == grade).sum())
        row["ungraded"] = int(in_group.isna().sum())
        row["graded"] = row["cases"] - row["ungraded"]  # type: ignore[operator]
        for grade in GRADE_COLUMNS:
            row[f"pct_{grade}"] = percent(row[grade], row["graded"])  # type: ignore[arg-type]
        rows.append(row)
    columns = ["cases", *GRADE_COLUMNS, "ungraded", "graded"] + [
        f"pct_{grade}" for grade in GRADE_COLUMNS
    ]
    result = pd.DataFrame(rows, columns=["group", *columns]).set_index("group")
    result.index.name = by or None
    counts = ["cases", *GRADE_COLUMNS, "ungraded", "graded"]
    result[counts] = result[counts].astype("int64")
    pcts = [f"pct_{grade}" for grade in GRADE_COLUMNS]
    result[pcts] = result[pcts].astype("Int64")
    if by:
        result = result.sort_index()
    return result


def headline(cases: pd.DataFrame) -> str:
    """Summarise grades as an inspection report does, e.g. "24 cases audited: 6 good (25%), …"."""
    row = grade_distribution(cases).loc["total"]
    total = int(row["cases"])
    if total == 0:
        return "No cases audited"
    parts = []
    for grade in Grade:
        count = int(row[str(grade)])
        share = row[f"pct_{grade}"]
        words = f"{count} {grade.label.lower()}"
        parts.append(words if pd.isna(share) else f"{words} ({int(share)}%)")
    text = f"{_plural(total, 'case')} audited: " + ", ".join(parts)
    if row["ungraded"]:
        text += f", {int(row['ungraded'])} not yet graded"
    return text


# --- questions ----------------------------------------------------------------------------------


def outcome_summary(met: int, partly_met: int, applicable: int) -> str:
    """Describe one question's results in words, e.g. "met in 1 of 5 applicable cases"."""
    if applicable == 0:
        return "no applicable cases"
    text = f"met in {met} of {_plural(applicable, 'applicable case')}"
    if partly_met:
        text += f" ({partly_met} partly met)"
    return text


def question_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Count each question's outcomes across cases, per case type, with a summary in words.

    ``outcomes`` has columns case_id, case_type, question_id, outcome (an Outcome value). Rows
    keep the order questions first appear in; columns are case_type, question_id, one count
    per outcome, applicable (met + partly met + not met) and summary.
    """
    _require(outcomes, ["case_id", "case_type", "question_id", "outcome"], "outcomes")
    unknown = sorted(set(outcomes["outcome"].astype(str)) - set(OUTCOME_COLUMNS))
    if unknown:
        raise ValueError(f"unknown outcome value(s): {', '.join(unknown)}")
    keys = ["case_type", "question_id"]
    counts = (
        outcomes.assign(outcome=outcomes["outcome"].astype(str))
        .groupby(keys, sort=False)["outcome"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=OUTCOME_COLUMNS, fill_value=0)
        .astype("int64")
    )
    counts.columns.name = None
    counts["applicable"] = counts["met"] + counts["partly_met"] + counts["not_met"]
    counts["summary"] = [
        outcome_summary(met, partly, applicable)
        for met, partly, applicable in zip(
            counts["met"], counts["partly_met"], counts["applicable"], strict=True
        )
    ]
    return counts.reset_index()


# --- recommendations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionEvidence:
    """One question's results across the audited cases, as evidence for a recommendation."""

    case_type: str
    question_id: str
    question_text: str
    met: int
    partly_met: int
    not_met: int
    applicable: int
    summary: str


@dataclass(frozen=True)
class WeakAnswer:
    """A case where a question evidencing a recommendation was not met or only partly met."""

    case_id: object
    reference: str | None
    case_type: str
    question_id: str
    question_text: str
    outcome: Outcome
    note: str


@dataclass(frozen=True)
class RecommendationEvidence:
    """What the audited cases say about one recommendation."""

    code: str
    questions: tuple[QuestionEvidence, ...]
    met: int
    partly_met: int
    not_met: int
    applicable: int
    met_rate: float | None
    weak_answers: tuple[WeakAnswer, ...]


def recommendation_evidence(
    outcomes: pd.DataFrame,
    questions: pd.DataFrame,
    notes: pd.DataFrame,
    *,
    partly_weight: float = 0.5,
    codes: Iterable[str] | None = None,
) -> dict[str, RecommendationEvidence]:
    """Gather, per recommendation code, its questions' outcome counts and the weak answers.

    ``questions`` has columns case_type, question_id, question_text, recommendations (a list
    of codes); ``notes`` has case_id, reference, question_id, note (one row per answer; the
    note may be empty). The met rate is (met + partly_weight x partly met) / applicable.
    Codes listed in ``codes`` appear even with no evidence.
    """
    _require(outcomes, ["case_id", "case_type", "question_id", "outcome"], "outcomes")
    _require(
        questions, ["case_type", "question_id", "question_text", "recommendations"], "questions"
    )
    _require(notes, ["case_id", "reference", "question_id", "note"], "notes")

    per_question = question_outcomes(outcomes).set_index(["case_type", "question_id"])
    references = {
        case_id: reference
        for case_id, reference in zip(notes["case_id"], notes["reference"], strict=True)
        if isinstance(reference, str) and reference
    }
    note_text = {
        (case_id, question_id): note
        for case_id, question_id, note in zip(
            notes["case_id"], notes["question_id"], notes["note"], strict=True
        )
        if isinstance(note, str)
    }

    # The weak answers of each question, found in one pass over the outcomes: filtering the
    # whole frame once per question made this quadratic (seconds for a 600-case inspection).
    weak_rows = outcomes[outcomes["outcome"].astype(str).isin([str(o) for o in _WEAK])]
    weak_by_question: dict[tuple[str, str], list[tuple[object, str]]] = {}
    for case_type, question_id, case_id, outcome in zip(
        weak_rows["case_type"],
        weak_rows["question_id"],
        weak_rows["case_id"],
        weak_rows["outcome"].astype(str),
        strict=True,
    ):
        weak_by_question.setdefault((case_type, question_id), []).append((case_id, outcome))

    by_code: dict[str, list[tuple[str, str, str]]] = {code: [] for code in codes or []}
    for case_type, question_id, text, recs in zip(
        questions["case_type"],
        questions["question_id"],
        questions["question_text"],
        questions["recommendations"],
        strict=True,
    ):
        for code in recs or []:
            entry = (case_type, question_id, text)
            if entry not in by_code.setdefault(code, []):
                by_code[code].append(entry)

    result: dict[str, RecommendationEvidence] = {}
    for code, entries in by_code.items():
        evidence = []
        weak: list[WeakAnswer] = []
        for case_type, question_id, text in entries:
            if (case_type, question_id) in per_question.index:
                row = per_question.loc[(case_type, question_id)]
                counts = (int(row["met"]), int(row["partly_met"]), int(row["not_met"]))
            else:
                counts = (0, 0, 0)
            applicable = sum(counts)
            evidence.append(
                QuestionEvidence(
                    case_type,
                    question_id,
                    text,
                    *counts,
                    applicable,
                    outcome_summary(counts[0], counts[1], applicable),
                )
            )
            for case_id, outcome in weak_by_question.get((case_type, question_id), []):
                weak.append(
                    WeakAnswer(
                        case_id=case_id,
                        reference=references.get(case_id),
                        case_type=case_type,
                        question_id=question_id,
                        question_text=text,
                        outcome=Outcome(outcome),
                        note=note_text.get((case_id, question_id), ""),
                    )
                )
        met = sum(e.met for e in evidence)
        partly = sum(e.partly_met for e in evidence)
        not_met = sum(e.not_met for e in evidence)
        applicable = met + partly + not_met
        # Not met before partly met, then by case reference, so the worst answers lead.
        weak.sort(
            key=lambda w: (
                _WEAK.index(w.outcome),
                w.reference or "",
                str(w.case_id),
                w.question_id,
            )
        )
        result[code] = RecommendationEvidence(
            code=code,
            questions=tuple(evidence),
            met=met,
            partly_met=partly,
            not_met=not_met,
            applicable=applicable,
            met_rate=(met + partly_weight * partly) / applicable if applicable else None,
            weak_answers=tuple(weak),
        )
    return result
