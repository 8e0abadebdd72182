"""Every kind of answer in figures: frequency tables for choices, medians and ranges for
numbers, elapsed-time distributions for timeliness checks, "yes in x of y" for ungraded yes/no
questions and a count of cases answered for text and dates.

Inputs are counts the database grouped (values per question), or a question's elapsed times
(one per case). Only graded questions are judged met or not met; these figures never are, and
they carry no confidence interval: only a share of cases fully meeting a graded question does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from auditapp.domain.aggregation.counting import plural
from auditapp.domain.question_sets import (
    NOT_APPLICABLE,
    Question,
    answer_words,
    checklist_ticks,
    format_duration,
    option_words,
)
from auditapp.domain.question_sets.answers import safe_number


class FigureKind(StrEnum):
    """How a question's answers are reported."""

    GRADED = "graded"  # met, partly met and not met, with the fully-met share's interval
    YES_NO = "yes_no"  # an ungraded yes/no question: "yes in x of y"
    FREQUENCIES = "frequencies"  # a choice or checklist question: a frequency table
    NUMBER = "number"  # median and range
    ELAPSED = "elapsed"  # a timeliness check: elapsed times and the share within target
    ANSWERED = "answered"  # text and dates: how many cases answered


def figure_kind(question: Question) -> FigureKind:
    """Return how this question's answers are reported."""
    if question.type == "derived":
        return FigureKind.ELAPSED
    if question.type == "yes_no":
        return FigureKind.GRADED if question.graded else FigureKind.YES_NO
    if question.type in ("choice", "checklist"):
        return FigureKind.FREQUENCIES
    if question.type == "number":
        return FigureKind.NUMBER
    return FigureKind.ANSWERED


@dataclass(frozen=True)
class ValueCount:
    """How many cases gave one answer value (for a checklist: ticked one option)."""

    value: str
    label: str
    cases: int
    of: int

    @property
    def text(self) -> str:
        """Return e.g. "Secure accommodation in 3 of 5 cases"."""
        return f"{self.label} in {self.cases} of {plural(self.of, 'case')}"


@dataclass(frozen=True)
class AnswerFigures:
    """One question's answers in figures, and the sentence that states them."""

    kind: FigureKind
    answered: int  # cases with an answer other than "not applicable"
    not_applicable: int
    text: str
    values: tuple[ValueCount, ...] = ()
    median: str | None = None
    low: str | None = None
    high: str | None = None
    median_value: float | None = None  # numbers: the median; elapsed: in minutes
    low_value: float | None = None
    high_value: float | None = None
    within: int | None = None  # timeliness: cases within the target
    partly_within: int | None = None
    timed: int | None = None  # timeliness: cases with an elapsed time

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-able dict."""
        return {
            "kind": str(self.kind),
            "answered": self.answered,
            "not_applicable": self.not_applicable,
            "text": self.text,
            "values": [
                {"value": v.value, "label": v.label, "cases": v.cases, "of": v.of}
                for v in self.values
            ],
            "median": self.median,
            "low": self.low,
            "high": self.high,
            "median_value": self.median_value,
            "low_value": self.low_value,
            "high_value": self.high_value,
            "within": self.within,
            "partly_within": self.partly_within,
            "timed": self.timed,
        }


def _median(sorted_values: list[float]) -> float:
    middle, odd = divmod(len(sorted_values), 2)
    if odd:
        return sorted_values[middle]
    return (sorted_values[middle - 1] + sorted_values[middle]) / 2


def _expand(counts: Mapping[float, int]) -> list[float]:
    values: list[float] = []
    for value in sorted(counts):
        values.extend([value] * counts[value])
    return values


def yes_no_figures(yes: int, partly: int, no: int, not_applicable: int) -> AnswerFigures:
    """An ungraded yes/no question: "yes in 3 of 5 cases" (no met / not met, no interval)."""
    answered = yes + partly + no
    if not answered:
        text = "no cases answered"
    else:
        text = f"yes in {yes} of {plural(answered, 'case')}"
        if partly:
            text += f" (partly in {partly})"
    values = tuple(
        ValueCount(value, label, cases, answered)
        for value, label, cases in (
            ("yes", "Yes", yes),
            ("partly", "Partly", partly),
            ("no", "No", no),
        )
        if cases or value != "partly"
    )
    return AnswerFigures(FigureKind.YES_NO, answered, not_applicable, text, values)


def frequency_figures(question: Question, counts: Mapping[str, int]) -> AnswerFigures:
    """A choice or checklist question's frequency table over the cases that answered it.

    ``counts`` are cases per stored value. A checklist's options each count the cases that
    ticked them (a case can tick several); "None of these" counts the cases that ticked none.
    """
    not_applicable = counts.get(NOT_APPLICABLE, 0) if question.allow_na else 0
    per_value: dict[str, int] = {}
    answered = 0
    for value, cases in counts.items():
        if value == NOT_APPLICABLE and question.allow_na:
            continue
        answered += cases
        if question.type == "checklist":
            ticked = checklist_ticks(value)
            for tick in ticked or ["[]"]:
                per_value[tick] = per_value.get(tick, 0) + cases
        else:
            per_value[value] = per_value.get(value, 0) + cases
    values = [
        ValueCount(option.value, option.label, per_value.pop(option.value, 0), answered)
        for option in question.options
    ]
    if "[]" in per_value:
        values.append(ValueCount("[]", answer_words(question, "[]"), per_value.pop("[]"), answered))
    # A stored value the set no longer offers is still counted, as it is stored.
    values.extend(
        ValueCount(value, option_words(question, value), cases, answered)
        for value, cases in sorted(per_value.items())
    )
    if not answered:
        text = "no cases answered"
    else:
        text = "; ".join(v.text for v in values if v.cases) or "no cases answered"
    return AnswerFigures(FigureKind.FREQUENCIES, answered, not_applicable, text, tuple(values))


def number_figures(question: Question, counts: Mapping[str, int]) -> AnswerFigures:
    """A number question's median and range over the cases that answered it."""
    not_applicable = counts.get(NOT_APPLICABLE, 0) if question.allow_na else 0
    numbers: dict[float, int] = {}
    for value, cases in counts.items():
        number = safe_number(value)
        if number is not None:
            numbers[float(number)] = numbers.get(float(number), 0) + cases
    ordered = _expand(numbers)
    if not ordered:
        return AnswerFigures(FigureKind.NUMBER, 0, not_applicable, "no cases answered")
    median, low, high = _median(ordered), ordered[0], ordered[-1]
    words = {name: _number_text(value) for name, value in (("m", median), ("l", low), ("h", high))}
    text = (
        f"median {words['m']}, range {words['l']} to {words['h']}, "
        f"over {plural(len(ordered), 'case')}"
    )
    return AnswerFigures(
        FigureKind.NUMBER,
        len(ordered),
        not_applicable,
        text,
        median=words["m"],
        low=words["l"],
        high=words["h"],
        median_value=median,
        low_value=low,
        high_value=high,
    )


def _number_text(value: float) -> str:
    if value.is_integer():
        return f"{int(value):,}"
    return f"{Decimal(str(value)).normalize():,}"


def elapsed_text(value: timedelta) -> str:
    """Write an elapsed time in days and hours, hours and minutes, or minutes."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return plural(days, "day") + (f" {plural(hours, 'hour')}" if hours else "")
    if hours:
        return plural(hours, "hour") + (f" {plural(mins, 'minute')}" if mins else "")
    return plural(mins, "minute")


def elapsed_figures(
    elapsed: Iterable[timedelta],
    *,
    met: int,
    partly_met: int,
    applicable: int,
    not_applicable: int,
    target: timedelta | None = None,
) -> AnswerFigures:
    """A timeliness check's elapsed times (median and range) and the share within target.

    ``met``, ``partly_met`` and ``applicable`` are the check's own outcome counts (within the
    target, within the partly-met band, judged at all): the share within target is read from
    the same counts as the question's graded figures, so the two never disagree.
    """
    times = sorted(elapsed)
    within = f"within target in {met} of {plural(applicable, 'case')}" if applicable else ""
    if partly_met:
        within += f" ({partly_met} within the partly met band)"
    if target is not None and within:
        within += f" (target {format_duration(target)})"
    if not times:
        text = within or "no cases timed"
        return AnswerFigures(
            FigureKind.ELAPSED,
            applicable,
            not_applicable,
            text,
            within=met,
            partly_within=partly_met,
            timed=0,
        )
    minutes = [t.total_seconds() / 60 for t in times]
    median = _median(minutes)
    words = (
        elapsed_text(timedelta(minutes=median)),
        elapsed_text(times[0]),
        elapsed_text(times[-1]),
    )
    text = (
        f"median {words[0]}, range {words[1]} to {words[2]}, over {plural(len(times), 'case')}"
        + (f"; {within}" if within else "")
    )
    return AnswerFigures(
        FigureKind.ELAPSED,
        applicable,
        not_applicable,
        text,
        median=words[0],
        low=words[1],
        high=words[2],
        median_value=median,
        low_value=minutes[0],
        high_value=minutes[-1],
        within=met,
        partly_within=partly_met,
        timed=len(times),
    )


def answered_figures(answered: int, not_applicable: int) -> AnswerFigures:
    """A text or date question: how many cases answered it."""
    text = f"answered in {plural(answered, 'case')}" if answered else "no cases answered"
    if not_applicable:
        text += f" ({not_applicable} not applicable)"
    return AnswerFigures(FigureKind.ANSWERED, answered, not_applicable, text)
