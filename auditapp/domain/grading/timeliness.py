"""Timeliness checks: the time a derived question measures, against which threshold, and its
outcome (met within the threshold, partly met within ``partly_within``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from auditapp.domain.aggregation.counting import plural
from auditapp.domain.grades import Outcome
from auditapp.domain.question_sets import (
    NOT_APPLICABLE,
    Condition,
    DerivedCheck,
    Question,
    QuestionSet,
    condition_met,
    format_duration,
    option_words,
    parse_stored_date,
)
from auditapp.domain.question_sets.model import WITHIN


def derived_outcome(
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
        return plural(minutes, "minute")
    if unit == "hour":
        hours, rest = divmod(minutes, 60)
        return plural(hours, "hour") + (f" {plural(rest, 'minute')}" if rest else "")
    days, rest = divmod(minutes, 60 * 24)
    hours = rest // 60
    return plural(days, "day") + (f" {plural(hours, 'hour')}" if hours else "")
