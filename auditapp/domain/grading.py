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
from datetime import timedelta
from typing import Any

from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.percentages import percent_beside, percent_text
from auditapp.domain.question_sets import (
    NOT_APPLICABLE,
    Condition,
    DerivedCheck,
    GradingRule,
    Question,
    QuestionSet,
    answer_words,
    checklist_ticks,
    condition_met,
    format_duration,
    option_words,
    parse_stored_date,
    visible_ids,
)
from auditapp.domain.question_sets.model import WITHIN

# Scores are sums of float weights; a score meant to sit exactly on a threshold (4 of 5 = 0.8)
# must count as reaching it even if floating point lands a hair below.
_TOLERANCE = 1e-9
# The multiplication sign reads better than "x" in the explanation an inspector checks.
_TIMES = "\u00d7"


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
            f"Provisional: {_plural(len(unanswered), 'required question')} "
            f"{'is' if len(unanswered) == 1 else 'are'} not answered yet "
            f"({', '.join(unanswered)}); the grade may change when they are."
        )
    if unconfirmed:
        lines.append(
            "Provisional: this grade uses "
            + ", ".join(_threshold_words(qs, key) for key in unconfirmed)
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


def threshold_key(question_id: str, threshold: str) -> str:
    """The name a lead confirms an unverified threshold by, e.g. "OC10:low"."""
    return f"{question_id}:{threshold}"


def unverified_thresholds(qs: QuestionSet) -> list[tuple[str, str, timedelta]]:
    """Every threshold of the set marked unverified: (key, words, duration), in file order."""
    found = []
    for q in qs.questions:
        check = q.check
        if check is None:
            continue
        for name in check.unverified:
            duration = check.within if name == WITHIN else None
            if duration is None and check.within_by is not None:
                duration = check.within_by.get(name)
            if duration is not None:
                key = threshold_key(q.id, name)
                found.append((key, _threshold_words(qs, key), duration))
    return found


def _threshold_words(qs: QuestionSet, key: str) -> str:
    question_id, name = key.split(":", 1)
    check = qs.question(question_id).check
    if check is None:
        return key
    if name == WITHIN or check.within_by is None:
        return f"{question_id}'s threshold of {format_duration(check.within)}"
    duration = check.within_by.get(name)
    words = option_words(qs.question(check.within_by.question), name)
    time = format_duration(duration) if duration is not None else "?"
    return f"{question_id}'s threshold of {time} for {check.within_by.question} {words}"


CURRENT_RISK_REFUSAL = (
    "A case with a child at current risk is inadequate: a lead must remove the flag "
    "before a different grade can be proposed"
)


def allowed_grades(grade: CaseGrade) -> tuple[Grade, ...]:
    """The grades an auditor may give a case with this grade: the choices check-and-submit
    offers and the proposals submitting accepts.

    A child at current risk makes the case inadequate whatever else is proposed (the limiting
    rule above): only a lead removing the flag opens the other grades again.
    """
    if grade.current_risk:
        return (Grade.INADEQUATE,)
    return tuple(Grade)


def proposal_refusal(grade: CaseGrade, proposal: Grade) -> str | None:
    """Why the rule refuses this proposed grade for the case, or None when it is allowed."""
    if proposal in allowed_grades(grade):
        return None
    return CURRENT_RISK_REFUSAL


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
            outcome, detail, unverified = _derived_outcome(qs, q, answers, shown)
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


def _hidden_detail(qs: QuestionSet, q: Question) -> str:
    condition = q.show_if
    if condition is None:  # unreachable: a question without show_if is always shown
        return ""
    controller = qs.question(condition.question)
    values = " or ".join(option_words(controller, value) for value in condition.equals)
    return f"shown only when {condition.question} is {values}"


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


def _derived_outcome(
    qs: QuestionSet, q: Question, answers: Mapping[str, str | None], shown: set[str]
) -> tuple[Outcome, str, str]:
    """The check's outcome, its detail, and the unverified threshold it used ("" if none)."""
    check = q.check
    if check is None:  # the loader rejects this; kept for hand-built sets
        return Outcome.UNANSWERED, "no check defined", ""
    not_yet = _not_yet(qs, check, answers, shown)
    if not_yet is None and check.until_audit is not None:
        return Outcome.UNANSWERED, f"needs {check.until_audit.question}", ""
    start_q, end_q = qs.question(check.start), qs.question(measured_end(check, bool(not_yet)))
    for ref in (start_q, end_q):
        if ref.id not in shown:
            return Outcome.NOT_APPLICABLE, f"not applicable: {ref.id} is not shown", ""
        if answers.get(ref.id) == NOT_APPLICABLE:
            return Outcome.NOT_APPLICABLE, f"not applicable: {ref.id} is not applicable", ""
    missing = [ref.id for ref in (start_q, end_q) if not answers.get(ref.id)]
    if missing:
        return Outcome.UNANSWERED, f"needs {' and '.join(missing)}", ""

    threshold, basis, name = check.within, "", WITHIN
    if check.within_by is not None:
        by_id = check.within_by.question
        by_value = answers.get(by_id) if by_id in shown else None
        if by_id in shown and not by_value:
            return Outcome.UNANSWERED, f"needs {by_id}", ""
        specific = check.within_by.get(by_value)
        if specific is not None:
            words = option_words(qs.question(by_id), by_value or "")
            threshold, basis, name = specific, f" for {by_id} {words}", by_value or ""
    unverified = name if name in check.unverified else ""

    elapsed = check_elapsed(qs, q, answers)
    if elapsed is None:
        return Outcome.UNANSWERED, f"{start_q.id} or {end_q.id} is not a valid date", ""
    if elapsed < timedelta(0):
        return Outcome.UNANSWERED, f"{end_q.id} is before {start_q.id}: check the times", ""

    target = f"target within {format_duration(threshold)}{basis}"
    if unverified:
        target += ", a threshold whose source is unverified"
    if check.partly_within is not None:
        target += f"; partly met within {format_duration(check.partly_within)}"
    taken = _elapsed(elapsed, threshold)
    if not_yet:
        taken = f"not yet done: {taken} so far, to the audit date"
    detail = f"{taken} ({target})"
    if elapsed <= threshold:
        return Outcome.MET, detail, unverified
    if check.partly_within is not None and elapsed <= check.partly_within:
        return Outcome.PARTLY_MET, detail, unverified
    return Outcome.NOT_MET, detail, unverified


def _not_yet(
    qs: QuestionSet, check: DerivedCheck, answers: Mapping[str, str | None], shown: set[str]
) -> bool | None:
    """Whether the action is not done yet (measured to the audit date); None when the "done
    yet?" question is shown but not answered."""
    until = check.until_audit
    if until is None or until.question not in shown:
        return False
    answer = answers.get(until.question)
    if not answer:
        return None
    condition = Condition(until.question, until.equals)
    return condition_met(qs.question(until.question), condition, answer)


def measured_end(check: DerivedCheck, not_yet: bool) -> str:
    """The question a check measures to: the audit date when the action is not done yet."""
    if not_yet and check.until_audit is not None:
        return check.until_audit.audit_date
    return check.end


def check_elapsed(
    qs: QuestionSet, q: Question, answers: Mapping[str, str | None]
) -> timedelta | None:
    """Return the time a timeliness check measures for these answers (None when a date is
    missing or not a valid date). The one reading of a check's interval: the grade and the
    findings' elapsed-time figures both use it."""
    check = q.check
    if check is None:
        return None
    not_yet = False
    if check.until_audit is not None:
        until = check.until_audit
        answer = answers.get(until.question)
        not_yet = bool(answer) and condition_met(
            qs.question(until.question), Condition(until.question, until.equals), answer
        )
    start_q, end_q = qs.question(check.start), qs.question(measured_end(check, not_yet))
    try:
        start = parse_stored_date(start_q, answers.get(start_q.id) or "")
        end = parse_stored_date(end_q, answers.get(end_q.id) or "")
    except ValueError:
        return None
    return end - start


def _elapsed(elapsed: timedelta, threshold: timedelta) -> str:
    """Write the time taken in the threshold's own unit, so the two compare at a glance."""
    minutes = int(elapsed.total_seconds() // 60)
    unit = format_duration(threshold).split()[1].rstrip("s")
    if unit == "minute":
        return _plural(minutes, "minute")
    if unit == "hour":
        hours, rest = divmod(minutes, 60)
        return _plural(hours, "hour") + (f" {_plural(rest, 'minute')}" if rest else "")
    days, rest = divmod(minutes, 60 * 24)
    hours = rest // 60
    return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")


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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
