"""Suggested progress judgements and the chapter rule, at their boundaries."""

from __future__ import annotations

import pytest

from auditapp.domain.recommendations import (
    ChapterGrade,
    ChapterRule,
    KeyQuestionRate,
    Progress,
    ProgressThresholds,
    rate_change,
    suggest_chapter,
    suggest_progress,
)


def _suggest(now: float | None, baseline: float | None, **kwargs: object) -> Progress:
    """The judgement with enough cases on both sides (10 each)."""
    return suggest_progress(now, baseline, now_cases=10, baseline_cases=10, **kwargs).judgement  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "baseline", "expected"),
    [
        (None, 0.2, Progress.NOT_ASSESSED),
        (0.5, None, Progress.NOT_ASSESSED),
        (0.80, 0.80, Progress.GOOD_PROGRESS),  # at the good rate, not lower than before
        (0.80, 0.30, Progress.GOOD_PROGRESS),
        (0.95, 0.96, Progress.GOOD_PROGRESS),  # high, slipped less than 5 points
        (0.85, 0.8999, Progress.GOOD_PROGRESS),  # fell 4.99 points: not 5
        (0.85, 0.90, Progress.NO_MEANINGFUL_PROGRESS),  # fell exactly 5 points: the test is strict
        (0.85, 0.95, Progress.NO_MEANINGFUL_PROGRESS),  # high but fell 10 points
        (0.7955, 0.50, Progress.REASONABLE_PROGRESS),  # 79.55% is below 80%
        (0.79, 0.69, Progress.REASONABLE_PROGRESS),  # +10 points exactly
        (0.79, 0.70, Progress.INSUFFICIENT_PROGRESS),  # +9 points
        (0.55, 0.50, Progress.INSUFFICIENT_PROGRESS),  # +5 points exactly
        (0.54, 0.50, Progress.NO_MEANINGFUL_PROGRESS),  # +4 points
        (0.20, 0.60, Progress.NO_MEANINGFUL_PROGRESS),
    ],
)
def test_suggested_progress_follows_the_documented_thresholds(
    now: float | None, baseline: float | None, expected: Progress
) -> None:
    assert _suggest(now, baseline) is expected


def test_suggestion_explains_itself_with_the_figures_it_compared() -> None:
    suggestion = suggest_progress(0.6, 0.2, now_cases=10, baseline_cases=10)
    assert suggestion.judgement is Progress.REASONABLE_PROGRESS
    assert suggestion.reason == (
        "Met rate 60% now against 20% at the baseline, a change of +40 points: a rise of at "
        "least +10 points, but 60% is below 80%."
    )


def test_thresholds_are_configurable() -> None:
    strict = ProgressThresholds(good_rate=0.9, reasonable_change=0.2, some_change=0.1)
    assert _suggest(0.85, 0.70, thresholds=strict) is Progress.INSUFFICIENT_PROGRESS
    with pytest.raises(ValueError):
        ProgressThresholds(reasonable_change=0.05, some_change=0.1)


def test_change_is_now_minus_baseline() -> None:
    assert rate_change(0.8, 0.2) == pytest.approx(0.6)
    assert rate_change(None, 0.2) is None


def test_progress_labels_read_as_the_scale() -> None:
    assert Progress.NOT_ASSESSED.label == "Not yet assessed"
    assert Progress.NO_MEANINGFUL_PROGRESS.label == "No meaningful progress"
    assert Progress.INSUFFICIENT_EVIDENCE.label == "Insufficient evidence to judge"


def _key(code: str, met: int, applicable: int) -> KeyQuestionRate:
    return KeyQuestionRate("set", code, f"Question {code}", met, applicable)


@pytest.mark.parametrize(
    ("met", "applicable", "expected"),
    [
        (20, 20, ChapterGrade.OUTSTANDING),
        (16, 20, ChapterGrade.OUTSTANDING),  # 80% exactly
        (79, 100, ChapterGrade.GOOD),
        (13, 20, ChapterGrade.GOOD),  # 65% exactly
        (64, 100, ChapterGrade.REQUIRES_IMPROVEMENT),
        (10, 20, ChapterGrade.REQUIRES_IMPROVEMENT),  # 50% exactly
        (49, 100, ChapterGrade.INADEQUATE),
        (0, 5, ChapterGrade.INADEQUATE),
    ],
)
def test_chapter_rule_boundaries(met: int, applicable: int, expected: ChapterGrade) -> None:
    suggestion = suggest_chapter("Initial contact", [_key("Q1", met, applicable)])
    assert suggestion.judgement is expected


def test_lowest_key_question_decides_and_is_named() -> None:
    suggestion = suggest_chapter(
        "Initial contact", [_key("Q1", 9, 10), _key("Q2", 3, 5), _key("Q3", 7, 10)]
    )
    assert suggestion.judgement is ChapterGrade.REQUIRES_IMPROVEMENT
    assert suggestion.deciding is not None and suggestion.deciding.question_id == "Q2"
    assert "Q2 met in 3 of 5 applicable cases (60%)" in suggestion.reason


def test_configured_thresholds_and_minimum_sample_apply() -> None:
    rule = ChapterRule(outstanding=0.9, good=0.7, requires_improvement=0.6, min_applicable=3)
    suggestion = suggest_chapter("Police detention", [_key("Q1", 0, 2), _key("Q2", 8, 10)], rule)
    assert suggestion.deciding is not None and suggestion.deciding.question_id == "Q2"
    assert suggestion.judgement is ChapterGrade.GOOD


def test_chapter_without_applicable_key_questions_gets_no_suggestion() -> None:
    suggestion = suggest_chapter("Investigation", [_key("Q1", 0, 0)])
    assert suggestion.judgement is None
    assert suggestion.label == "Not enough evidence"
    assert suggestion.reason == (
        "Its 1 key question, Q1, has 0 applicable cases, below the minimum of 5, so there is "
        "not enough evidence to judge the chapter."
    )


@pytest.mark.parametrize(
    "data",
    [
        {"outstanding": 0.6, "good": 0.65},
        {"requires_improvement": 0},
        {"outstanding": 1.2},
        {"min_applicable": 0},
    ],
)
def test_inconsistent_chapter_thresholds_are_refused(data: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ChapterRule.from_dict(data)


def test_stored_rule_round_trips_and_defaults_when_absent() -> None:
    assert ChapterRule.from_dict(None) == ChapterRule()
    rule = ChapterRule(enabled=False, good=0.7)
    assert ChapterRule.from_dict(rule.to_dict()) == rule
