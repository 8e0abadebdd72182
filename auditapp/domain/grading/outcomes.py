"""What each answer amounts to in one case: met, partly met, not met, not applicable, hidden.

Also whether a question is critical for the case (``critical_if`` depends on an earlier answer).
Timeliness checks are read in ``timeliness``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditapp.domain.grades import Outcome
from auditapp.domain.grading.timeliness import derived_outcome
from auditapp.domain.question_sets import (
    NOT_APPLICABLE,
    Question,
    QuestionSet,
    answer_words,
    checklist_ticks,
    condition_met,
    condition_words,
    visible_ids,
)


@dataclass(frozen=True)
class QuestionOutcome:
    """What one question's answer amounts to in one case, with a short human-readable detail."""

    question_id: str
    outcome: Outcome
    graded: bool
    critical: bool
    detail: str = ""
    # The threshold a timeliness check used when its source is unverified, e.g. "low" (or
    # "within", the check's own threshold); "" otherwise.
    unverified: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        data: dict[str, Any] = {
            "outcome": str(self.outcome),
            "graded": self.graded,
            "critical": self.critical,
            "detail": self.detail,
        }
        if self.unverified:
            data["unverified"] = self.unverified
        return data


def question_outcomes(
    qs: QuestionSet, answers: Mapping[str, str | None]
) -> dict[str, QuestionOutcome]:
    """Return the outcome of every question in the set for these answers."""
    shown = visible_ids(qs, answers)
    result: dict[str, QuestionOutcome] = {}
    for q in qs.questions:
        if q.id not in shown:
            detail = _hidden_detail(qs, q)
            outcome = Outcome.HIDDEN
        elif q.type == "derived":
            outcome, detail, unverified = derived_outcome(qs, q, answers, shown)
            result[q.id] = QuestionOutcome(
                q.id, outcome, q.graded, _critical(qs, q, answers, shown), detail, unverified
            )
            continue
        else:
            outcome, detail = _answer_outcome(q, answers.get(q.id))
        result[q.id] = QuestionOutcome(
            q.id, outcome, q.graded, _critical(qs, q, answers, shown), detail
        )
    return result


def _critical(
    qs: QuestionSet, q: Question, answers: Mapping[str, str | None], shown: set[str]
) -> bool:
    """Whether the question is critical for this case: always, or when ``critical_if`` holds."""
    condition = q.critical_if
    if condition is None:
        return q.critical
    return condition.question in shown and condition_met(
        qs.question(condition.question), condition, answers.get(condition.question)
    )


def critical_words(qs: QuestionSet, q: Question) -> str:
    """How critical a question is, as its tag reads: "Critical", "Critical when MC02 is High"
    for one critical only on an earlier answer (``critical_if``), or "" when never critical."""
    if q.critical_if is not None:
        return f"Critical when {condition_words(qs, q.critical_if)}"
    return "Critical" if q.critical else ""


def _hidden_detail(qs: QuestionSet, q: Question) -> str:
    condition = q.show_if
    if condition is None:  # unreachable: a question without show_if is always shown
        return ""
    return f"shown only when {condition_words(qs, condition)}"


def _answer_outcome(q: Question, value: str | None) -> tuple[Outcome, str]:
    # The detail of an answered question is the answer in the words every page uses.
    if not value:
        return Outcome.UNANSWERED, answer_words(q, value)
    if value == NOT_APPLICABLE and q.allow_na:
        return Outcome.NOT_APPLICABLE, answer_words(q, value)
    if q.type == "yes_no":
        outcome = {"yes": Outcome.MET, "partly": Outcome.PARTLY_MET, "no": Outcome.NOT_MET}.get(
            value
        )
        if outcome is None or (value == "partly" and not q.allow_partly):
            return _invalid(value)
        return outcome, answer_words(q, value)
    if q.type == "choice":
        option = q.option(value)
        if option is None:
            return _invalid(value)
        return option.outcome or Outcome.RECORDED, answer_words(q, value)
    if q.type == "checklist":
        ticked = checklist_ticks(value)
        if (value != "[]" and not ticked) or any(v not in q.option_values for v in ticked):
            return _invalid(value)
        detail = f"{len(ticked)} of {len(q.options)} ticked" + (
            f": {answer_words(q, value)}" if ticked else ""
        )
        if q.checklist_met is None:
            return Outcome.RECORDED, detail
        detail += f" (met when {q.checklist_met} or more"
        if q.checklist_partly is not None:
            detail += f", partly met when {q.checklist_partly} or more"
        detail += ")"
        if len(ticked) >= q.checklist_met:
            return Outcome.MET, detail
        if q.checklist_partly is not None and len(ticked) >= q.checklist_partly:
            return Outcome.PARTLY_MET, detail
        return Outcome.NOT_MET, detail
    return Outcome.RECORDED, answer_words(q, value)


def _invalid(value: str) -> tuple[Outcome, str]:
    # A stored value the current question does not accept (e.g. edited by hand) must not
    # silently count either way: it is treated as unanswered so the grade stays provisional.
    return Outcome.UNANSWERED, f"stored answer {value!r} is not valid for this question"
