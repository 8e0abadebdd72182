"""Like-for-like figures of a recommendation: each linked question's case-level rates now
and at baseline, which questions enter the change, and the suggestion they give."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from auditapp.domain.recommendations.rates import (
    DEFAULT_MIN_CASES,
    PARTLY_MET_CREDIT,
    ProgressSuggestion,
    ProgressThresholds,
    change_points,
    exact,
    format_change,
    format_rate,
    rate_change,
    rate_percent,
    suggest_progress,
)

# --- like-for-like figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionCounts:
    """One question's outcomes over the cases of one inspection (a case counts once)."""

    met: int
    partly_met: int
    not_met: int

    def __post_init__(self) -> None:
        if min(self.met, self.partly_met, self.not_met) < 0:
            raise ValueError("counts cannot be negative")

    @property
    def applicable(self) -> int:
        """Return the cases where the question applied."""
        return self.met + self.partly_met + self.not_met

    @property
    def rate(self) -> Fraction | None:
        """Return (met + 1/2 x partly met) / applicable cases, or None when none applied."""
        if not self.applicable:
            return None
        return (self.met + PARTLY_MET_CREDIT * self.partly_met) / self.applicable


class QuestionUse(StrEnum):
    """How a linked question enters a recommendation's figures."""

    COMPARED = "compared"  # in the rate now, the rate at the baseline and so the change
    NEW_EVIDENCE = "new_evidence"  # beside the comparison: no baseline figure to compare
    NOW_ONLY = "now_only"  # in the rate now; nothing compared (baseline entered or missing)
    NO_CASES = "no_cases"  # applies to no case in this review

    @property
    def label(self) -> str:
        """Return the words a user reads."""
        return {
            QuestionUse.COMPARED: "Compared",
            QuestionUse.NEW_EVIDENCE: "New evidence (not in the change)",
            QuestionUse.NOW_ONLY: "In the rate now",
            QuestionUse.NO_CASES: "No applicable case now",
        }[self]


@dataclass(frozen=True)
class LinkedQuestionCounts:
    """A linked question's counts now and at the baseline (None: the baseline did not ask it,
    or the baseline was not audited here)."""

    case_type: str
    question_id: str
    now: QuestionCounts
    baseline: QuestionCounts | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Return (case type, question id)."""
        return (self.case_type, self.question_id)


@dataclass(frozen=True)
class QuestionProgress:
    """A linked question's rates, how it is used, and why."""

    case_type: str
    question_id: str
    now: QuestionCounts
    baseline: QuestionCounts | None
    use: QuestionUse
    note: str

    @property
    def now_rate(self) -> Fraction | None:
        """Return the question's rate now."""
        return self.now.rate

    @property
    def baseline_rate(self) -> Fraction | None:
        """Return the question's rate at the baseline, when the baseline asked it."""
        return self.baseline.rate if self.baseline else None

    @property
    def change(self) -> Fraction | None:
        """Return the question's change, when it is compared."""
        return rate_change(self.now_rate, self.baseline_rate)


@dataclass(frozen=True)
class CaseGroup:
    """Audited cases of one case type with applicable answers to the same linked questions."""

    case_type: str
    question_ids: frozenset[str]
    cases: int


def cases_answering(groups: Iterable[CaseGroup], questions: Iterable[tuple[str, str]]) -> int:
    """Return the distinct cases with an applicable answer to at least one of the questions."""
    wanted: dict[str, set[str]] = {}
    for case_type, question_id in questions:
        wanted.setdefault(case_type, set()).add(question_id)
    return sum(
        g.cases for g in groups if g.case_type in wanted and g.question_ids & wanted[g.case_type]
    )


@dataclass(frozen=True)
class EnteredBaseline:
    """A baseline rate a lead entered from the earlier report (``cases`` None: not said)."""

    rate: float
    cases: int | None
    source: str


def mean_rate(rates: Sequence[Fraction]) -> Fraction | None:
    """Return the mean of question rates (each question weighted alike), None when empty."""
    return sum(rates, Fraction(0)) / len(rates) if rates else None


@dataclass(frozen=True)
class ProgressFigures:
    """One recommendation's like-for-like figures and suggestion: every output reads these."""

    questions: tuple[QuestionProgress, ...]
    now_rate: Fraction | None
    baseline_rate: Fraction | None
    now_cases: int
    baseline_cases: int | None
    min_cases: int
    baseline_entered: bool
    suggestion: ProgressSuggestion

    @property
    def change(self) -> Fraction | None:
        """Return the change, now minus baseline, from the unrounded rates."""
        return rate_change(self.now_rate, self.baseline_rate)

    @property
    def compared(self) -> tuple[QuestionProgress, ...]:
        """Return the questions inside the change."""
        return tuple(q for q in self.questions if q.use is QuestionUse.COMPARED)

    @property
    def new_evidence(self) -> tuple[QuestionProgress, ...]:
        """Return the questions shown beside the comparison, outside the change."""
        return tuple(q for q in self.questions if q.use is QuestionUse.NEW_EVIDENCE)

    @property
    def rate_questions(self) -> tuple[QuestionProgress, ...]:
        """Return the questions the rate now is the mean of."""
        return tuple(
            q for q in self.questions if q.use in (QuestionUse.COMPARED, QuestionUse.NOW_ONLY)
        )

    @property
    def now_text(self) -> str:
        """Return the rate now as shown, e.g. "74.5%"."""
        return format_rate(self.now_rate)

    @property
    def baseline_text(self) -> str:
        """Return the baseline rate as shown."""
        return format_rate(self.baseline_rate)

    @property
    def change_text(self) -> str:
        """Return the change as shown, e.g. "+12.3 points"."""
        return format_change(self.change)

    @property
    def now_percent(self) -> Decimal | None:
        """Return the rate now as the percentage shown (a number, for exports)."""
        return rate_percent(self.now_rate)

    @property
    def baseline_percent(self) -> Decimal | None:
        """Return the baseline rate as the percentage shown."""
        return rate_percent(self.baseline_rate)

    @property
    def change_points(self) -> Decimal | None:
        """Return the change as the points shown."""
        return change_points(self.change)

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-able values: unrounded fractions and the shown numbers."""
        return {
            "now_rate": _float(self.now_rate),
            "baseline_rate": _float(self.baseline_rate),
            "change": _float(self.change),
            "now_percent": _float(self.now_percent),
            "baseline_percent": _float(self.baseline_percent),
            "change_points": _float(self.change_points),
            "now_text": self.now_text,
            "baseline_text": self.baseline_text,
            "change_text": self.change_text,
            "now_cases": self.now_cases,
            "baseline_cases": self.baseline_cases,
            "min_cases": self.min_cases,
            "baseline_entered": self.baseline_entered,
            "compared_questions": len(self.compared),
            "new_evidence_questions": len(self.new_evidence),
        }


def _float(value: Fraction | Decimal | None) -> float | None:
    return None if value is None else float(value)


def progress_figures(
    questions: Sequence[LinkedQuestionCounts],
    *,
    now_groups: Iterable[CaseGroup],
    baseline_groups: Iterable[CaseGroup] | None = None,
    entered: EnteredBaseline | None = None,
    min_cases: int = DEFAULT_MIN_CASES,
    thresholds: ProgressThresholds | None = None,
) -> ProgressFigures:
    """Work out a recommendation's figures like for like, and suggest a judgement.

    ``baseline_groups`` is None when the baseline was not audited here. A question is compared
    when both inspections have applicable cases for it; the rest with cases now are new
    evidence. With nothing compared, the rate now is over every question with cases now and
    the baseline is the entered one, if any.
    """
    comparable = [
        q
        for q in questions
        if q.now.applicable and q.baseline is not None and q.baseline.applicable
    ]
    now_groups, baseline_groups = list(now_groups), baseline_groups
    audited = baseline_groups is not None
    progress: list[QuestionProgress] = []
    for q in questions:
        if not q.now.applicable:
            use, note = QuestionUse.NO_CASES, "Applies to no case in this review."
        elif comparable and q in comparable:
            use, note = QuestionUse.COMPARED, "Asked at both inspections: in the change."
        else:
            if not audited:
                why = "The baseline was not audited here"
            elif q.baseline is None:
                why = "Not asked at the baseline"
            else:
                why = "No applicable case at the baseline"
            if comparable:
                use, note = QuestionUse.NEW_EVIDENCE, f"{why}: new evidence, not in the change."
            else:
                use, note = QuestionUse.NOW_ONLY, f"{why}: in the rate now only."
        progress.append(QuestionProgress(q.case_type, q.question_id, q.now, q.baseline, use, note))
    rated = [p for p in progress if p.use in (QuestionUse.COMPARED, QuestionUse.NOW_ONLY)]
    keys = [(p.case_type, p.question_id) for p in rated]
    now_rate = mean_rate([p.now.rate for p in rated if p.now.rate is not None])
    now_cases = cases_answering(now_groups, keys)
    baseline_rate: Fraction | None
    baseline_cases: int | None
    if comparable:
        baseline_rate = mean_rate([p.baseline_rate for p in rated if p.baseline_rate is not None])
        baseline_cases = cases_answering(baseline_groups or (), keys)
        is_entered = False
    elif entered is not None:
        baseline_rate, baseline_cases, is_entered = exact(entered.rate), entered.cases, True
    else:
        baseline_rate, baseline_cases, is_entered = None, None, False
    suggestion = suggest_progress(
        now_rate,
        baseline_rate,
        now_cases=now_cases,
        baseline_cases=baseline_cases,
        min_cases=min_cases,
        thresholds=thresholds,
    )
    return ProgressFigures(
        questions=tuple(progress),
        now_rate=now_rate,
        baseline_rate=baseline_rate,
        now_cases=now_cases,
        baseline_cases=baseline_cases,
        min_cases=min_cases,
        baseline_entered=is_entered,
        suggestion=suggestion,
    )
