"""Recommendation progress: each baseline recommendation's evidence now and at the baseline,
compared like for like (``domain.recommendations.progress_figures``), the suggested progress,
and the lead's recorded judgement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from auditapp.domain.aggregation import (
    OutcomeCount,
    QuestionLink,
    WeakAnswer,
    WeakOutcome,
    recommendation_evidence,
)
from auditapp.domain.grades import Outcome
from auditapp.domain.recommendations import (
    LEAD_JUDGEMENTS,
    CaseGroup,
    EnteredBaseline,
    LinkedQuestionCounts,
    Progress,
    ProgressFigures,
    ProgressSuggestion,
    QuestionCounts,
    QuestionUse,
    format_change,
    format_rate,
    progress_figures,
    rate_change,
)
from auditapp.domain.statistics import Share
from auditapp.extensions import db
from auditapp.models import (
    Inspection,
    Recommendation,
    RecommendationJudgement,
    User,
    utcnow,
)
from auditapp.services.audit_log import record_event
from auditapp.services.findings import queries
from auditapp.services.findings.errors import FindingsError


@dataclass
class _Side:
    """What one inspection's audited cases say about the review's linked questions."""

    counts: list[OutcomeCount] = field(default_factory=list)
    groups: list[CaseGroup] = field(default_factory=list)
    by_question: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        """Audited cases with an applicable answer to a linked question."""
        return sum(g.cases for g in self.groups)

    def question(self, case_type: str, question_id: str) -> QuestionCounts:
        """The question's counts over these cases (zeros when no case answers it)."""
        tally = self.by_question.get((case_type, question_id), {})
        return QuestionCounts(
            tally.get(Outcome.MET, 0),
            tally.get(Outcome.PARTLY_MET, 0),
            tally.get(Outcome.NOT_MET, 0),
        )


def _read_sides(review_id: int, baseline_id: int, codes: Sequence[str]) -> tuple[_Side, _Side]:
    """Outcome counts and case groups of the review and its baseline (one query).

    The pairs are not counted row by row in Python: each inspection and case type's lists are
    joined and counted at once (``Counter`` of one ``split``), as a 600-case review and its
    baseline give over 40,000 pairs in about as many rows as cases.
    """
    sides = {review_id: _Side(), baseline_id: _Side()}
    if not codes:
        return sides[review_id], sides[baseline_id]
    lists: dict[tuple[int, str], list[str]] = {}
    groups: Counter[tuple[int, str, frozenset[str]]] = Counter()
    for row in queries.rows(queries.linked_case_outcomes_statement(list(sides), codes)):
        # A row stands for ``cases`` cases: its list is counted once for each.
        lists.setdefault((row.inspection_id, row.case_type), []).extend([row.outcomes] * row.cases)
        groups[(row.inspection_id, row.case_type, frozenset(row.codes.split(",")))] += row.cases
    for (inspection_id, case_type), outcome_lists in lists.items():
        side = sides[inspection_id]
        for pair, cases in Counter(",".join(outcome_lists).split(",")).items():
            code, outcome = pair.split("=", 1)
            side.by_question.setdefault((case_type, code), {})[outcome] = cases
            side.counts.append(OutcomeCount(case_type, code, outcome, cases))
    for (inspection_id, case_type, answered), cases in groups.items():
        sides[inspection_id].groups.append(CaseGroup(case_type, answered, cases))
    return sides[review_id], sides[baseline_id]


def _read_weak(
    inspection_id: int, codes: Sequence[str], withhold: frozenset[int], first: int | None
) -> tuple[list[WeakOutcome], dict[tuple[str, str], int]]:
    """The review's weak answers (each question's ``first`` ones, or all), and their number
    per (case type, question), leaving out the cases in ``withhold``."""
    if not codes:
        return [], {}
    hidden = sorted(withhold)
    if first is None:
        weak = queries.rows(
            queries.weak_outcomes_statement(inspection_id, codes, hidden), row_type=WeakOutcome
        )
        return weak, dict(Counter((w.case_type, w.question_id) for w in weak))
    dialect = db.session.get_bind().dialect.name
    # At least one row per question, which carries the question's number of weak answers.
    statement = queries.first_weak_outcomes_statement(
        inspection_id, codes, max(first, 1), hidden, dialect
    )
    weak, numbers = [], {}
    for row in queries.rows(statement):
        weak.append(WeakOutcome._make(row[:-1]))
        numbers[(row.case_type, row.question_id)] = row.weak_answers
    return weak, numbers


def _questions(review_id: int, baseline_id: int) -> tuple[list[QuestionLink], set[tuple[str, str]]]:
    """The review's linked questions, and every question the baseline's cases were asked."""
    linked: list[QuestionLink] = []
    seen: set[tuple[str, str]] = set()
    asked: set[tuple[str, str]] = set()
    for row in queries.rows(queries.linked_questions_statement([review_id, baseline_id])):
        key = (row.case_type, row.code)
        if row.inspection_id == baseline_id:
            asked.add(key)
        if row.inspection_id == review_id and row.recommendation_codes and key not in seen:
            seen.add(key)
            linked.append(QuestionLink(*key, row.text, tuple(row.recommendation_codes)))
    return linked, asked


@dataclass(frozen=True)
class LinkedQuestion:
    """A question evidencing a recommendation: its case counts and rates now and at the
    baseline, and how it enters the recommendation's figures."""

    case_type: str
    question_id: str
    text: str
    met: int
    partly_met: int
    not_met: int
    applicable: int
    summary: str
    use: QuestionUse = QuestionUse.NOW_ONLY
    note: str = ""
    baseline_met: int | None = None
    baseline_partly_met: int | None = None
    baseline_not_met: int | None = None
    baseline_applicable: int | None = None
    now_rate: Fraction | None = None
    baseline_rate: Fraction | None = None

    @property
    def share(self) -> Share:
        """Return the share of applicable cases that fully meet the question now."""
        return Share(self.met, self.applicable)

    @property
    def baseline_share(self) -> Share | None:
        """Return the baseline's share of cases fully met, when the baseline asked it."""
        if self.baseline_applicable is None or self.baseline_met is None:
            return None
        return Share(self.baseline_met, self.baseline_applicable)

    @property
    def now_text(self) -> str:
        """Return the rate now as shown (partly met counts half)."""
        return format_rate(self.now_rate)

    @property
    def baseline_text(self) -> str:
        """Return the baseline rate as shown."""
        return format_rate(self.baseline_rate)

    @property
    def change_text(self) -> str:
        """Return the question's change as shown, when it is compared."""
        compared = self.use is QuestionUse.COMPARED
        return format_change(rate_change(self.now_rate, self.baseline_rate) if compared else None)

    @property
    def baseline_summary(self) -> str:
        """Return the baseline's counts in words, e.g. "met in 1 of 2 cases (1 partly met)"."""
        if self.baseline_applicable is None:
            return "not asked"
        if not self.baseline_applicable:
            return "no applicable cases"
        text = f"met in {self.baseline_met} of {self.baseline_applicable} applicable case"
        text += "" if self.baseline_applicable == 1 else "s"
        if self.baseline_partly_met:
            text += f" ({self.baseline_partly_met} partly met)"
        return text


@dataclass(frozen=True)
class RecommendationProgressRow:
    """Progress on one recommendation of the baseline inspection.

    Every figure (rates, change, cases, suggestion) is ``figures``'s: the page, the exports,
    the chart and the API read them from here, never recompute them.
    """

    recommendation_id: int
    code: str
    kind: str
    chapter: str
    timescale: str
    text: str
    sub_points: tuple[str, ...]
    questions: tuple[LinkedQuestion, ...]
    met: int
    partly_met: int
    not_met: int
    applicable: int
    figures: ProgressFigures
    baseline_source: str
    weak_answers: tuple[WeakAnswer, ...]
    weak_answer_count: int
    judgement: str
    narrative: str
    judged_by: str | None
    judged_at: datetime | None
    entered_baseline_rate: float | None = None
    entered_baseline_source: str = ""
    entered_baseline_cases: int | None = None

    @property
    def now_rate(self) -> Fraction | None:
        """Return the rate now: the mean of its questions' case-level rates."""
        return self.figures.now_rate

    @property
    def baseline_rate(self) -> Fraction | None:
        """Return the baseline rate over the same questions (or as entered)."""
        return self.figures.baseline_rate

    @property
    def baseline_computed(self) -> bool:
        """Return whether the baseline rate comes from the baseline's audited cases."""
        return self.figures.baseline_rate is not None and not self.figures.baseline_entered

    @property
    def change(self) -> Fraction | None:
        """Return the change from the unrounded rates."""
        return self.figures.change

    @property
    def suggestion(self) -> ProgressSuggestion:
        """Return the suggested judgement and its reason."""
        return self.figures.suggestion

    @property
    def now_percent(self) -> Decimal | None:
        """Return the rate now as the percentage shown."""
        return self.figures.now_percent

    @property
    def baseline_percent(self) -> Decimal | None:
        """Return the baseline rate as the percentage shown."""
        return self.figures.baseline_percent

    @property
    def change_points(self) -> Decimal | None:
        """Return the change as the points shown."""
        return self.figures.change_points

    @property
    def new_evidence(self) -> tuple[LinkedQuestion, ...]:
        """Return the linked questions shown beside the comparison, outside the change."""
        return tuple(q for q in self.questions if q.use is QuestionUse.NEW_EVIDENCE)

    @property
    def judgement_label(self) -> str:
        """Return the lead's judgement in words."""
        return Progress(self.judgement).label


@dataclass(frozen=True)
class RecommendationProgress:
    """Progress on every recommendation of the baseline inspection."""

    inspection_id: int
    baseline_id: int | None
    baseline_title: str | None
    baseline_audited_cases: int
    min_cases: int = 5
    rows: tuple[RecommendationProgressRow, ...] = field(default=())


def _baseline_source(figures: ProgressFigures, baseline_title: str, entered_source: str) -> str:
    if figures.baseline_entered:
        return entered_source or "Entered by the lead"
    if figures.baseline_rate is None:
        return "No baseline rate"
    compared = len(figures.compared)
    return (
        f"Computed from {figures.baseline_cases} audited case"
        f"{'' if figures.baseline_cases == 1 else 's'} of {baseline_title}, over the "
        f"{compared} question{'' if compared == 1 else 's'} asked at both inspections"
    )


def recommendation_progress(
    inspection: Inspection,
    withhold: frozenset[int] = frozenset(),
    weak_shown: int | None = None,
) -> RecommendationProgress:
    """Like-for-like figures, suggestion and judgement per baseline recommendation.

    Weak answers of the cases in ``withhold`` (see ``blind_case_ids``) are left out; with
    ``weak_shown``, each row holds only its first ``weak_shown`` (a page lists no more), and
    ``weak_answer_count`` says how many there are. A constant number of queries:
    recommendations, judgements, the linked questions of both inspections, their outcomes
    grouped by case, and the review's weak answers.
    """
    baseline = inspection.baseline
    min_cases = inspection.progress_min_cases
    if baseline is None:
        return RecommendationProgress(inspection.id, None, None, 0, min_cases)
    recommendations = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.inspection_id == baseline.id)
        .order_by(Recommendation.position, Recommendation.id)
    ).all()
    judgements = {
        row.RecommendationJudgement.recommendation_id: (row.RecommendationJudgement, row.judged_by)
        for row in db.session.execute(
            select(RecommendationJudgement, User.name.label("judged_by"))
            .outerjoin(User, User.id == RecommendationJudgement.judged_by_id)
            .where(RecommendationJudgement.inspection_id == inspection.id)
        ).all()
    }
    linked, asked = _questions(inspection.id, baseline.id)
    codes = sorted({link.question_id for link in linked})
    now_side, base_side = _read_sides(inspection.id, baseline.id, codes)
    weak, weak_numbers = _read_weak(inspection.id, codes, withhold, weak_shown)
    evidence = recommendation_evidence(
        now_side.counts, linked, weak, codes=[r.code for r in recommendations]
    )
    base_cases = base_side.cases
    audited = base_cases > 0
    rows = []
    for rec in recommendations:
        found = evidence[rec.code]
        judged, judged_by = judgements.get(rec.id, (None, None))
        counts = [
            LinkedQuestionCounts(
                q.case_type,
                q.question_id,
                QuestionCounts(q.met, q.partly_met, q.not_met),
                base_side.question(q.case_type, q.question_id)
                if audited and (q.case_type, q.question_id) in asked
                else None,
            )
            for q in found.questions
        ]
        entered = (
            EnteredBaseline(
                judged.baseline_rate, judged.baseline_cases, judged.baseline_source or ""
            )
            if judged is not None and judged.baseline_rate is not None
            else None
        )
        figures = progress_figures(
            counts,
            now_groups=now_side.groups,
            baseline_groups=base_side.groups if audited else None,
            entered=entered,
            min_cases=min_cases,
        )
        questions = tuple(
            LinkedQuestion(
                case_type=q.case_type,
                question_id=q.question_id,
                text=q.question_text,
                met=q.met,
                partly_met=q.partly_met,
                not_met=q.not_met,
                applicable=q.applicable,
                summary=q.summary,
                use=p.use,
                note=p.note,
                baseline_met=p.baseline.met if p.baseline else None,
                baseline_partly_met=p.baseline.partly_met if p.baseline else None,
                baseline_not_met=p.baseline.not_met if p.baseline else None,
                baseline_applicable=p.baseline.applicable if p.baseline else None,
                now_rate=p.now_rate,
                baseline_rate=p.baseline_rate,
            )
            for q, p in zip(found.questions, figures.questions, strict=True)
        )
        rows.append(
            RecommendationProgressRow(
                recommendation_id=rec.id,
                code=rec.code,
                kind=rec.kind,
                chapter=rec.chapter,
                timescale=rec.timescale,
                text=rec.text,
                sub_points=tuple(rec.sub_points or ()),
                questions=questions,
                met=found.met,
                partly_met=found.partly_met,
                not_met=found.not_met,
                applicable=found.applicable,
                figures=figures,
                baseline_source=_baseline_source(
                    figures, baseline.title, (judged.baseline_source or "") if judged else ""
                ),
                weak_answers=found.weak_answers[:weak_shown],
                weak_answer_count=sum(
                    weak_numbers.get((q.case_type, q.question_id), 0) for q in found.questions
                ),
                judgement=judged.judgement if judged else str(Progress.NOT_ASSESSED),
                narrative=(judged.narrative or "") if judged else "",
                judged_by=judged_by,
                judged_at=judged.judged_at if judged else None,
                entered_baseline_rate=judged.baseline_rate if judged else None,
                entered_baseline_source=(judged.baseline_source or "") if judged else "",
                entered_baseline_cases=judged.baseline_cases if judged else None,
            )
        )
    return RecommendationProgress(
        inspection.id, baseline.id, baseline.title, base_cases, min_cases, tuple(rows)
    )


def baseline_recommendation(inspection: Inspection, recommendation_id: int) -> Recommendation:
    """A recommendation of the inspection's baseline (FindingsError otherwise)."""
    rec = db.session.get(Recommendation, recommendation_id)
    if rec is None or inspection.baseline_id is None or rec.inspection_id != inspection.baseline_id:
        raise FindingsError("not a recommendation of this inspection's baseline")
    return rec


def record_recommendation_judgement(
    inspection: Inspection,
    recommendation: Recommendation,
    by: User,
    *,
    judgement: str,
    narrative: str,
    baseline_rate: float | None = None,
    baseline_source: str | None = None,
    baseline_cases: int | None = None,
) -> RecommendationJudgement:
    """Record (or change) the lead's judgement of progress on a recommendation, audit-logged.

    An entered baseline rate needs its source and the number of cases it came from.
    """
    if Progress(judgement) not in LEAD_JUDGEMENTS:
        raise FindingsError(f"{Progress(judgement).label.lower()} is only ever suggested")
    if baseline_rate is not None and not 0 <= baseline_rate <= 1:
        raise FindingsError("baseline rate must be between 0% and 100%")
    if baseline_rate is not None and not (baseline_source or "").strip():
        raise FindingsError("say where the baseline rate comes from")
    if baseline_rate is not None and baseline_cases is None:
        raise FindingsError("say how many cases the baseline rate came from")
    if baseline_cases is not None and baseline_cases < 1:
        raise FindingsError("the baseline rate must come from at least 1 case")
    if baseline_rate is None:
        baseline_cases = None
    row = db.session.scalar(
        select(RecommendationJudgement).where(
            RecommendationJudgement.inspection_id == inspection.id,
            RecommendationJudgement.recommendation_id == recommendation.id,
        )
    )
    if row is None:
        row = RecommendationJudgement(
            inspection_id=inspection.id, recommendation_id=recommendation.id
        )
        db.session.add(row)
    new = {
        "judgement": judgement,
        "narrative": narrative.strip() or None,
        "baseline_rate": baseline_rate,
        "baseline_source": (baseline_source or "").strip() or None,
        "baseline_cases": baseline_cases,
    }
    for name, value in new.items():
        old = getattr(row, name)
        if old != value:
            record_event(
                "record_judgement",
                "recommendation_judgement",
                user=by,
                entity_id=recommendation.code,
                inspection_id=inspection.id,
                field=name,
                old=old,
                new=value,
            )
            setattr(row, name, value)
    row.judged_by_id = by.id
    row.judged_at = utcnow()
    db.session.flush()
    return row
