"""Aggregation: grade distribution, headline, per-question counts, recommendation evidence."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditapp.domain.aggregation import (
    grade_distribution,
    headline,
    percent,
    question_outcomes,
    recommendation_evidence,
)
from auditapp.domain.grades import Grade, Outcome


def cases_frame(good: int, ri: int, inadequate: int, ungraded: int = 0) -> pd.DataFrame:
    grades = (
        ["good"] * good
        + ["requires_improvement"] * ri
        + ["inadequate"] * inadequate
        + [None] * ungraded
    )
    n = len(grades)
    return pd.DataFrame(
        {
            "case_id": range(1, n + 1),
            "case_type": ["domestic-abuse" if i % 2 else "missing-child" for i in range(n)],
            "auditor": ["ann" if i % 3 else "bob" for i in range(n)],
            "grade": grades,
        }
    )


def test_headline_matches_the_report() -> None:
    assert headline(cases_frame(6, 5, 13)) == (
        "24 cases audited: 6 good (25%), 5 requires improvement (21%), 13 inadequate (54%)"
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (
            (1, 0, 0, 0),
            "1 case audited: 1 good (100%), 0 requires improvement (0%), 0 inadequate (0%)",
        ),
        (
            (1, 1, 0, 0),
            "2 cases audited: 1 good (50%), 1 requires improvement (50%), 0 inadequate (0%)",
        ),
        # 1/8 = 12.5% rounds half up to 13%, 3/8 = 37.5% to 38%.
        (
            (1, 3, 4, 0),
            "8 cases audited: 1 good (13%), 3 requires improvement (38%), 4 inadequate (50%)",
        ),
        (
            (2, 0, 0, 1),
            "3 cases audited: 2 good (100%), 0 requires improvement (0%), 0 inadequate (0%), "
            "1 not yet graded",
        ),
        (
            (0, 0, 0, 2),
            "2 cases audited: 0 good, 0 requires improvement, 0 inadequate, 2 not yet graded",
        ),
        ((0, 0, 0, 0), "No cases audited"),
    ],
)
def test_headline(counts: tuple[int, int, int, int], expected: str) -> None:
    assert headline(cases_frame(*counts)) == expected


def test_overall_distribution_counts_and_percentages() -> None:
    table = grade_distribution(cases_frame(6, 5, 13, ungraded=2))
    assert list(table.index) == ["total"]
    row = table.loc["total"]
    assert (row["cases"], row["good"], row["requires_improvement"], row["inadequate"]) == (
        26,
        6,
        5,
        13,
    )
    assert (row["ungraded"], row["graded"]) == (2, 24)
    # Percentages are of graded cases, so ungraded drafts do not dilute them.
    assert (row["pct_good"], row["pct_requires_improvement"], row["pct_inadequate"]) == (25, 21, 54)


@pytest.mark.parametrize("by", ["case_type", "auditor"])
def test_distribution_by_group_adds_up_to_the_total(by: str) -> None:
    frame = cases_frame(6, 5, 13, ungraded=3)
    table = grade_distribution(frame, by=by)
    assert table.index.name == by
    assert set(table.index) == set(frame[by])
    total = grade_distribution(frame).loc["total"]
    for column in ["cases", "good", "requires_improvement", "inadequate", "ungraded"]:
        assert table[column].sum() == total[column]
    for group, row in table.iterrows():
        in_group = frame[frame[by] == group]
        assert row["good"] == (in_group["grade"] == "good").sum()


def test_distribution_by_case_type_hand_counted() -> None:
    frame = pd.DataFrame(
        {
            "case_id": [1, 2, 3, 4, 5],
            "case_type": ["a", "a", "a", "b", "b"],
            "auditor": ["x"] * 5,
            "grade": ["good", "inadequate", "inadequate", None, None],
        }
    )
    table = grade_distribution(frame, by="case_type")
    assert table.loc["a", "pct_inadequate"] == 67
    assert table.loc["a", "pct_good"] == 33
    assert pd.isna(table.loc["b", "pct_good"])
    assert table.loc["b", "ungraded"] == 2


def test_distribution_rejects_unknown_grades_and_missing_columns() -> None:
    frame = cases_frame(1, 0, 0)
    frame.loc[0, "grade"] = "outstanding"
    with pytest.raises(ValueError, match="outstanding"):
        grade_distribution(frame)
    with pytest.raises(ValueError, match="grade"):
        grade_distribution(pd.DataFrame({"case_id": [1]}))


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 8, 13),
        (3, 8, 38),
        (5, 24, 21),
        (13, 24, 54),
        (1, 3, 33),
        (2, 3, 67),
        (0, 5, 0),
        (1, 0, None),
    ],
)
def test_percent_rounds_half_up(part: int, whole: int, expected: int | None) -> None:
    assert percent(part, whole) == expected


@settings(max_examples=200, deadline=None)
@given(whole=st.integers(1, 10_000), data=st.data())
def test_percent_is_within_half_a_point(whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(0, whole))
    result = percent(part, whole)
    assert result is not None
    assert abs(result - 100 * part / whole) <= 0.5


def outcomes_frame() -> pd.DataFrame:
    rows = [
        # case, type, question, outcome
        (1, "domestic-abuse", "DA06", "met"),
        (2, "domestic-abuse", "DA06", "not_met"),
        (3, "domestic-abuse", "DA06", "not_met"),
        (4, "domestic-abuse", "DA06", "partly_met"),
        (5, "domestic-abuse", "DA06", "not_met"),
        (6, "domestic-abuse", "DA06", "hidden"),
        (1, "domestic-abuse", "DA09", "not_applicable"),
        (2, "domestic-abuse", "DA09", "unanswered"),
        (1, "domestic-abuse", "DA11", "recorded"),
        (7, "missing-child", "MC04", "met"),
        (8, "missing-child", "MC04", "met"),
    ]
    return pd.DataFrame(rows, columns=["case_id", "case_type", "question_id", "outcome"])


def test_question_outcomes_counts_and_summaries() -> None:
    table = question_outcomes(outcomes_frame()).set_index(["case_type", "question_id"])
    da06 = table.loc[("domestic-abuse", "DA06")]
    assert (da06["met"], da06["partly_met"], da06["not_met"], da06["hidden"]) == (1, 1, 3, 1)
    assert da06["applicable"] == 5
    assert da06["summary"] == "met in 1 of 5 applicable cases (1 partly met)"
    assert table.loc[("missing-child", "MC04"), "summary"] == "met in 2 of 2 applicable cases"
    da09 = table.loc[("domestic-abuse", "DA09")]
    assert (da09["not_applicable"], da09["unanswered"], da09["applicable"]) == (1, 1, 0)
    assert da09["summary"] == "no applicable cases"
    assert table.loc[("domestic-abuse", "DA11"), "recorded"] == 1
    assert set(table.columns) >= {str(o) for o in Outcome} | {"applicable", "summary"}


def test_question_outcomes_singular_case() -> None:
    frame = pd.DataFrame(
        [(1, "t", "Q1", "not_met")], columns=["case_id", "case_type", "question_id", "outcome"]
    )
    assert question_outcomes(frame).loc[0, "summary"] == "met in 0 of 1 applicable case"


def test_question_outcomes_rejects_unknown_outcome() -> None:
    frame = outcomes_frame()
    frame.loc[0, "outcome"] = "great"
    with pytest.raises(ValueError, match="great"):
        question_outcomes(frame)


def test_recommendation_evidence_collects_counts_and_weak_answers() -> None:
    questions = pd.DataFrame(
        [
            ("domestic-abuse", "DA06", "Was each child seen and spoken to?", ["R1", "R5"]),
            ("domestic-abuse", "DA09", "Operation Encompass notice in time?", ["R5"]),
            ("domestic-abuse", "DA11", "DASH risk level", []),
            ("missing-child", "MC04", "Supervisor told?", ["R3"]),
        ],
        columns=["case_type", "question_id", "question_text", "recommendations"],
    )
    notes = pd.DataFrame(
        [
            (1, "DA-001", "DA06", ""),
            (2, "DA-002", "DA06", "Child at school; no later visit"),
            (3, "DA-003", "DA06", "Not seen"),
            (4, "DA-004", "DA06", "Older child only"),
            (5, "DA-005", "DA06", None),
        ],
        columns=["case_id", "reference", "question_id", "note"],
    )
    evidence = recommendation_evidence(outcomes_frame(), questions, notes, codes=["R9"])

    r1 = evidence["R1"]
    assert [q.question_id for q in r1.questions] == ["DA06"]
    assert (r1.met, r1.partly_met, r1.not_met, r1.applicable) == (1, 1, 3, 5)
    assert r1.met_rate == pytest.approx((1 + 0.5) / 5)
    assert [(w.reference, w.outcome) for w in r1.weak_answers] == [
        ("DA-002", Outcome.NOT_MET),
        ("DA-003", Outcome.NOT_MET),
        ("DA-005", Outcome.NOT_MET),
        ("DA-004", Outcome.PARTLY_MET),
    ]
    assert r1.weak_answers[0].note == "Child at school; no later visit"
    assert r1.weak_answers[2].note == ""

    r5 = evidence["R5"]
    assert [q.question_id for q in r5.questions] == ["DA06", "DA09"]
    assert r5.questions[1].summary == "no applicable cases"
    assert r5.applicable == 5

    r3 = evidence["R3"]
    assert (r3.met_rate, r3.weak_answers) == (1.0, ())
    assert r3.questions[0].summary == "met in 2 of 2 applicable cases"

    assert evidence["R9"].questions == ()
    assert evidence["R9"].met_rate is None


def test_grade_enum_is_what_distribution_counts() -> None:
    assert {str(g) for g in Grade} == {"good", "requires_improvement", "inadequate"}
    assert Grade.REQUIRES_IMPROVEMENT.label == "Requires improvement"
    assert Grade.INADEQUATE.tag_class == "govuk-tag--red"
    assert sorted(Grade, key=lambda g: g.rank) == [
        Grade.INADEQUATE,
        Grade.REQUIRES_IMPROVEMENT,
        Grade.GOOD,
    ]
