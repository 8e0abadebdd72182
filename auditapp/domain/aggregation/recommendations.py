"""The evidence for each recommendation: its questions' outcome counts and the weak answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from auditapp.domain.aggregation.questions import OutcomeCount, outcome_summary, question_outcomes
from auditapp.domain.grades import Outcome

_WEAK = (Outcome.NOT_MET, Outcome.PARTLY_MET)
_WEAK_RANK = {outcome: rank for rank, outcome in enumerate(_WEAK)}


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
            # Positional fields (WeakAnswer's order): keywords cost twice as much per answer.
            answers_of[entry] = [
                WeakAnswer(
                    row.case_id,
                    row.reference or None,
                    case_type,
                    question_id,
                    text,
                    weak_outcome[row.outcome],
                    row.note or "",
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
