"""Recommendation progress: each baseline recommendation's evidence now and at the baseline,
the suggested progress, and the lead's recorded judgement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from auditapp.domain.aggregation import (
    OutcomeCount,
    QuestionLink,
    RecommendationEvidence,
    WeakAnswer,
    WeakOutcome,
    recommendation_evidence,
)
from auditapp.domain.recommendations import (
    Progress,
    ProgressSuggestion,
    rate_change,
    suggest_progress,
)
from auditapp.domain.statistics import Share, whole_percent
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


@dataclass(frozen=True)
class _Evidence:
    """What recommendation_evidence needs of one inspection's audited cases."""

    questions: list[QuestionLink] = field(default_factory=list)
    counts: list[OutcomeCount] = field(default_factory=list)
    weak: list[WeakOutcome] = field(default_factory=list)


def _linked(questions: list[QuestionLink]) -> list[str]:
    return sorted({link.question_id for link in questions})


def _evidence(review_id: int, baseline_id: int) -> tuple[_Evidence, _Evidence]:
    """Linked questions and outcome counts of a review and its baseline, and the review's weak
    answers (three queries).

    Only questions linked to a recommendation are counted, and only the review's weak answers
    (not met, partly met) are read with their notes: the rest cannot change any figure (the
    baseline's weak answers are never shown).
    """
    found = {review_id: _Evidence(), baseline_id: _Evidence()}
    seen: set[tuple[int, str, str]] = set()
    for row in queries.rows(queries.linked_questions_statement(list(found))):
        key = (row.inspection_id, row.case_type, row.code)
        if row.recommendation_codes and key not in seen:
            seen.add(key)
            found[row.inspection_id].questions.append(
                QuestionLink(row.case_type, row.code, row.text, tuple(row.recommendation_codes))
            )
    # Each inspection's own linked questions: the sets of its cases decide what is evidence.
    linked = {
        inspection_id: codes
        for inspection_id, evidence in found.items()
        if (codes := _linked(evidence.questions))
    }
    if not linked:
        return found[review_id], found[baseline_id]
    for row in queries.rows(queries.linked_outcome_counts_statement(linked)):
        found[row.inspection_id].counts.append(
            OutcomeCount(row.case_type, row.question_id, row.outcome, row.cases)
        )
    codes = _linked(found[review_id].questions)
    if codes:
        weak = queries.weak_outcomes_statement(review_id, codes)
        found[review_id].weak.extend(queries.rows(weak, row_type=WeakOutcome))
    return found[review_id], found[baseline_id]


def _evidenced_cases(inspection_id: int, evidence: _Evidence) -> int:
    """Audited cases of the inspection with an applicable answer to a linked question."""
    codes = _linked(evidence.questions)
    if not codes:
        return 0
    return db.session.scalar(queries.evidenced_cases_statement(inspection_id, codes)) or 0


@dataclass(frozen=True)
class LinkedQuestion:
    """A question evidencing a recommendation: its counts now and at the baseline."""

    case_type: str
    question_id: str
    text: str
    met: int
    partly_met: int
    not_met: int
    applicable: int
    summary: str
    baseline_met: int | None = None
    baseline_applicable: int | None = None

    @property
    def share(self) -> Share:
        """Return the share of applicable cases that fully meet the question now."""
        return Share(self.met, self.applicable)

    @property
    def baseline_share(self) -> Share | None:
        """Return the baseline share, when the baseline was audited here."""
        if self.baseline_applicable is None or self.baseline_met is None:
            return None
        return Share(self.baseline_met, self.baseline_applicable)


@dataclass(frozen=True)
class RecommendationProgressRow:
    """Progress on one recommendation of the baseline inspection."""

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
    now_rate: float | None
    baseline_rate: float | None
    baseline_computed: bool
    baseline_source: str
    change: float | None
    suggestion: ProgressSuggestion
    weak_answers: tuple[WeakAnswer, ...]
    judgement: str
    narrative: str
    judged_by: str | None
    judged_at: datetime | None
    entered_baseline_rate: float | None = None
    entered_baseline_source: str = ""

    @property
    def now_share(self) -> Share:
        """Return the met rate now as a share of applicable answers (partly met counts half)."""
        return Share(self.met + 0.5 * self.partly_met, self.applicable)

    @property
    def now_percent(self) -> int | None:
        """Return the met rate now as a whole percentage (half up)."""
        return None if self.now_rate is None else whole_percent(self.now_rate)

    @property
    def baseline_percent(self) -> int | None:
        """Return the baseline met rate as a whole percentage (half up)."""
        return None if self.baseline_rate is None else whole_percent(self.baseline_rate)

    @property
    def change_points(self) -> int | None:
        """Return the change in whole percentage points (now minus baseline, both rounded)."""
        if self.now_percent is None or self.baseline_percent is None:
            return None
        return self.now_percent - self.baseline_percent

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
    rows: tuple[RecommendationProgressRow, ...] = field(default=())


def recommendation_progress(
    inspection: Inspection, withhold: frozenset[int] = frozenset()
) -> RecommendationProgress:
    """Evidence, baseline, change, suggestion and judgement per baseline recommendation.

    Weak answers of the cases in ``withhold`` (see ``blind_case_ids``) are left out. A constant
    number of queries: recommendations, judgements, and two per inspection for the evidence
    (this one and the baseline).
    """
    baseline = inspection.baseline
    if baseline is None:
        return RecommendationProgress(inspection.id, None, None, 0)
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
    codes = [r.code for r in recommendations]
    found, found_before = _evidence(inspection.id, baseline.id)
    now = recommendation_evidence(found.counts, found.questions, found.weak, codes=codes)
    base_cases = _evidenced_cases(baseline.id, found_before)
    before: dict[str, RecommendationEvidence] = (
        recommendation_evidence(
            found_before.counts, found_before.questions, found_before.weak, codes=codes
        )
        if base_cases
        else {}
    )
    rows = []
    for rec in recommendations:
        evidence = now[rec.code]
        judged, judged_by = judgements.get(rec.id, (None, None))
        base = before.get(rec.code)
        base_by_question = {(q.case_type, q.question_id): q for q in base.questions} if base else {}
        if base is not None and base.applicable:
            baseline_rate: float | None = base.met_rate
            computed = True
            source = (
                f"Computed from {base.applicable} applicable answers in the audited cases of "
                f"{baseline.title}"
            )
        elif judged is not None and judged.baseline_rate is not None:
            baseline_rate, computed = judged.baseline_rate, False
            source = judged.baseline_source or "Entered by the lead"
        else:
            baseline_rate, computed, source = None, False, "No baseline rate"
        rows.append(
            RecommendationProgressRow(
                recommendation_id=rec.id,
                code=rec.code,
                kind=rec.kind,
                chapter=rec.chapter,
                timescale=rec.timescale,
                text=rec.text,
                sub_points=tuple(rec.sub_points or ()),
                questions=tuple(
                    LinkedQuestion(
                        case_type=q.case_type,
                        question_id=q.question_id,
                        text=q.question_text,
                        met=q.met,
                        partly_met=q.partly_met,
                        not_met=q.not_met,
                        applicable=q.applicable,
                        summary=q.summary,
                        baseline_met=(
                            base_by_question[(q.case_type, q.question_id)].met
                            if (q.case_type, q.question_id) in base_by_question
                            else None
                        ),
                        baseline_applicable=(
                            base_by_question[(q.case_type, q.question_id)].applicable
                            if (q.case_type, q.question_id) in base_by_question
                            else None
                        ),
                    )
                    for q in evidence.questions
                ),
                met=evidence.met,
                partly_met=evidence.partly_met,
                not_met=evidence.not_met,
                applicable=evidence.applicable,
                now_rate=evidence.met_rate,
                baseline_rate=baseline_rate,
                baseline_computed=computed,
                baseline_source=source,
                change=rate_change(evidence.met_rate, baseline_rate),
                suggestion=suggest_progress(evidence.met_rate, baseline_rate),
                weak_answers=tuple(w for w in evidence.weak_answers if w.case_id not in withhold),
                judgement=judged.judgement if judged else str(Progress.NOT_ASSESSED),
                narrative=(judged.narrative or "") if judged else "",
                judged_by=judged_by,
                judged_at=judged.judged_at if judged else None,
                entered_baseline_rate=judged.baseline_rate if judged else None,
                entered_baseline_source=(judged.baseline_source or "") if judged else "",
            )
        )
    return RecommendationProgress(
        inspection.id, baseline.id, baseline.title, base_cases, tuple(rows)
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
) -> RecommendationJudgement:
    """Record (or change) the lead's judgement of progress on a recommendation, audit-logged."""
    Progress(judgement)  # ValueError for an unknown judgement
    if baseline_rate is not None and not 0 <= baseline_rate <= 1:
        raise FindingsError("baseline rate must be between 0% and 100%")
    if baseline_rate is not None and not (baseline_source or "").strip():
        raise FindingsError("say where the baseline rate comes from")
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
