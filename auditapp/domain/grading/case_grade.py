"""Grade one case from its question set and answers, showing every step of the default rule.

The rule (domain notes §2, issue 4): any applicable critical question not met, or the auditor's
"child at current risk" flag, makes the case inadequate. Otherwise the score is
(met + partly_weight x partly met) / applicable, weighted, over graded questions; a score at or
above the good threshold with every applicable critical question fully met is good; at or above
the requires-improvement threshold (or good but with a critical question only partly met) it
requires improvement; below it, inadequate.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditapp.domain.aggregation.counting import plural
from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.grading.outcomes import QuestionOutcome, question_outcomes
from auditapp.domain.grading.thresholds import threshold_key, threshold_words
from auditapp.domain.percentages import percent_beside, percent_text
from auditapp.domain.question_sets import GradingRule, Question, QuestionSet

# Scores are sums of float weights; a score meant to sit exactly on a threshold (4 of 5 = 0.8)
# must count as reaching it even if floating point lands a hair below.
_TOLERANCE = 1e-9
# The multiplication sign reads better than "x" in the explanation an inspector checks.
_TIMES = "\u00d7"


@dataclass(frozen=True)
class CaseGrade:
    """The grade of one case, every question's outcome, and the reasoning in plain English."""

    grade: Grade | None
    provisional: bool
    score: float | None
    met: float
    partly_met: float
    not_met: float
    applicable: float
    outcomes: dict[str, QuestionOutcome]
    deciding: tuple[str, ...]
    explanation: tuple[str, ...]
    unanswered: tuple[str, ...]
    rule: GradingRule
    current_risk: bool = False
    limiting: bool = field(default=False)
    # Unverified thresholds this grade used and the inspection has not confirmed, as
    # "QUESTION:threshold" (e.g. "OC10:low"): the grade is provisional until they are.
    unconfirmed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict, stored with the grade."""
        return {
            "grade": str(self.grade) if self.grade else None,
            "provisional": self.provisional,
            "score": self.score,
            "met": self.met,
            "partly_met": self.partly_met,
            "not_met": self.not_met,
            "applicable": self.applicable,
            "outcomes": {qid: outcome.to_dict() for qid, outcome in self.outcomes.items()},
            "deciding": list(self.deciding),
            "explanation": list(self.explanation),
            "unanswered": list(self.unanswered),
            "rule": self.rule.to_dict(),
            "current_risk": self.current_risk,
            "limiting": self.limiting,
            **({"unconfirmed": list(self.unconfirmed)} if self.unconfirmed else {}),
        }


def grade_case(
    qs: QuestionSet,
    answers: Mapping[str, str | None],
    *,
    current_risk: bool = False,
    rule: GradingRule | None = None,
    confirmed: Collection[str] = (),
) -> CaseGrade:
    """Grade a case under the default rule (the set's own thresholds unless ``rule`` is given).

    ``confirmed`` are the unverified thresholds the lead confirmed for the inspection, as
    "QUESTION:threshold" (``threshold_key``); a grade using any other is provisional.
    """
    rule = rule or qs.grading
    outcomes = question_outcomes(qs, answers)
    questions = qs.questions

    counted = [q for q in questions if q.graded and outcomes[q.id].outcome.is_applicable]
    met = sum(q.weight for q in counted if outcomes[q.id].outcome is Outcome.MET)
    partly = sum(q.weight for q in counted if outcomes[q.id].outcome is Outcome.PARTLY_MET)
    not_met = sum(q.weight for q in counted if outcomes[q.id].outcome is Outcome.NOT_MET)
    applicable = met + partly + not_met
    score = (met + rule.partly_weight * partly) / applicable if applicable else None

    # Criticality as it applies to this case (``critical_if`` depends on an earlier answer).
    critical_failed = [
        q for q in counted if outcomes[q.id].critical and outcomes[q.id].outcome is Outcome.NOT_MET
    ]
    critical_partly = [
        q
        for q in counted
        if outcomes[q.id].critical and outcomes[q.id].outcome is Outcome.PARTLY_MET
    ]
    unconfirmed = tuple(
        key
        for q in counted
        if outcomes[q.id].unverified
        and (key := threshold_key(q.id, outcomes[q.id].unverified)) not in confirmed
    )
    shortfall = [q for q in counted if outcomes[q.id].outcome is not Outcome.MET]
    unanswered = tuple(
        q.id for q in questions if q.required and outcomes[q.id].outcome is Outcome.UNANSWERED
    )

    lines: list[str] = []
    score_words = _score_text(score, rule)
    limiting = bool(critical_failed or current_risk)
    if limiting:
        grade: Grade | None = Grade.INADEQUATE
        deciding = tuple(q.id for q in critical_failed)
        if current_risk:
            lines.append(
                "The auditor flagged a child at current risk, so the case is inadequate "
                "whatever the score (limiting rule)."
            )
        for q in critical_failed:
            lines.append(
                f"{_name(q)} is critical and not met, so the case is inadequate "
                "whatever the score (limiting rule)."
            )
        if score is not None:
            lines.append(_score_line(met, partly, applicable, score_words, rule, counted))
    elif score is None:
        grade, deciding = None, ()
        lines.append(
            "No graded question applies to this case, so there is no score: "
            "the auditor must propose a grade."
        )
    else:
        lines.append(_score_line(met, partly, applicable, score_words, rule, counted))
        good, ri = rule.good_threshold, rule.requires_improvement_threshold
        if _reaches(score, good) and not critical_partly:
            grade = Grade.GOOD
            deciding = tuple(q.id for q in shortfall)
            lines.append(
                f"{score_words} is at least {_pct(good)} and every applicable critical "
                "question is fully met, so the case is good."
            )
        elif _reaches(score, good):
            grade = Grade.REQUIRES_IMPROVEMENT
            deciding = tuple(q.id for q in critical_partly)
            for q in critical_partly:
                lines.append(
                    f"{_name(q)} is critical and only partly met, so the case cannot be good "
                    f"although {score_words} is at least {_pct(good)}: it requires improvement."
                )
        elif _reaches(score, ri):
            grade = Grade.REQUIRES_IMPROVEMENT
            deciding = tuple(q.id for q in shortfall)
            lines.append(
                f"{score_words} is at least {_pct(ri)} but below {_pct(good)}, "
                "so the case requires improvement."
            )
        else:
            grade = Grade.INADEQUATE
            deciding = tuple(q.id for q in shortfall)
            lines.append(f"{score_words} is below {_pct(ri)}, so the case is inadequate.")
    if shortfall and not limiting:
        lines.append(
            "Not fully met: "
            + "; ".join(f"{_name(q)} ({outcomes[q.id].outcome.label.lower()})" for q in shortfall)
            + "."
        )
    excluded = _excluded_line(qs, outcomes)
    if excluded:
        lines.append(excluded)
    if unanswered:
        lines.append(
            f"Provisional: {plural(len(unanswered), 'required question')} "
            f"{'is' if len(unanswered) == 1 else 'are'} not answered yet "
            f"({', '.join(unanswered)}); the grade may change when they are."
        )
    if unconfirmed:
        lines.append(
            "Provisional: this grade uses "
            + ", ".join(threshold_words(qs, key) for key in unconfirmed)
            + ", whose source is unverified; the lead must confirm "
            + ("it" if len(unconfirmed) == 1 else "them")
            + " for the inspection."
        )
    return CaseGrade(
        grade=grade,
        provisional=bool(unanswered or unconfirmed),
        score=score,
        met=met,
        partly_met=partly,
        not_met=not_met,
        applicable=applicable,
        outcomes=outcomes,
        deciding=deciding,
        explanation=tuple(lines),
        unanswered=unanswered,
        rule=rule,
        current_risk=current_risk,
        limiting=limiting,
        unconfirmed=unconfirmed,
    )


def _reaches(score: float, threshold: float) -> bool:
    return score >= threshold or math.isclose(score, threshold, abs_tol=_TOLERANCE)


def _score_text(score: float | None, rule: GradingRule) -> str:
    """The score as every line of the explanation shows it, rounded half up.

    A score below a threshold gets the places it needs not to read as that threshold
    ("79.96% is below 80%", never "80% is below 80%").
    """
    if score is None:
        return ""
    good, ri = rule.good_threshold, rule.requires_improvement_threshold
    if _reaches(score, good):
        return _pct(score)
    return percent_beside(score, good if _reaches(score, ri) else ri)


def _score_line(
    met: float,
    partly: float,
    applicable: float,
    score: str,
    rule: GradingRule,
    counted: list[Question],
) -> str:
    weighted = any(q.weight != 1.0 for q in counted)
    noun = "weight of applicable graded questions" if weighted else "applicable graded questions"
    points = met + rule.partly_weight * partly
    return (
        f"Score{' (weighted)' if weighted else ''}: {_num(met)} met + {_num(rule.partly_weight)}"
        f" {_TIMES} {_num(partly)} partly met = {_num(points)} out of {_num(applicable)} {noun}"
        f" = {score}."
    )


def _excluded_line(qs: QuestionSet, outcomes: Mapping[str, QuestionOutcome]) -> str:
    """Which questions the score leaves out and why, in plain words (no "ungraded met")."""
    counts: dict[Outcome, int] = {}
    # Answered questions that carry no grade ("Were children present?"): their yes or no is
    # a fact, not met or not met, so only their number is given.
    information = 0
    for q in qs.questions:
        outcome = outcomes[q.id].outcome
        if outcome is Outcome.RECORDED or (outcome.is_applicable and not q.graded):
            information += 1
        elif not outcome.is_applicable:
            counts[outcome] = counts.get(outcome, 0) + 1
    parts = [
        f"{counts[outcome]} {words}"
        for outcome, words in (
            (Outcome.NOT_APPLICABLE, "not applicable"),
            (Outcome.HIDDEN, "not asked because of earlier answers"),
            (Outcome.UNANSWERED, "not answered yet"),
        )
        if counts.get(outcome)
    ]
    if information:
        parts.append(f"{information} asked for information only")
    return f"Not counted in the score: {', '.join(parts)}." if parts else ""


def _name(q: Question) -> str:
    return f"{q.id} “{q.text}”"


def _num(value: float) -> str:
    return f"{value:g}" if not float(value).is_integer() else str(int(value))


def _pct(value: float) -> str:
    """Write a fraction as a percentage, to one decimal place only when it is not whole."""
    # Half up, like every percentage shown (domain/percentages.py): 57.69% reads 57.7%.
    return percent_text(value)
