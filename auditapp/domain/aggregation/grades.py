"""Grades across cases: counted rows, tallies per grade, the headline and each group's shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from auditapp.domain.aggregation.counting import percent, plural
from auditapp.domain.grades import Grade, figure_grade_is_provisional
from auditapp.domain.statistics import (
    Share,
    StratifiedShare,
    StratumCount,
    stratified_share,
    unequal_fractions,
)
from auditapp.domain.statuses import AUDITED_STATUSES

# Each grade's value and label, looked up once: the dashboard needs them per group, and enum
# iteration and attribute access are slow.
_GRADES = tuple((str(grade), grade.label) for grade in Grade)
# Where each grade is added up in a tally list: cases, good, requires improvement, inadequate,
# ungraded (None); then the cases not moderated, on an unconfirmed threshold, provisional.
_SLOT: dict[str | None, int] = {grade: slot for slot, (grade, _) in enumerate(_GRADES, start=1)}
_SLOT[None] = 4
_UNMODERATED, _UNCONFIRMED, _PROVISIONAL = 5, 6, 7
_SLOTS = 8


@dataclass(frozen=True)
class CaseCount:
    """How many sampled cases share a case type, auditor, status, moderation and grade.

    ``grade`` is the grade the figures use: the final grade of a moderated case, else the
    auditor's proposed grade, else the computed one (None when there is none). ``moderated``
    is True when that grade is a final (moderated) grade. ``unconfirmed`` is True when the
    case's computed grade used an unverified threshold the inspection has not confirmed.
    Fields a query does not group by keep their defaults.
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
    unconfirmed: bool = False

    @property
    def provisional(self) -> bool:
        """Return True when these cases' grade is provisional (``figure_grade_is_provisional``)."""
        return figure_grade_is_provisional(self.moderated, self.unconfirmed)

    @property
    def counted(self) -> bool:
        """Return True for audited (submitted or moderated) cases of a graded case type."""
        return self.kind == "case" and self.status in AUDITED_STATUSES


@dataclass(frozen=True)
class GradeTally:
    """Cases per grade in one group, with how many are ungraded, not yet moderated, resting on
    an unconfirmed threshold, and provisional (either of the last two; a case can be both)."""

    cases: int
    good: int
    requires_improvement: int
    inadequate: int
    ungraded: int
    unmoderated: int
    unconfirmed: int
    provisional_grades: int

    @property
    def graded(self) -> int:
        """Return the number of cases with a grade."""
        return self.cases - self.ungraded

    @property
    def provisional(self) -> bool:
        """Return True when any grade counted here is provisional (``CaseCount.provisional``)."""
        return self.provisional_grades > 0

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
    sums: dict[str, list[int]] = {} if by else {"total": [0] * _SLOTS}
    for row in counts:
        slot = _SLOT.get(row.grade)
        if slot is None:
            raise ValueError(f"unknown grade value: {row.grade}")
        key = by(row) if by else "total"
        tally = sums.get(key)
        if tally is None:
            tally = sums[key] = [0] * _SLOTS
        tally[0] += row.cases
        tally[slot] += row.cases
        if not row.moderated:
            tally[_UNMODERATED] += row.cases
        if row.unconfirmed:
            tally[_UNCONFIRMED] += row.cases
        if row.provisional:
            tally[_PROVISIONAL] += row.cases
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
    text = f"{plural(tally.cases, 'case')} audited: " + ", ".join(parts)
    if tally.ungraded:
        text += f", {tally.ungraded} not yet graded"
    return text


def provisional_note(tally: GradeTally) -> str:
    """Say how many counted grades are provisional and why ("" when none is): the dashboard's
    warning, the report's and the Word draft's note."""
    if not tally.provisional:
        return ""
    # Unmoderated grades are provisional whatever their thresholds: the threshold reason is
    # given for the moderated ones only, so the two parts add up to the whole.
    waiting = tally.provisional_grades - tally.unmoderated
    if not waiting:
        return (
            f"Provisional: {tally.unmoderated} of the {tally.cases} counted grades are not yet "
            "moderated, so these figures may change."
        )
    parts = [f"{tally.unmoderated} not yet moderated"] if tally.unmoderated else []
    parts.append(
        f"{waiting} moderated but resting on a timeliness threshold whose source is unverified "
        "and which a lead has not yet confirmed for this inspection"
    )
    return (
        f"Provisional: {tally.provisional_grades} of the {tally.cases} counted grades are "
        f"provisional ({'; '.join(parts)}), so these figures may change."
    )


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
class StratumGrades:
    """One sampling stratum of a graded case type: cases listed, sampled, and graded per grade."""

    name: str
    frame: int
    sampled: int
    grades: Mapping[str, int]


@dataclass(frozen=True)
class WeightedGrade:
    """One grade's stratified (weighted) estimate across the force's cases."""

    grade: str
    label: str
    share: StratifiedShare


@dataclass(frozen=True)
class WeightedHeadline:
    """The headline's grades weighted for a sample drawn at unequal fractions per stratum."""

    strata: int
    cases: int
    grades: tuple[WeightedGrade, ...]

    @property
    def text(self) -> str:
        """Return e.g. "Weighted for the sampling (3 strata): good 23% (95% CI 10%-45%), …"."""
        parts = [
            f"{weighted.label.lower()} {weighted.share.percent}% ({weighted.share.ci_text})"
            for weighted in self.grades
        ]
        strata = f"{self.strata} {'stratum' if self.strata == 1 else 'strata'}"
        return (
            f"Weighted for the sampling ({strata}, {plural(self.cases, 'graded case')}): "
            + ", ".join(parts)
        )


def weighted_headline(strata: Iterable[StratumGrades]) -> WeightedHeadline | None:
    """The stratified estimate of each grade, when the strata were sampled at unequal fractions.

    None when every stratum was sampled at the same fraction (the plain shares are then the
    estimate) or no case is graded. Each grade's share is estimated over its strata's graded
    cases (``domain.statistics.stratified_share``).
    """
    rows = [stratum for stratum in strata if stratum.frame]
    if not unequal_fractions((stratum.sampled, stratum.frame) for stratum in rows):
        return None
    graded = [stratum for stratum in rows if sum(stratum.grades.values())]
    if not graded:
        return None
    weighted = []
    for grade, label in _GRADES:
        share = stratified_share(
            StratumCount(
                stratum.name,
                stratum.frame,
                sum(stratum.grades.values()),
                stratum.grades.get(grade, 0),
            )
            for stratum in graded
        )
        if share is not None:
            weighted.append(WeightedGrade(grade, label, share))
    return WeightedHeadline(
        strata=len(graded),
        cases=sum(sum(stratum.grades.values()) for stratum in graded),
        grades=tuple(weighted),
    )
