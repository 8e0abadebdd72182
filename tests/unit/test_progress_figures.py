"""Like-for-like recommendation progress, worked by hand, and a property: no reason sentence
contradicts the figures shown beside it."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from auditapp.domain.recommendations import (
    MINUS,
    CaseGroup,
    EnteredBaseline,
    LinkedQuestionCounts,
    Progress,
    ProgressThresholds,
    QuestionCounts,
    QuestionUse,
    cases_answering,
    change_points,
    format_change,
    format_rate,
    progress_figures,
    rate_change,
    suggest_progress,
)


def _q(code: str, now: tuple[int, int, int], baseline: tuple[int, int, int] | None = None):
    return LinkedQuestionCounts(
        "da", code, QuestionCounts(*now), QuestionCounts(*baseline) if baseline else None
    )


def _groups(*questions: LinkedQuestionCounts, baseline: bool = False) -> list[CaseGroup]:
    """One group per question: every question answered by its own cases."""
    groups = []
    for q in questions:
        counts = q.baseline if baseline else q.now
        if counts is not None and counts.applicable:
            groups.append(CaseGroup(q.case_type, frozenset({q.question_id}), counts.applicable))
    return groups


# --- rates over cases -----------------------------------------------------------------------


def test_a_questions_rate_is_over_cases_with_partly_met_counting_half() -> None:
    counts = QuestionCounts(met=2, partly_met=1, not_met=2)
    assert counts.applicable == 5
    assert counts.rate == Fraction(1, 2)  # (2 + 0.5) / 5
    assert QuestionCounts(0, 0, 0).rate is None


def test_recommendation_rate_is_the_mean_of_its_questions_so_none_swamps_the_rest() -> None:
    # Pooled, 37 of 45 answers met would read 82%: the 40-case question would decide it.
    busy = _q("DA01", (36, 0, 4), (30, 0, 10))
    few = _q("DA02", (1, 0, 4), (1, 0, 4))
    figures = progress_figures(
        [busy, few],
        now_groups=_groups(busy, few),
        baseline_groups=_groups(busy, few, baseline=True),
    )
    assert figures.now_rate == Fraction(11, 20)  # (90% + 20%) / 2 = 55%
    assert figures.baseline_rate == Fraction(19, 40)  # (75% + 20%) / 2 = 47.5%
    assert figures.now_text == "55%" and figures.baseline_text == "47.5%"
    assert figures.change_text == "+7.5 points"


def test_distinct_cases_are_counted_once_however_many_questions_they_answer() -> None:
    groups = [
        CaseGroup("da", frozenset({"DA01", "DA02"}), 3),
        CaseGroup("da", frozenset({"DA02"}), 2),
        CaseGroup("mc", frozenset({"DA01"}), 7),  # another case type's DA01 is not this one
    ]
    assert cases_answering(groups, [("da", "DA01"), ("da", "DA02")]) == 5
    assert cases_answering(groups, [("da", "DA01")]) == 3
    assert cases_answering(groups, []) == 0


# --- like for like ------------------------------------------------------------------------------


def test_change_is_over_questions_both_inspections_asked_and_new_evidence_sits_beside() -> None:
    seen = _q("DA06", (4, 0, 1), (2, 0, 3))  # 80% now, 40% before
    voice = _q("DA07", (5, 0, 0), (3, 0, 2))  # 100% now, 60% before
    diary = _q("DY03", (1, 0, 4))  # 20% now; the baseline never asked it
    none_before = _q("DA12", (2, 0, 3), (0, 0, 0))  # asked, but applied to no baseline case
    not_now = _q("DA13", (0, 0, 0), (1, 0, 1))
    figures = progress_figures(
        [seen, voice, diary, none_before, not_now],
        now_groups=[CaseGroup("da", frozenset({"DA06", "DA07", "DA12", "DY03"}), 5)],
        baseline_groups=[CaseGroup("da", frozenset({"DA06", "DA07", "DA13"}), 5)],
    )
    uses = {q.question_id: q.use for q in figures.questions}
    assert uses == {
        "DA06": QuestionUse.COMPARED,
        "DA07": QuestionUse.COMPARED,
        "DY03": QuestionUse.NEW_EVIDENCE,
        "DA12": QuestionUse.NEW_EVIDENCE,
        "DA13": QuestionUse.NO_CASES,
    }
    assert figures.now_rate == Fraction(9, 10)  # (80% + 100%) / 2: DY03's 20% is not in it
    assert figures.baseline_rate == Fraction(1, 2)
    assert figures.change_text == "+40 points"
    assert [q.question_id for q in figures.new_evidence] == ["DY03", "DA12"]
    assert "Not asked at the baseline" in figures.questions[2].note
    assert "No applicable case at the baseline" in figures.questions[3].note
    assert figures.suggestion.judgement is Progress.GOOD_PROGRESS


def test_without_a_compared_question_the_rate_now_is_over_every_question_with_cases() -> None:
    q1 = _q("DA06", (4, 0, 1))
    q2 = _q("DA07", (2, 0, 3))
    figures = progress_figures([q1, q2], now_groups=_groups(q1, q2))
    assert figures.now_rate == Fraction(3, 5)
    assert figures.baseline_rate is None and figures.change is None
    assert {q.use for q in figures.questions} == {QuestionUse.NOW_ONLY}
    assert figures.suggestion.judgement is Progress.NOT_ASSESSED
    assert figures.change_text == "\u2013"


def test_an_entered_baseline_needs_its_number_of_cases() -> None:
    q1 = _q("DA06", (8, 0, 2))
    groups = _groups(q1)
    unsaid = progress_figures(
        [q1], now_groups=groups, entered=EnteredBaseline(0.4, None, "2019 report")
    )
    assert unsaid.baseline_entered and unsaid.baseline_rate == Fraction(2, 5)
    assert unsaid.suggestion.judgement is Progress.INSUFFICIENT_EVIDENCE
    assert "does not say how many cases" in unsaid.suggestion.reason
    said = progress_figures([q1], now_groups=groups, entered=EnteredBaseline(0.4, 12, "2019"))
    assert said.suggestion.judgement is Progress.GOOD_PROGRESS
    assert said.change_text == "+40 points"


# --- the minimum number of cases ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline_cases", "now_cases", "min_cases", "expected"),
    [
        (4, 20, 5, Progress.INSUFFICIENT_EVIDENCE),  # a baseline of four cases
        (5, 4, 5, Progress.INSUFFICIENT_EVIDENCE),
        (5, 5, 5, Progress.GOOD_PROGRESS),  # at the minimum on both sides
        (2, 2, 2, Progress.GOOD_PROGRESS),  # an inspection may set its own minimum
    ],
)
def test_a_suggestion_needs_the_minimum_number_of_cases_on_each_side(
    baseline_cases: int, now_cases: int, min_cases: int, expected: Progress
) -> None:
    suggestion = suggest_progress(
        0.9, 0.5, now_cases=now_cases, baseline_cases=baseline_cases, min_cases=min_cases
    )
    assert suggestion.judgement is expected


def test_insufficient_evidence_states_the_cases_it_counted() -> None:
    suggestion = suggest_progress(0.9, 0.5, now_cases=13, baseline_cases=4)
    assert suggestion.reason == (
        "4 cases at the baseline and 13 cases now, and at least 5 cases are needed on each side."
    )


def test_minimum_counts_distinct_cases_not_answers() -> None:
    # Two questions answered by the same 2 baseline cases: 4 answers, but 2 cases.
    q1, q2 = _q("DA02", (4, 0, 1), (1, 0, 1)), _q("DA04", (4, 0, 1), (1, 0, 1))
    figures = progress_figures(
        [q1, q2],
        now_groups=[CaseGroup("da", frozenset({"DA02", "DA04"}), 5)],
        baseline_groups=[CaseGroup("da", frozenset({"DA02", "DA04"}), 2)],
    )
    assert (figures.baseline_cases, figures.now_cases) == (2, 5)
    assert figures.suggestion.judgement is Progress.INSUFFICIENT_EVIDENCE


def test_minimum_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        suggest_progress(0.9, 0.5, now_cases=5, baseline_cases=5, min_cases=0)


# --- figures and words agree --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (0.7955, "79.5%"),  # never "80%" next to "below 80%"
        (0.79999, "79.9%"),
        (0.8, "80%"),
        (Fraction(2, 3), "66.6%"),
        (0.0, "0%"),
        (1.0, "100%"),
        (None, "\u2013"),
    ],
)
def test_rates_are_rounded_down_to_a_tenth(rate: float | Fraction | None, text: str) -> None:
    assert format_rate(rate) == text


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (Fraction(23, 200), "+11.5 points"),
        (0.10, "+10 points"),
        (0.01, "+1 point"),
        (-0.0499, f"{MINUS}4.9 points"),  # a fall of 4.99 points is not a fall of 5
        (-0.05, f"{MINUS}5 points"),
        (-0.0004, "0 points"),
        (0.0, "0 points"),
        (None, "\u2013"),
    ],
)
def test_changes_are_rounded_towards_zero_to_a_tenth(
    change: float | Fraction | None, text: str
) -> None:
    assert format_change(change) == text


def test_change_shown_is_computed_once_from_unrounded_rates() -> None:
    # 53.2258% and 41.6667%: rounded first they would give 53 - 42 = +11; unrounded, +11.5.
    now, baseline = Fraction(33, 62), Fraction(5, 12)
    suggestion = suggest_progress(now, baseline, now_cases=10, baseline_cases=10)
    assert format_change(now - baseline) == "+11.5 points"
    assert "a change of +11.5 points" in suggestion.reason
    assert change_points(now - baseline) == Decimal("11.5")


def test_a_five_point_fall_is_never_called_good_progress() -> None:
    suggestion = suggest_progress(0.85, 0.90, now_cases=10, baseline_cases=10)
    assert suggestion.judgement is Progress.NO_MEANINGFUL_PROGRESS
    assert suggestion.reason == (
        f"Met rate 85% now against 90% at the baseline, a change of {MINUS}5 points: 85% is at "
        "least 80%, but it has fallen by 5 points or more."
    )


def test_a_rate_just_below_the_good_rate_reads_below_it() -> None:
    suggestion = suggest_progress(0.7955, 0.75, now_cases=10, baseline_cases=10)
    assert suggestion.judgement is Progress.NO_MEANINGFUL_PROGRESS
    assert "79.5% is below 80%" in suggestion.reason
    assert "80%," not in suggestion.reason.split("below")[0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"good_rate": 0.8255},  # not a whole tenth of a percent
        {"some_change": 0.0},  # a fall of 0 points is no test
        {"some_change": 0.1, "reasonable_change": 0.05},
        {"good_rate": 1.2},
    ],
)
def test_thresholds_that_could_be_misread_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ProgressThresholds(**kwargs)


# --- property: no sentence contradicts its numbers ----------------------------------------------

_PERCENT = r"(\d+(?:\.\d)?)%"
_POINTS = rf"([+{MINUS}]?\d+(?:\.\d)?) points?"


def _pts(text: str) -> Decimal:
    return Decimal(text.replace(MINUS, "-").replace("+", ""))


def check_reason_against_figures(
    reason: str, judgement: Progress, now: str, baseline: str, change: str
) -> None:
    """Every comparison the reason states holds for the figures it states, which are the
    figures shown (now, baseline and change as the page writes them)."""
    if judgement in (Progress.NOT_ASSESSED,):
        return
    if judgement is Progress.INSUFFICIENT_EVIDENCE:
        found = re.match(r"(\d+) cases? at the baseline and (\d+) cases? now, and at least "
                         r"(\d+) cases? are needed on each side\.$", reason)  # fmt: skip
        if found:
            before, after, least = (int(x) for x in found.groups())
            assert before < least or after < least, reason
        else:
            assert "does not say how many cases" in reason
        return
    head = re.match(rf"Met rate {_PERCENT} now against {_PERCENT} at the baseline, a change of "
                    rf"{_POINTS}: ", reason)  # fmt: skip
    assert head, reason
    assert f"{head.group(1)}%" == now and f"{head.group(2)}%" == baseline, reason
    assert format_change(_pts(head.group(3)) / 100) == change, reason
    n, c = Decimal(head.group(1)), _pts(head.group(3))
    rest = reason[head.end() :]
    for value, threshold in re.findall(rf"{_PERCENT} is at least {_PERCENT}", rest):
        assert Decimal(value) >= Decimal(threshold), reason
    for value, threshold in re.findall(rf"{_PERCENT} is below {_PERCENT}", rest):
        assert Decimal(value) < Decimal(threshold), reason
    for size in re.findall(r"has not fallen by (\d+(?:\.\d)?) points", rest):
        assert c > -Decimal(size), reason
    for size in re.findall(r"has fallen by (\d+(?:\.\d)?) points or more", rest):
        assert c <= -Decimal(size), reason
    for least in re.findall(rf"a rise of at least {_POINTS}", rest):
        assert c >= _pts(least), reason
    for most in re.findall(rf"less than {_POINTS}", rest):
        assert c < _pts(most), reason
    words = {
        Progress.GOOD_PROGRESS: "is at least",
        Progress.REASONABLE_PROGRESS: "a rise of at least",
        Progress.INSUFFICIENT_PROGRESS: "less than",
        Progress.NO_MEANINGFUL_PROGRESS: "",
    }
    assert words[judgement] in rest, reason
    assert n == Decimal(now.rstrip("%"))


counts = st.tuples(st.integers(0, 40), st.integers(0, 10), st.integers(0, 40))
questions = st.lists(st.tuples(counts, st.one_of(st.none(), counts)), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(questions=questions, min_cases=st.integers(1, 8))
def test_no_reason_contradicts_the_figures_shown(
    questions: list[tuple[tuple[int, int, int], tuple[int, int, int] | None]], min_cases: int
) -> None:
    linked = [_q(f"Q{i}", now, before) for i, (now, before) in enumerate(questions)]
    figures = progress_figures(
        linked,
        now_groups=_groups(*linked),
        baseline_groups=_groups(*linked, baseline=True),
        min_cases=min_cases,
    )
    s = figures.suggestion
    check_reason_against_figures(
        s.reason, s.judgement, figures.now_text, figures.baseline_text, figures.change_text
    )
    # One change: the number shown, its words, and the API's value are the same figure.
    assert figures.to_dict()["change_text"] == figures.change_text
    if figures.change is not None:
        assert figures.to_dict()["change_points"] == float(change_points(figures.change))
        assert figures.change == figures.now_rate - figures.baseline_rate  # type: ignore[operator]
    # New evidence never moves the change.
    assert all(q.use is not QuestionUse.COMPARED or q.baseline_rate is not None
               for q in figures.questions)  # fmt: skip


def _near(point: Fraction) -> st.SearchStrategy[Fraction]:
    """Values at and within a few hundredths of a point of a threshold, where rounding bites."""
    return st.integers(-200, 200).map(lambda k: point + Fraction(k, 100_000))


@st.composite
def rates_near_thresholds(
    draw: st.DrawFn,
) -> tuple[Fraction | float, Fraction | float, ProgressThresholds]:
    """Thresholds, and a rate now and a change drawn anywhere or right beside a threshold."""
    good, some, extra = (
        draw(st.integers(1, 1000)),
        draw(st.integers(1, 500)),
        draw(st.integers(0, 500)),
    )
    t = ProgressThresholds(
        good_rate=good / 1000, some_change=some / 1000, reasonable_change=(some + extra) / 1000
    )
    anywhere = st.fractions(min_value=0, max_value=1, max_denominator=5000)
    now = draw(st.one_of(anywhere, _near(t.good), st.floats(0, 1, allow_nan=False)))
    change = draw(st.one_of(
        st.fractions(min_value=-1, max_value=1, max_denominator=5000),
        _near(-t.some), _near(t.some), _near(t.reasonable), _near(Fraction(0)),
    ))  # fmt: skip
    now_exact = Fraction(repr(now)) if isinstance(now, float) else now
    baseline = now_exact - change
    assume(0 <= now_exact <= 1 and 0 <= baseline <= 1)
    return now, baseline, t


@settings(max_examples=600, deadline=None)
@given(
    drawn=rates_near_thresholds(),
    now_cases=st.integers(0, 30),
    baseline_cases=st.one_of(st.none(), st.integers(0, 30)),
)
@example(drawn=(0.85, 0.90, ProgressThresholds()), now_cases=9, baseline_cases=9)
@example(drawn=(0.7955, 0.5, ProgressThresholds()), now_cases=9, baseline_cases=9)
def test_for_any_rates_and_counts_the_reason_agrees_with_its_numbers(
    drawn: tuple[Fraction | float, Fraction | float, ProgressThresholds],
    now_cases: int,
    baseline_cases: int | None,
) -> None:
    now, baseline, thresholds = drawn
    s = suggest_progress(
        now, baseline, now_cases=now_cases, baseline_cases=baseline_cases, thresholds=thresholds
    )
    change = format_change(rate_change(now, baseline))
    check_reason_against_figures(
        s.reason, s.judgement, format_rate(now), format_rate(baseline), change
    )
