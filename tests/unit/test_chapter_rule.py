"""The chapter rule worked by hand: key questions need enough applicable cases, and no reason
sentence contradicts the figures shown beside it."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from auditapp.domain.recommendations import (
    DEFAULT_CHAPTER_MIN_APPLICABLE,
    ChapterGrade,
    ChapterRule,
    KeyQuestionRate,
    format_rate,
    grade_for_rate,
    suggest_chapter,
)


def _key(code: str, met: int, applicable: int) -> KeyQuestionRate:
    return KeyQuestionRate("Missing child episode", code, f"Question {code}", met, applicable)


# --- the minimum number of applicable cases -------------------------------------------------


def test_default_minimum_is_five_applicable_cases() -> None:
    assert DEFAULT_CHAPTER_MIN_APPLICABLE == 5
    assert ChapterRule().min_applicable == 5
    assert ChapterRule.from_dict(None).min_applicable == 5


def test_key_question_below_the_minimum_is_insufficient_evidence_and_left_out() -> None:
    # Q1 is 0 of 4 (0%) but has too few cases; Q2 is 4 of 5 (80%) and decides.
    suggestion = suggest_chapter("Initial contact", [_key("Q1", 0, 4), _key("Q2", 4, 5)])
    assert suggestion.judgement is ChapterGrade.OUTSTANDING
    assert suggestion.deciding is not None and suggestion.deciding.question_id == "Q2"
    assert [k.question_id for k in suggestion.insufficient] == ["Q1"]
    statuses = {k.question.question_id: k.status for k in suggestion.key_questions}
    assert statuses == {"Q1": "Insufficient evidence", "Q2": "Decides the chapter"}
    assert suggestion.reason == (
        "Decided by its 1 key question with at least 5 applicable cases: Q2 met in 4 of 5 "
        "applicable cases (80%), at least 80%, so outstanding. Insufficient evidence, so left "
        "out (below the minimum of 5 applicable cases): Q1 (4 applicable cases)."
    )


def test_exactly_the_minimum_counts() -> None:
    suggestion = suggest_chapter("Police detention", [_key("CD12", 0, 5)])
    assert suggestion.judgement is ChapterGrade.INADEQUATE
    assert suggestion.insufficient == ()
    assert suggestion.reason == (
        "Decided by its 1 key question with at least 5 applicable cases: CD12 met in 0 of 5 "
        "applicable cases (0%), below 50%, so inadequate."
    )


def test_chapter_with_no_key_question_at_the_minimum_says_not_enough_evidence() -> None:
    # The demo's police protection chapter: every key question has 3 cases or fewer.
    suggestion = suggest_chapter(
        "Decision-making", [_key("PP01", 3, 3), _key("PP02", 1, 3), _key("PP17", 2, 2)]
    )
    assert suggestion.judgement is None
    assert suggestion.deciding is None
    assert suggestion.label == "Not enough evidence"
    assert suggestion.reason == (
        "None of its 3 key questions has at least 5 applicable cases (the most is 3): each is "
        "insufficient evidence, so there is not enough evidence to judge the chapter."
    )
    assert all(k.status == "Insufficient evidence" for k in suggestion.key_questions)


def test_one_key_question_below_the_minimum_is_named_with_its_cases() -> None:
    suggestion = suggest_chapter("Investigation", [_key("OC10", 0, 3)])
    assert suggestion.label == "Not enough evidence"
    assert suggestion.reason == (
        "Its 1 key question, OC10, has 3 applicable cases, below the minimum of 5, so there is "
        "not enough evidence to judge the chapter."
    )


def test_chapter_without_key_questions_says_not_enough_evidence() -> None:
    suggestion = suggest_chapter("Next steps", [])
    assert suggestion.label == "Not enough evidence"
    assert suggestion.reason == (
        "No key question is linked to this chapter, so there is not enough evidence to judge the "
        "chapter."
    )


def test_a_rule_may_lower_the_minimum() -> None:
    rule = ChapterRule(min_applicable=3)
    suggestion = suggest_chapter("Decision-making", [_key("PP01", 3, 3), _key("PP02", 1, 3)], rule)
    assert suggestion.judgement is ChapterGrade.INADEQUATE  # 1 of 3 = 33.3%, below 50%
    assert "PP02 met in 1 of 3 applicable cases (33.3%), below 50%" in suggestion.reason


# --- strict comparisons, stated numbers -----------------------------------------------------


def test_a_rate_just_below_a_threshold_reads_below_it() -> None:
    # 35 of 44 is 79.545...%: shown 79.5%, below 80%, so good (half-up rounding read "80%").
    suggestion = suggest_chapter("Initial contact", [_key("Q1", 35, 44)])
    assert suggestion.judgement is ChapterGrade.GOOD
    assert "Q1 met in 35 of 44 applicable cases (79.5%), at least 65% and below 80%, so good." in (
        suggestion.reason
    )


def test_a_rate_at_a_threshold_reaches_it_exactly() -> None:
    assert grade_for_rate(Fraction(13, 20), ChapterRule()) is ChapterGrade.GOOD  # 65%
    assert grade_for_rate(Fraction(649, 1000), ChapterRule()) is ChapterGrade.REQUIRES_IMPROVEMENT
    assert grade_for_rate(Fraction(1, 2), ChapterRule()) is ChapterGrade.REQUIRES_IMPROVEMENT


def test_thresholds_off_the_tenths_of_a_percent_are_refused() -> None:
    with pytest.raises(ValueError, match="tenths"):
        ChapterRule(good=0.6555)
    assert ChapterRule(good=0.655).good == 0.655  # 65.5% is fine


def test_rule_text_writes_thresholds_as_the_figures_are_written() -> None:
    assert ChapterRule(good=0.655).text == (
        "at least 80% outstanding, 65.5% good, 50% requires improvement, otherwise inadequate"
    )


# --- property: the sentence agrees with the figures -----------------------------------------

_PERCENT = re.compile(r"(at least|below) (\d+(?:\.\d)?)%")


@st.composite
def _rules(draw: st.DrawFn) -> ChapterRule:
    tenths = sorted(draw(st.sets(st.integers(1, 1000), min_size=3, max_size=3)))
    return ChapterRule(
        requires_improvement=tenths[0] / 1000,
        good=tenths[1] / 1000,
        outstanding=tenths[2] / 1000,
        min_applicable=draw(st.integers(1, 12)),
    )


@given(
    rule=_rules(),
    counts=st.lists(
        st.integers(0, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
        min_size=0,
        max_size=6,
    ),
)
@example(rule=ChapterRule(), counts=[(35, 44)])
@example(rule=ChapterRule(), counts=[(4, 5), (1, 3)])
def test_no_chapter_sentence_contradicts_its_numbers(
    rule: ChapterRule, counts: list[tuple[int, int]]
) -> None:
    keys = [_key(f"Q{i}", met, n) for i, (met, n) in enumerate(counts)]
    suggestion = suggest_chapter("Chapter", keys, rule)
    sufficient = [k for k in keys if k.applicable >= rule.min_applicable]
    # Every key question below the minimum, and only those, is insufficient evidence.
    assert set(map(id, suggestion.insufficient)) == {
        id(k) for k in keys if k.applicable < rule.min_applicable
    }
    if not sufficient:
        assert suggestion.judgement is None
        assert suggestion.reason.endswith("not enough evidence to judge the chapter.")
        return
    deciding = suggestion.deciding
    assert deciding is not None and deciding.rate is not None
    assert deciding.rate == min(k.rate for k in sufficient if k.rate is not None)
    # The sentence names the deciding figure exactly as the page shows it ...
    shown = format_rate(deciding.rate)
    figure = f"{deciding.question_id} met in {deciding.met} of {deciding.applicable} "
    assert figure in suggestion.reason
    assert f"({shown})" in suggestion.reason
    # ... and every comparison it states holds for the number shown and the exact rate.
    head = suggestion.reason.split(", so ")[0]
    comparisons = _PERCENT.findall(head.split(f"({shown})")[1])
    assert comparisons, suggestion.reason
    shown_value = Fraction(shown.rstrip("%")) / 100
    for word, percent in comparisons:
        threshold = Fraction(percent) / 100
        if word == "at least":
            assert shown_value >= threshold and deciding.rate >= threshold
        else:
            assert shown_value < threshold and deciding.rate < threshold
    assert suggestion.judgement is not None
    assert f"so {suggestion.judgement.label.lower()}." in suggestion.reason
