"""How far two sets of grades (or question outcomes) agree: percentage agreement and Cohen's kappa.

Everything here can be checked with a pencil. For n cases each rated twice on k ordered
categories (for grades: inadequate < requires improvement < good), write the k x k table of
counts n_ij (row i = first rating, column j = second rating) and turn it into proportions:

    o_ij = n_ij / n                      observed proportion of cases in cell (i, j)
    r_i  = sum_j o_ij,  c_j = sum_i o_ij  how often each rating used each category
    e_ij = r_i * c_j                     proportion expected in (i, j) if the ratings were
                                         independent (agreement by chance)

Percentage agreement is p_o = sum_i o_ii: the share of cases on the diagonal.

Cohen's kappa (1960) corrects it for chance: with p_e = sum_i e_ii,

    kappa = (p_o - p_e) / (1 - p_e)

1 is perfect agreement, 0 is what chance alone gives, below 0 is worse than chance.
Worked example (Wikipedia, "Cohen's kappa"): 50 pairs, both yes 20, first yes second no 5,
first no second yes 10, both no 15. p_o = 35/50 = 0.7; the first said yes 25/50 = 0.5 of the
time, the second 30/50 = 0.6, so p_e = 0.5 x 0.6 + 0.5 x 0.4 = 0.5 and kappa = 0.2/0.5 = 0.4.

Weighted kappa (Cohen 1968) gives partial credit to near misses on an ordinal scale. With a
disagreement weight w_ij for each cell,

    kappa_w = 1 - (sum_ij w_ij o_ij) / (sum_ij w_ij e_ij)

    unweighted: w_ij = 0 if i = j else 1         (this is exactly the kappa above)
    linear:     w_ij = |i - j| / (k - 1)
    quadratic:  w_ij = (i - j)^2 / (k - 1)^2

So with three grades, linear weights count good-vs-requires-improvement as half a disagreement
and good-vs-inadequate as a whole one; quadratic weights count the near miss as a quarter.
Worked example (tests/unit/test_agreement.py): 10 cases, rows = first grade, columns = second,

             I  RI  G  | row
        I    2   1  0  |  3        p_o = 7/10, p_e = (3x3 + 5x4 + 2x3)/100 = 0.35,
        RI   1   3  1  |  5        kappa = (0.7 - 0.35)/0.65 = 7/13 = 0.54;
        G    0   0  2  |  2        linear: observed 3 x 1/2 / 10 = 0.15, expected 0.40,
        col  3   4  3  | 10        kappa = 1 - 0.15/0.40 = 5/8; quadratic: 1 - 0.075/0.275 = 8/11.

Kappa is undefined (returned as None) when chance alone would already give complete agreement
(sum_ij w_ij e_ij = 0), e.g. when both ratings put every case in the same one category.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from auditapp.domain.grades import Grade, Outcome

K = TypeVar("K", bound=Hashable)

# The ordinal scale of case grades, worst first: the index is the category's position.
GRADE_SCALE: tuple[str, ...] = (
    Grade.INADEQUATE.value,
    Grade.REQUIRES_IMPROVEMENT.value,
    Grade.GOOD.value,
)
# Question outcomes compared between a first and a second audit, as an ordinal scale.
# "Not applicable" sits apart from the scale: it is compared as its own category.
OUTCOME_SCALE: tuple[str, ...] = (
    Outcome.NOT_MET.value,
    Outcome.PARTLY_MET.value,
    Outcome.MET.value,
    Outcome.NOT_APPLICABLE.value,
)
# Outcomes that carry a judgement an auditor made (hidden, unanswered or merely recorded answers
# say nothing about agreement).
_JUDGED = frozenset(OUTCOME_SCALE)


class Weighting(StrEnum):
    """How a disagreement between two categories is weighted in kappa."""

    NONE = "none"
    LINEAR = "linear"
    QUADRATIC = "quadratic"


class AgreementError(ValueError):
    """A rating outside the scale it is compared on."""


def _weight(i: int, j: int, k: int, weighting: Weighting) -> Fraction:
    """Return the disagreement weight w_ij (0 on the diagonal, 1 at the far corners)."""
    if i == j:
        return Fraction(0)
    if weighting is Weighting.NONE or k < 2:
        return Fraction(1)
    distance = Fraction(abs(i - j), k - 1)
    return distance if weighting is Weighting.LINEAR else distance * distance


def _indices(pairs: Iterable[tuple[str, str]], scale: Sequence[str]) -> list[tuple[int, int]]:
    position = {category: index for index, category in enumerate(scale)}
    indexed = []
    for first, second in pairs:
        if first not in position or second not in position:
            unknown = first if first not in position else second
            raise AgreementError(f"{unknown!r} is not one of {', '.join(scale)}")
        indexed.append((position[first], position[second]))
    return indexed


def percentage_agreement(pairs: Iterable[tuple[str, str]]) -> float | None:
    """Share of pairs whose two ratings are the same, 0..1 (None when there are no pairs)."""
    listed = list(pairs)
    if not listed:
        return None
    return sum(1 for first, second in listed if first == second) / len(listed)


def cohen_kappa(
    pairs: Iterable[tuple[str, str]],
    scale: Sequence[str] = GRADE_SCALE,
    weighting: Weighting = Weighting.NONE,
) -> float | None:
    """Cohen's kappa of paired ratings on an ordered ``scale``: 1 - sum(w*o) / sum(w*e).

    None when there are no pairs, or when chance already explains complete agreement.
    Computed in exact fractions, so hand-worked examples come out exactly.
    """
    indexed = _indices(pairs, scale)
    n = len(indexed)
    if n == 0:
        return None
    k = len(scale)
    cells = Counter(indexed)
    rows = Counter(i for i, _ in indexed)
    columns = Counter(j for _, j in indexed)
    observed = sum(
        (_weight(i, j, k, weighting) * Fraction(count, n) for (i, j), count in cells.items()),
        Fraction(0),
    )
    expected = sum(
        (
            _weight(i, j, k, weighting) * Fraction(rows[i], n) * Fraction(columns[j], n)
            for i in rows
            for j in columns
        ),
        Fraction(0),
    )
    if expected == 0:
        return None
    return float(1 - observed / expected)


@dataclass(frozen=True)
class Agreement:
    """How far paired grades agree: counts, percentage, and kappa unweighted and weighted."""

    compared: int
    agreed: int
    percent: float | None
    kappa: float | None
    linear_kappa: float | None
    quadratic_kappa: float | None

    @property
    def disagreed(self) -> int:
        """Return the number of pairs that differ."""
        return self.compared - self.agreed


def agreement(pairs: Iterable[tuple[str, str]], scale: Sequence[str] = GRADE_SCALE) -> Agreement:
    """Percentage agreement and kappa (unweighted, linear, quadratic) of paired ratings."""
    listed = list(pairs)
    return Agreement(
        compared=len(listed),
        agreed=sum(1 for first, second in listed if first == second),
        percent=percentage_agreement(listed),
        kappa=cohen_kappa(listed, scale, Weighting.NONE),
        linear_kappa=cohen_kappa(listed, scale, Weighting.LINEAR),
        quadratic_kappa=cohen_kappa(listed, scale, Weighting.QUADRATIC),
    )


def kappa_band(kappa: float | None) -> str:
    """Landis and Koch's (1977) words for a kappa: slight, fair, moderate, substantial..."""
    if kappa is None:
        return "not defined"
    if kappa < 0:
        return "worse than chance"
    for upper, words in ((0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if kappa <= upper:
            return words
    return "almost perfect"


def agreement_by(
    rows: Iterable[tuple[K, str, str]], scale: Sequence[str] = GRADE_SCALE
) -> dict[K, Agreement]:
    """Agreement per group from (group, first, second) rows, groups in first-seen order."""
    grouped: dict[K, list[tuple[str, str]]] = defaultdict(list)
    for key, first, second in rows:
        grouped[key].append((first, second))
    return {key: agreement(pairs, scale) for key, pairs in grouped.items()}


@dataclass(frozen=True)
class QuestionAgreement:
    """How often a first and a second audit reached the same outcome on one question."""

    question_id: str
    compared: int
    agreed: int
    kappa: float | None

    @property
    def disagreed(self) -> int:
        """Return the number of cases where the two outcomes differ."""
        return self.compared - self.agreed

    @property
    def percent(self) -> float:
        """Return the share of compared cases that agree, 0..1."""
        return self.agreed / self.compared if self.compared else 0.0


def question_agreement(rows: Iterable[tuple[str, str, str]]) -> list[QuestionAgreement]:
    """Per-question agreement from (question id, first outcome, second outcome) rows.

    A pair is compared when at least one audit made a judgement (met, partly met, not met or
    not applicable); a question one audit showed and the other hid counts as a disagreement.
    Sorted with the most disagreements first, then the lowest agreement, then question id.
    """
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for question_id, first, second in rows:
        if first not in _JUDGED and second not in _JUDGED:
            continue
        grouped[question_id].append((first, second))
    results = []
    for question_id, pairs in grouped.items():
        on_scale = [(a, b) for a, b in pairs if a in _JUDGED and b in _JUDGED]
        results.append(
            QuestionAgreement(
                question_id=question_id,
                compared=len(pairs),
                agreed=sum(1 for a, b in pairs if a == b),
                kappa=cohen_kappa(on_scale, OUTCOME_SCALE) if on_scale else None,
            )
        )
    return sorted(results, key=lambda q: (-q.disagreed, q.percent, q.question_id))
