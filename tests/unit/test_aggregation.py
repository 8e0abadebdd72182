"""Aggregation: grade distribution, headline, dashboard figures, per-question counts, evidence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditapp.domain.aggregation import (
    CaseCount,
    OutcomeCount,
    QuestionLink,
    WeakOutcome,
    auditor_labels,
    dashboard_figures,
    grade_distribution,
    headline,
    percent,
    provisional_note,
    question_outcomes,
    recommendation_evidence,
)
from auditapp.domain.grades import Grade, Outcome


def case_counts(good: int, ri: int, inadequate: int, ungraded: int = 0) -> list[CaseCount]:
    """One submitted case per count, spread over two case types and two auditors."""
    grades = (
        ["good"] * good
        + ["requires_improvement"] * ri
        + ["inadequate"] * inadequate
        + [None] * ungraded
    )
    return [
        CaseCount(
            cases=1,
            status="submitted",
            moderated=False,
            grade=grade,
            case_type="domestic-abuse" if i % 2 else "missing-child",
            auditor_name="ann" if i % 3 else "bob",
        )
        for i, grade in enumerate(grades)
    ]


def total(counts: list[CaseCount]) -> str:
    return headline(grade_distribution(counts)["total"])


def test_headline_matches_the_report() -> None:
    assert total(case_counts(6, 5, 13)) == (
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
    assert total(case_counts(*counts)) == expected


def test_grouped_counts_give_the_same_headline_as_one_row_per_case() -> None:
    grouped = [
        CaseCount(cases=6, status="moderated", moderated=True, grade="good"),
        CaseCount(cases=5, status="submitted", moderated=False, grade="requires_improvement"),
        CaseCount(cases=13, status="moderated", moderated=True, grade="inadequate"),
    ]
    assert total(grouped) == total(case_counts(6, 5, 13))


def test_overall_distribution_counts_and_percentages() -> None:
    tallies = grade_distribution(case_counts(6, 5, 13, ungraded=2))
    assert list(tallies) == ["total"]
    row = tallies["total"]
    assert (row.cases, row.good, row.requires_improvement, row.inadequate) == (26, 6, 5, 13)
    assert (row.ungraded, row.graded) == (2, 24)
    # Percentages are of graded cases, so ungraded drafts do not dilute them.
    assert [row.percent(grade) for grade in Grade] == [25, 21, 54]
    assert row.unmoderated == 26 and row.provisional


@pytest.mark.parametrize("by", ["case_type", "auditor_name"])
def test_distribution_by_group_adds_up_to_the_total(by: str) -> None:
    counts = case_counts(6, 5, 13, ungraded=3)
    tallies = grade_distribution(counts, by=lambda row: getattr(row, by))
    assert list(tallies) == sorted({getattr(row, by) for row in counts})
    overall = grade_distribution(counts)["total"]
    for column in ["cases", "good", "requires_improvement", "inadequate", "ungraded"]:
        assert sum(getattr(t, column) for t in tallies.values()) == getattr(overall, column)
    for group, tally in tallies.items():
        in_group = [row for row in counts if getattr(row, by) == group]
        assert tally.good == sum(row.cases for row in in_group if row.grade == "good")


def test_distribution_by_case_type_hand_counted() -> None:
    counts = [
        CaseCount(1, "submitted", False, grade, case_type=case_type)
        for case_type, grade in [
            ("a", "good"),
            ("a", "inadequate"),
            ("a", "inadequate"),
            ("b", None),
            ("b", None),
        ]
    ]
    tallies = grade_distribution(counts, by=lambda row: row.case_type)
    assert tallies["a"].percent("inadequate") == 67
    assert tallies["a"].percent("good") == 33
    assert tallies["b"].percent("good") is None
    assert tallies["b"].ungraded == 2


def test_distribution_rejects_unknown_grades() -> None:
    counts = [*case_counts(1, 0, 0), CaseCount(1, "submitted", False, "outstanding")]
    with pytest.raises(ValueError, match="outstanding"):
        grade_distribution(counts)


def test_auditors_sharing_a_name_are_told_apart_by_email() -> None:
    counts = [
        CaseCount(
            1,
            "submitted",
            False,
            "good",
            auditor_id=1,
            auditor_name="Sam",
            auditor_email="sam.a@example.test",
        ),
        CaseCount(
            2,
            "submitted",
            False,
            "good",
            auditor_id=2,
            auditor_name="Sam",
            auditor_email="sam.b@example.test",
        ),
        CaseCount(
            1,
            "draft",
            False,
            None,
            auditor_id=3,
            auditor_name="Kim",
            auditor_email="kim@example.test",
        ),
        CaseCount(1, "submitted", False, "good"),
    ]
    assert auditor_labels(counts) == {
        None: "Not assigned",
        1: "Sam (sam.a@example.test)",
        2: "Sam (sam.b@example.test)",
        3: "Kim",
    }


def test_dashboard_figures_count_audited_graded_cases_and_progress_of_all() -> None:
    def row(cases: int, status: str, moderated: bool, grade: str | None, **kw: object) -> CaseCount:
        defaults: dict[str, object] = {
            "case_type": "Domestic abuse",
            "case_type_slug": "domestic-abuse",
            "auditor_id": 1,
            "auditor_name": "Ann",
        }
        return CaseCount(cases, status, moderated, grade, **{**defaults, **kw})  # type: ignore[arg-type]  # fields of mixed types, by name

    figures = dashboard_figures(
        [
            row(2, "moderated", True, "good"),
            row(1, "submitted", False, "inadequate", auditor_id=2, auditor_name="Bob"),
            row(3, "draft", False, "good"),  # drafts are work in progress: not counted
            row(1, "submitted", False, None, auditor_id=None, auditor_name=None),
            row(
                4,
                "submitted",
                False,
                None,
                kind="dip_sample",
                case_type="Telephone",
                case_type_slug="telephone",
            ),
        ]
    )
    assert figures.headline == (
        "4 cases audited: 2 good (67%), 0 requires improvement (0%), 1 inadequate (33%), "
        "1 not yet graded"
    )
    assert (figures.provisional, figures.unmoderated) == (True, 2)
    assert [(b.key, b.label, b.cases) for b in figures.by_case_type] == [
        ("domestic-abuse", "Domestic abuse", 4)
    ]
    auditors = {b.label: b for b in figures.by_auditor}
    assert list(auditors) == ["Ann", "Bob", "Not assigned"]
    assert (auditors["Ann"].key, auditors["Ann"].provisional) == ("1", False)
    assert (auditors["Not assigned"].key, auditors["Not assigned"].ungraded) == ("", 1)
    assert [g.share.count for g in auditors["Bob"].grades] == [0, 0, 1]
    progress = {p.key: p for p in figures.progress}
    da = progress["domestic-abuse"]
    assert (da.sampled, da.in_progress, da.submitted, da.moderated) == (7, 3, 2, 2)
    assert (progress["telephone"].kind, progress["telephone"].submitted) == ("dip_sample", 4)
    assert figures.progress_total.sampled == 11


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


OUTCOMES = [
    # case type, question, outcome, cases
    ("domestic-abuse", "DA06", "met", 1),
    ("domestic-abuse", "DA06", "not_met", 3),
    ("domestic-abuse", "DA06", "partly_met", 1),
    ("domestic-abuse", "DA06", "hidden", 1),
    ("domestic-abuse", "DA09", "not_applicable", 1),
    ("domestic-abuse", "DA09", "unanswered", 1),
    ("domestic-abuse", "DA11", "recorded", 1),
    ("missing-child", "MC04", "met", 2),
]


def outcome_counts() -> list[OutcomeCount]:
    return [OutcomeCount(*row) for row in OUTCOMES]


def test_question_outcomes_counts_and_summaries() -> None:
    table = question_outcomes(outcome_counts())
    assert list(table) == [
        ("domestic-abuse", "DA06"),
        ("domestic-abuse", "DA09"),
        ("domestic-abuse", "DA11"),
        ("missing-child", "MC04"),
    ]
    da06 = table[("domestic-abuse", "DA06")]
    assert (da06.met, da06.partly_met, da06.not_met, da06.count("hidden")) == (1, 1, 3, 1)
    assert da06.applicable == 5
    assert da06.summary == "met in 1 of 5 applicable cases (1 partly met)"
    assert table[("missing-child", "MC04")].summary == "met in 2 of 2 applicable cases"
    da09 = table[("domestic-abuse", "DA09")]
    assert (da09.count(Outcome.NOT_APPLICABLE), da09.count("unanswered"), da09.applicable) == (
        1,
        1,
        0,
    )
    assert da09.summary == "no applicable cases"
    assert table[("domestic-abuse", "DA11")].count("recorded") == 1


def test_question_outcomes_add_up_rows_of_the_same_outcome() -> None:
    rows = [OutcomeCount("t", "Q1", "not_met", 1), OutcomeCount("t", "Q1", "not_met", 2)]
    assert question_outcomes(rows)[("t", "Q1")].not_met == 3


def test_question_outcomes_singular_case() -> None:
    table = question_outcomes([OutcomeCount("t", "Q1", "not_met", 1)])
    assert table[("t", "Q1")].summary == "met in 0 of 1 applicable case"


def test_question_outcomes_rejects_unknown_outcome() -> None:
    with pytest.raises(ValueError, match="great"):
        question_outcomes([*outcome_counts(), OutcomeCount("t", "Q1", "great", 1)])


def test_recommendation_evidence_collects_counts_and_weak_answers() -> None:
    questions = [
        QuestionLink("domestic-abuse", "DA06", "Was each child seen and spoken to?", ("R1", "R5")),
        QuestionLink("domestic-abuse", "DA09", "Operation Encompass notice in time?", ("R5",)),
        QuestionLink("domestic-abuse", "DA11", "DASH risk level", ()),
        QuestionLink("missing-child", "MC04", "Supervisor told?", ("R3",)),
    ]
    weak = [
        WeakOutcome(5, "DA-005", "domestic-abuse", "DA06", "not_met", None),
        WeakOutcome(4, "DA-004", "domestic-abuse", "DA06", "partly_met", "Older child only"),
        WeakOutcome(2, "DA-002", "domestic-abuse", "DA06", "not_met", "Child at school"),
        WeakOutcome(3, "DA-003", "domestic-abuse", "DA06", "not_met", "Not seen"),
        WeakOutcome(1, "DA-001", "domestic-abuse", "DA06", "met", "met answers are not weak"),
    ]
    evidence = recommendation_evidence(outcome_counts(), questions, weak, codes=["R9"])

    r1 = evidence["R1"]
    assert [q.question_id for q in r1.questions] == ["DA06"]
    assert (r1.met, r1.partly_met, r1.not_met, r1.applicable) == (1, 1, 3, 5)
    assert r1.met_rate == pytest.approx((1 + 0.5) / 5)
    # Not met before partly met, then by reference.
    assert [(w.reference, w.outcome) for w in r1.weak_answers] == [
        ("DA-002", Outcome.NOT_MET),
        ("DA-003", Outcome.NOT_MET),
        ("DA-005", Outcome.NOT_MET),
        ("DA-004", Outcome.PARTLY_MET),
    ]
    assert r1.weak_answers[0].note == "Child at school"
    assert r1.weak_answers[0].question_text == "Was each child seen and spoken to?"
    assert r1.weak_answers[2].note == ""

    r5 = evidence["R5"]
    assert [q.question_id for q in r5.questions] == ["DA06", "DA09"]
    assert r5.questions[1].summary == "no applicable cases"
    assert r5.applicable == 5

    r3 = evidence["R3"]
    assert (r3.met_rate, r3.weak_answers) == (1.0, ())
    assert r3.questions[0].summary == "met in 2 of 2 applicable cases"

    assert next(iter(evidence)) == "R9"  # listed codes come first, even with no evidence
    assert evidence["R9"].questions == ()
    assert evidence["R9"].met_rate is None


def _moderation_rows(waiting_on_threshold: bool) -> list[CaseCount]:
    """Six audited cases: three moderated good; one moderated inadequate on an unverified
    threshold; two submitted, one of them on that threshold too (unless it is confirmed)."""
    on = waiting_on_threshold
    return [
        CaseCount(3, "moderated", True, "good"),
        CaseCount(1, "moderated", True, "inadequate", unconfirmed=on),
        CaseCount(1, "submitted", False, "requires_improvement", unconfirmed=on),
        CaseCount(1, "submitted", False, "requires_improvement"),
    ]


def test_grades_on_an_unconfirmed_threshold_are_provisional_until_it_is_confirmed() -> None:
    # By hand: 2 unmoderated (provisional anyway) + 1 moderated on the threshold = 3 of 6.
    waiting = dashboard_figures(_moderation_rows(waiting_on_threshold=True))
    assert (waiting.unmoderated, waiting.unconfirmed, waiting.provisional_grades) == (2, 2, 3)
    assert waiting.provisional and waiting.overall.provisional
    assert waiting.provisional_note == (
        "Provisional: 3 of the 6 counted grades are provisional (2 not yet moderated; "
        "1 moderated but resting on a timeliness threshold whose source is unverified and "
        "which a lead has not yet confirmed for this inspection), so these figures may change."
    )

    # Confirmed: only the 2 unmoderated grades are provisional.
    confirmed = dashboard_figures(_moderation_rows(waiting_on_threshold=False))
    assert (confirmed.unmoderated, confirmed.unconfirmed, confirmed.provisional_grades) == (
        2,
        0,
        2,
    )
    assert confirmed.provisional_note == (
        "Provisional: 2 of the 6 counted grades are not yet moderated, so these figures may change."
    )


def test_a_fully_moderated_inspection_is_provisional_only_while_a_threshold_waits() -> None:
    moderated = [row for row in _moderation_rows(waiting_on_threshold=True) if row.moderated]
    tally = grade_distribution(moderated)["total"]
    assert (tally.cases, tally.unmoderated, tally.provisional_grades) == (4, 0, 1)
    assert tally.provisional
    assert provisional_note(tally).startswith(
        "Provisional: 1 of the 4 counted grades are provisional (1 moderated but resting on"
    )

    settled = [row for row in _moderation_rows(waiting_on_threshold=False) if row.moderated]
    tally = grade_distribution(settled)["total"]
    assert not tally.provisional and tally.provisional_grades == 0
    assert provisional_note(tally) == ""


def test_grade_enum_is_what_distribution_counts() -> None:
    assert {str(g) for g in Grade} == {"good", "requires_improvement", "inadequate"}
    assert Grade.REQUIRES_IMPROVEMENT.label == "Requires improvement"
    assert Grade.INADEQUATE.tag_class == "govuk-tag--red"
    assert sorted(Grade, key=lambda g: g.rank) == [
        Grade.INADEQUATE,
        Grade.REQUIRES_IMPROVEMENT,
        Grade.GOOD,
    ]
