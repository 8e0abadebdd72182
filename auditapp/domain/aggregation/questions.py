"""Each question's outcomes across the cases of a case type, counted and put in words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from auditapp.domain.aggregation.counting import plural
from auditapp.domain.grades import Outcome

_OUTCOMES = frozenset(str(outcome) for outcome in Outcome)


def outcome_summary(met: int, partly_met: int, applicable: int) -> str:
    """Describe one question's results in words, e.g. "met in 1 of 5 applicable cases"."""
    if applicable == 0:
        return "no applicable cases"
    text = f"met in {met} of {plural(applicable, 'applicable case')}"
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
