"""Counts across cases: grade distribution, per-question outcomes, per-recommendation evidence.

Inputs are rows the database has already counted (one grouped SQL query each: a few dozen rows
whatever the number of cases), so every figure here is a sum over small tuples; nothing here
knows about the database. Small samples are reported as counts ("met in 1 of 5 applicable
cases"), as HMICFRS reports do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.statistics import Share
from auditapp.domain.statuses import AUDITED_STATUSES, CaseStatus

# Each grade's value and label, looked up once: the dashboard needs them per group, and enum
# iteration and attribute access are slow.
_GRADES = tuple((str(grade), grade.label) for grade in Grade)
# Where each grade is added up in a tally list: cases, good, requires improvement, inadequate,
# ungraded (None), unmoderated.
_SLOT: dict[str | None, int] = {grade: slot for slot, (grade, _) in enumerate(_GRADES, start=1)}
_SLOT[None] = 4
_OUTCOMES = frozenset(str(outcome) for outcome in Outcome)
_WEAK = (Outcome.NOT_MET, Outcome.PARTLY_MET)
_WEAK_RANK = {outcome: rank for rank, outcome in enumerate(_WEAK)}

NOT_ASSIGNED = "Not assigned"


def percent(part: int, whole: int) -> int | None:
    """Return part/whole as a whole percentage rounded half up (None when whole is 0)."""
    if whole == 0:
        return None
    # Integer arithmetic: round() would round 12.5 to 12 (banker's rounding) and floats drift.
    return (200 * part + whole) // (2 * whole)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- grades -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCount:
    """How many sampled cases share a case type, auditor, status, moderation and grade.

    ``grade`` is the grade the figures use: the final grade of a moderated case, else the
    auditor's proposed grade, else the computed one (None when there is none). ``moderated``
    is True when that grade is a final (moderated) grade. Fields a query does not group by
    keep their defaults.
    """

    cases: int
    status: str
    moderated: bool
    grade: str | None
    kind: str = "case"
    case_type_slug: str = ""
    case_type: str = ""
    auditor_id: int | None = None
    auditor_name: str | None = None
    auditor_email: str | None = None
    inspection_id: int | None = None

    @property
    def counted(self) -> bool:
        """Return True for audited (submitted or moderated) cases of a graded case type."""
        return self.kind == "case" and self.status in AUDITED_STATUSES


@dataclass(frozen=True)
class GradeTally:
    """Cases per grade in one group, with how many are ungraded and not yet moderated."""

    cases: int
    good: int
    requires_improvement: int
    inadequate: int
    ungraded: int
    unmoderated: int

    @property
    def graded(self) -> int:
        """Return the number of cases with a grade."""
        return self.cases - self.ungraded

    @property
    def provisional(self) -> bool:
        """Return True when any grade counted here is not yet moderated."""
        return self.unmoderated > 0

    def count(self, grade: Grade | str) -> int:
        """Return the number of cases with this grade (ValueError for an unknown grade)."""
        if grade is None or grade not in _SLOT:
            raise ValueError(f"unknown grade value: {grade}")
        return int(getattr(self, grade))

    def percent(self, grade: Grade | str) -> int | None:
        """Return this grade's share of the graded cases, whole and half up (None if none)."""
        return percent(self.count(grade), self.graded)


def grade_distribution(
    counts: Iterable[CaseCount], by: Callable[[CaseCount], str] | None = None
) -> dict[str, GradeTally]:
    """Add up cases per grade (overall, or per group named by ``by``), in group order.

    Overall the result has one entry, ``"total"`` (present even with no cases); by group it
    is sorted by group name. Raises ValueError for a grade that is not a Grade value.
    """
    sums: dict[str, list[int]] = {} if by else {"total": [0] * 6}
    for row in counts:
        slot = _SLOT.get(row.grade)
        if slot is None:
            raise ValueError(f"unknown grade value: {row.grade}")
        key = by(row) if by else "total"
        tally = sums.get(key)
        if tally is None:
            tally = sums[key] = [0] * 6
        tally[0] += row.cases
        tally[slot] += row.cases
        if not row.moderated:
            tally[5] += row.cases
    return {key: GradeTally(*sums[key]) for key in (sorted(sums) if by else sums)}


def headline(tally: GradeTally) -> str:
    """Summarise grades as an inspection report does, e.g. "24 cases audited: 6 good (25%), …"."""
    if tally.cases == 0:
        return "No cases audited"
    parts = []
    for grade, label in _GRADES:
        words = f"{tally.count(grade)} {label.lower()}"
        share = tally.percent(grade)
        parts.append(words if share is None else f"{words} ({share}%)")
    text = f"{_plural(tally.cases, 'case')} audited: " + ", ".join(parts)
    if tally.ungraded:
        text += f", {tally.ungraded} not yet graded"
    return text


@dataclass(frozen=True)
class GradeCount:
    """How many counted cases have one grade, as a share of the graded cases."""

    grade: str
    label: str
    share: Share


@dataclass(frozen=True)
class GradeBreakdown:
    """Grades of one group of audited cases (all of them, one case type, or one auditor)."""

    key: str
    label: str
    cases: int
    graded: int
    ungraded: int
    grades: tuple[GradeCount, ...]
    provisional: bool


def grade_breakdown(key: str, label: str, tally: GradeTally) -> GradeBreakdown:
    """One group's grades as shares of its graded cases."""
    return GradeBreakdown(
        key=key,
        label=label,
        cases=tally.cases,
        graded=tally.graded,
        ungraded=tally.ungraded,
        grades=tuple(
            GradeCount(grade, label, Share(getattr(tally, grade), tally.graded))
            for grade, label in _GRADES
        ),
        provisional=tally.provisional,
    )


@dataclass(frozen=True)
class WorkProgress:
    """Where the sampled cases of one case type are in the audit."""

    key: str
    label: str
    kind: str
    sampled: int
    in_progress: int
    submitted: int
    moderated: int


def work_progress(counts: Iterable[CaseCount], key: str, label: str, kind: str) -> WorkProgress:
    """How many of these sampled cases are drafts, submitted and moderated."""
    by_status: dict[str, int] = {}
    sampled = 0
    for row in counts:
        sampled += row.cases
        by_status[row.status] = by_status.get(row.status, 0) + row.cases
    return WorkProgress(
        key=key,
        label=label,
        kind=kind,
        sampled=sampled,
        in_progress=by_status.get(CaseStatus.DRAFT, 0),
        submitted=by_status.get(CaseStatus.SUBMITTED, 0),
        moderated=by_status.get(CaseStatus.MODERATED, 0),
    )


def auditor_labels(counts: Iterable[CaseCount]) -> dict[int | None, str]:
    """Each auditor's name, with the email where two auditors share it ("Not assigned": None).

    Two auditors can share a display name: telling them apart keeps their figures apart.
    """
    names: dict[int, str] = {}
    emails: dict[int, str | None] = {}
    for row in counts:
        if row.auditor_id is not None:
            names[row.auditor_id] = row.auditor_name or ""
            emails[row.auditor_id] = row.auditor_email
    ids_by_name: dict[str, set[int]] = {}
    for auditor_id, name in names.items():
        ids_by_name.setdefault(name, set()).add(auditor_id)
    labels: dict[int | None, str] = {None: NOT_ASSIGNED}
    for auditor_id, name in names.items():
        shared = len(ids_by_name[name]) > 1
        labels[auditor_id] = f"{name} ({emails[auditor_id]})" if shared else name or NOT_ASSIGNED
    return labels


@dataclass(frozen=True)
class DashboardFigures:
    """An inspection's headline, grades by case type and by auditor, and progress of the work."""

    headline: str
    provisional: bool
    unmoderated: int
    overall: GradeBreakdown
    by_case_type: tuple[GradeBreakdown, ...]
    by_auditor: tuple[GradeBreakdown, ...]
    progress: tuple[WorkProgress, ...]
    progress_total: WorkProgress


def dashboard_figures(counts: Iterable[CaseCount]) -> DashboardFigures:
    """Every dashboard figure from the sampled cases' counts (one inspection's).

    Grades count audited cases of graded case types (dip samples are left out); progress
    counts every sampled case. Groups are sorted by name.
    """
    rows = list(counts)
    counted = [row for row in rows if row.counted]
    overall = grade_distribution(counted)["total"]
    labels = auditor_labels(rows)
    slugs = {row.case_type: row.case_type_slug for row in rows}
    auditor_keys = {labels[row.auditor_id]: row.auditor_id for row in rows}
    by_type = grade_distribution(counted, by=lambda row: row.case_type)
    by_auditor = grade_distribution(counted, by=lambda row: labels[row.auditor_id])
    types: dict[str, list[CaseCount]] = {}
    for row in rows:
        types.setdefault(row.case_type, []).append(row)
    return DashboardFigures(
        headline=headline(overall),
        provisional=overall.provisional,
        unmoderated=overall.unmoderated,
        overall=grade_breakdown("total", "All audited cases", overall),
        by_case_type=tuple(
            grade_breakdown(slugs[name], name, tally) for name, tally in by_type.items()
        ),
        by_auditor=tuple(
            grade_breakdown(
                "" if auditor_keys[label] is None else str(auditor_keys[label]), label, tally
            )
            for label, tally in by_auditor.items()
        ),
        progress=tuple(
            work_progress(group, group[0].case_type_slug, name, group[0].kind)
            for name, group in sorted(types.items())
        ),
        progress_total=work_progress(rows, "all", "All sampled cases", "all"),
    )


# --- questions ----------------------------------------------------------------------------------


def outcome_summary(met: int, partly_met: int, applicable: int) -> str:
    """Describe one question's results in words, e.g. "met in 1 of 5 applicable cases"."""
    if applicable == 0:
        return "no applicable cases"
    text = f"met in {met} of {_plural(applicable, 'applicable case')}"
    if partly_met:
        text += f" ({partly_met} partly met)"
    return text


@dataclass(frozen=True)
class OutcomeCount:
    """How many cases of one case type had one outcome on one question."""

    case_type: str
    question_id: str
    outcome: str
    cases: int


@dataclass(frozen=True)
class QuestionOutcomes:
    """One question's outcome counts across the cases of a case type."""

    case_type: str
    question_id: str
    counts: Mapping[str, int]

    def count(self, outcome: Outcome | str) -> int:
        """Return how many cases had this outcome."""
        return self.counts.get(str(outcome), 0)

    @property
    def met(self) -> int:
        """Return the number of cases that met the question."""
        return self.count(Outcome.MET)

    @property
    def partly_met(self) -> int:
        """Return the number of cases that partly met the question."""
        return self.count(Outcome.PARTLY_MET)

    @property
    def not_met(self) -> int:
        """Return the number of cases that did not meet the question."""
        return self.count(Outcome.NOT_MET)

    @property
    def applicable(self) -> int:
        """Return met + partly met + not met (not applicable, hidden, unanswered left out)."""
        return self.met + self.partly_met + self.not_met

    @property
    def summary(self) -> str:
        """Return the results in words, e.g. "met in 1 of 5 applicable cases"."""
        return outcome_summary(self.met, self.partly_met, self.applicable)


def question_outcomes(counts: Iterable[OutcomeCount]) -> dict[tuple[str, str], QuestionOutcomes]:
    """Each question's outcome counts, keyed by (case type, question id), in first-seen order.

    Raises ValueError for an outcome that is not an Outcome value.
    """
    tallies: dict[tuple[str, str], dict[str, int]] = {}
    for row in counts:
        if row.outcome not in _OUTCOMES:
            raise ValueError(f"unknown outcome value: {row.outcome}")
        tally = tallies.setdefault((row.case_type, row.question_id), {})
        tally[row.outcome] = tally.get(row.outcome, 0) + row.cases
    return {key: QuestionOutcomes(*key, tally) for key, tally in tallies.items()}


# --- recommendations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionLink:
    """A question of a case type and the recommendation codes it evidences."""

    case_type: str
    question_id: str
    question_text: str
    recommendations: tuple[str, ...]


class WeakOutcome(NamedTuple):
    """A case where a question was not met or only partly met, with the auditor's note.

    A named tuple: a review has thousands, and its attributes are quick to read.
    """

    case_id: int
    reference: str | None
    case_type: str
    question_id: str
    outcome: str
    note: str | None


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


class WeakAnswer(NamedTuple):
    """A case where a question evidencing a recommendation was not met or only partly met.

    A named tuple, cheaper to make than a frozen dataclass: a review has thousands.
    """

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
    counts: Iterable[OutcomeCount],
    questions: Iterable[QuestionLink],
    weak_outcomes: Iterable[WeakOutcome],
    *,
    partly_weight: float = 0.5,
    codes: Iterable[str] | None = None,
) -> dict[str, RecommendationEvidence]:
    """Gather, per recommendation code, its questions' outcome counts and the weak answers.

    ``counts`` are outcome counts per case type and question; ``weak_outcomes`` the not met
    and partly met answers (others are ignored). The met rate is (met + partly_weight x partly
    met) / applicable. Codes listed in ``codes`` appear even with no evidence.
    """
    per_question = question_outcomes(counts)
    # The Outcome of each weak value, looked up rather than converted per answer: a review
    # has thousands of weak answers.
    weak_outcome = {str(outcome): outcome for outcome in _WEAK}
    weak_by_question: dict[tuple[str, str], list[WeakOutcome]] = {}
    for weak_row in weak_outcomes:
        if weak_row.outcome in weak_outcome:
            key = (weak_row.case_type, weak_row.question_id)
            weak_by_question.setdefault(key, []).append(weak_row)

    by_code: dict[str, list[tuple[str, str, str]]] = {code: [] for code in codes or []}
    for link in questions:
        for code in link.recommendations:
            entry = (link.case_type, link.question_id, link.question_text)
            if entry not in by_code.setdefault(code, []):
                by_code[code].append(entry)

    # A question's weak answers, built once however many recommendations it evidences.
    answers_of: dict[tuple[str, str, str], list[WeakAnswer]] = {}

    def weak_answers(entry: tuple[str, str, str]) -> list[WeakAnswer]:
        if entry not in answers_of:
            case_type, question_id, text = entry
            answers_of[entry] = [
                WeakAnswer(
                    case_id=row.case_id,
                    reference=row.reference or None,
                    case_type=case_type,
                    question_id=question_id,
                    question_text=text,
                    outcome=weak_outcome[row.outcome],
                    note=row.note or "",
                )
                for row in weak_by_question.get((case_type, question_id), [])
            ]
        return answers_of[entry]

    result: dict[str, RecommendationEvidence] = {}
    for code, entries in by_code.items():
        evidence = []
        weak: list[WeakAnswer] = []
        for case_type, question_id, text in entries:
            found = per_question.get((case_type, question_id))
            met, partly, not_met = (
                (found.met, found.partly_met, found.not_met) if found else (0, 0, 0)
            )
            applicable = met + partly + not_met
            evidence.append(
                QuestionEvidence(
                    case_type,
                    question_id,
                    text,
                    met,
                    partly,
                    not_met,
                    applicable,
                    outcome_summary(met, partly, applicable),
                )
            )
            weak.extend(weak_answers((case_type, question_id, text)))
        met = sum(e.met for e in evidence)
        partly = sum(e.partly_met for e in evidence)
        not_met = sum(e.not_met for e in evidence)
        applicable = met + partly + not_met
        # Not met before partly met, then by case reference (then case id and question), so
        # the worst answers lead: stable sorts from the last key to the first, which make no
        # key tuple per answer (thousands of them, each more work for the garbage collector).
        weak.sort(key=attrgetter("question_id"))
        weak.sort(key=lambda w: str(w.case_id))
        weak.sort(key=lambda w: w.reference or "")
        weak.sort(key=lambda w: _WEAK_RANK[w.outcome])
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
