"""The grading engine: outcomes per answer type, derived checks, the default rule, properties."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.grading import CaseGrade, grade_case
from auditapp.domain.question_sets import (
    GradingRule,
    Question,
    QuestionSet,
    load_library,
    load_question_set,
    visible_ids,
)

VOICE = [
    {"value": v, "label": v.title()}
    for v in ("vulnerability", "observation", "intelligence", "curiosity", "environment")
]


def make_set(questions: list[dict[str, Any]], **top: Any) -> QuestionSet:
    data = {
        "case_type": "test-type",
        "case_type_name": "Test",
        "version": 1,
        "title": "Test",
        **top,
        "sections": [{"id": "only", "title": "Only", "questions": questions}],
    }
    return load_question_set(yaml.safe_dump(data, sort_keys=False))


def yes_no(qid: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "text": f"Question {qid}?", "type": "yes_no", **extra}


# --- outcomes per answer type -------------------------------------------------------------------

TYPES_SET = make_set(
    [
        yes_no("YN", allow_na=True),
        {
            "id": "CH",
            "text": "Placement",
            "type": "choice",
            "options": [
                {"value": "foster", "label": "Foster carer", "outcome": "met"},
                {"value": "station", "label": "Police station", "outcome": "not_met"},
                {"value": "part", "label": "Part way", "outcome": "partly_met"},
                {"value": "none_needed", "label": "None needed", "outcome": "not_applicable"},
                {"value": "other", "label": "Other"},
            ],
        },
        {"id": "RL", "text": "Risk level", "type": "choice", "options": VOICE[:2]},
        {
            "id": "CL",
            "text": "VOICE",
            "type": "checklist",
            "options": VOICE,
            "met_when": 4,
            "partly_when": 2,
            "allow_na": True,
        },
        {"id": "CX", "text": "Plain ticks", "type": "checklist", "options": VOICE},
        {"id": "NU", "text": "Episodes", "type": "number"},
        {"id": "DA", "text": "Day", "type": "date"},
        {"id": "DT", "text": "Time", "type": "datetime"},
        {"id": "TX", "text": "Notes", "type": "text"},
    ]
)


@pytest.mark.parametrize(
    ("question_id", "answer", "outcome"),
    [
        ("YN", "yes", Outcome.MET),
        ("YN", "partly", Outcome.PARTLY_MET),
        ("YN", "no", Outcome.NOT_MET),
        ("YN", "na", Outcome.NOT_APPLICABLE),
        ("YN", None, Outcome.UNANSWERED),
        ("YN", "maybe", Outcome.UNANSWERED),
        ("CH", "foster", Outcome.MET),
        ("CH", "station", Outcome.NOT_MET),
        ("CH", "part", Outcome.PARTLY_MET),
        ("CH", "none_needed", Outcome.NOT_APPLICABLE),
        ("CH", "other", Outcome.RECORDED),
        ("RL", "vulnerability", Outcome.RECORDED),
        ("CL", '["vulnerability","observation","intelligence","curiosity"]', Outcome.MET),
        ("CL", json.dumps([v["value"] for v in VOICE]), Outcome.MET),
        ("CL", '["vulnerability","observation","intelligence"]', Outcome.PARTLY_MET),
        ("CL", '["vulnerability","environment"]', Outcome.PARTLY_MET),
        ("CL", '["environment"]', Outcome.NOT_MET),
        ("CL", "[]", Outcome.NOT_MET),
        ("CL", "na", Outcome.NOT_APPLICABLE),
        ("CL", '["telepathy"]', Outcome.UNANSWERED),
        ("CX", '["environment"]', Outcome.RECORDED),
        ("NU", "3", Outcome.RECORDED),
        ("DA", "2022-09-05", Outcome.RECORDED),
        ("DT", "2022-09-05T14:30", Outcome.RECORDED),
        ("TX", "Seen at school", Outcome.RECORDED),
        ("TX", None, Outcome.UNANSWERED),
    ],
)
def test_each_answer_type_gives_its_outcome(
    question_id: str, answer: str | None, outcome: Outcome
) -> None:
    result = grade_case(TYPES_SET, {question_id: answer})
    assert result.outcomes[question_id].outcome is outcome


def test_every_question_gets_an_outcome() -> None:
    result = grade_case(TYPES_SET, {})
    assert set(result.outcomes) == {q.id for q in TYPES_SET.questions}


def test_checklist_detail_says_what_was_ticked_and_the_rule() -> None:
    result = grade_case(TYPES_SET, {"CL": '["vulnerability","environment"]'})
    assert result.outcomes["CL"].detail == (
        "2 of 5 ticked: Vulnerability, Environment (met when 4 or more, partly met when 2 or more)"
    )


@pytest.mark.parametrize(
    ("question_id", "answer", "detail"),
    [
        ("YN", "partly", "Partly"),
        ("YN", "na", "Not applicable"),
        ("YN", None, "Not answered"),
        ("CH", "station", "Police station"),
        ("CX", "[]", "0 of 5 ticked"),
        ("NU", "1500", "1,500"),
        ("DA", "2022-09-05", "5 September 2022"),
        ("DT", "2022-09-05T14:30", "5 September 2022, 14:30"),
        ("TX", "Seen at school", "Seen at school"),
    ],
)
def test_an_answers_detail_is_its_words_as_every_page_shows_them(
    question_id: str, answer: str | None, detail: str
) -> None:
    result = grade_case(TYPES_SET, {question_id: answer})
    assert result.outcomes[question_id].detail == detail


def test_a_hidden_questions_detail_words_the_answer_that_shows_it() -> None:
    result = grade_case(DERIVED_SET, {"GATE": "no"})
    assert result.outcomes["VISITED"].detail == "shown only when GATE is Yes"


def test_ungraded_yes_no_still_gives_met_or_not_met_but_never_counts() -> None:
    qs = make_set([yes_no("A", graded=False), yes_no("B")])
    result = grade_case(qs, {"A": "no", "B": "yes"})
    assert result.outcomes["A"].outcome is Outcome.NOT_MET
    assert result.outcomes["A"].graded is False
    assert result.grade is Grade.GOOD
    assert result.applicable == 1


# --- derived checks -----------------------------------------------------------------------------

DERIVED_SET = make_set(
    [
        yes_no("GATE", graded=False),
        {"id": "START", "text": "Reported", "type": "datetime"},
        {
            "id": "END",
            "text": "Resourced",
            "type": "datetime",
            "allow_na": True,
            "required": False,
        },
        {
            "id": "FAST",
            "text": "Within 90 minutes?",
            "type": "derived",
            "check": {"start": "START", "end": "END", "within": "90 minutes"},
        },
        {
            "id": "SOFT",
            "text": "Within 90 minutes, partly within 3 hours?",
            "type": "derived",
            "check": {
                "start": "START",
                "end": "END",
                "within": "90 minutes",
                "partly_within": "3 hours",
            },
        },
        {
            "id": "PRIORITY",
            "text": "KIRAT priority",
            "type": "choice",
            "options": [
                {"value": "low", "label": "Low"},
                {"value": "medium", "label": "Medium"},
                {"value": "high", "label": "High"},
            ],
        },
        {"id": "RECEIVED", "text": "Received", "type": "date"},
        {
            "id": "VISITED",
            "text": "Visited",
            "type": "date",
            "show_if": {"question": "GATE", "equals": "yes"},
        },
        {
            "id": "KIRAT",
            "text": "Visited within the KIRAT timescale?",
            "type": "derived",
            "check": {
                "start": "RECEIVED",
                "end": "VISITED",
                "within": "28 days",
                "within_by": {
                    "question": "PRIORITY",
                    "thresholds": {"medium": "14 days", "high": "7 days"},
                },
            },
        },
    ]
)


def t(minutes: int) -> str:
    return (datetime(2022, 9, 5, 22, 0) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def d(days: int) -> str:
    return (date(2022, 3, 1) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("answers", "question_id", "outcome", "detail"),
    [
        (
            {"START": t(0), "END": t(42)},
            "FAST",
            Outcome.MET,
            "42 minutes (target within 90 minutes)",
        ),
        ({"START": t(0), "END": t(90)}, "FAST", Outcome.MET, "90 minutes"),
        ({"START": t(0), "END": t(91)}, "FAST", Outcome.NOT_MET, "91 minutes"),
        # Crosses midnight: the elapsed time is still measured correctly.
        ({"START": t(0), "END": t(9 * 60)}, "FAST", Outcome.NOT_MET, "540 minutes"),
        ({"START": t(0), "END": t(120)}, "SOFT", Outcome.PARTLY_MET, "partly met within 3 hours"),
        ({"START": t(0), "END": t(180)}, "SOFT", Outcome.PARTLY_MET, "180 minutes"),
        ({"START": t(0), "END": t(181)}, "SOFT", Outcome.NOT_MET, "181 minutes"),
        ({"START": t(0), "END": t(89)}, "SOFT", Outcome.MET, "89 minutes"),
        ({"START": t(0)}, "FAST", Outcome.UNANSWERED, "needs END"),
        ({"END": t(5)}, "FAST", Outcome.UNANSWERED, "needs START"),
        ({}, "FAST", Outcome.UNANSWERED, "needs START and END"),
        ({"START": t(0), "END": "na"}, "FAST", Outcome.NOT_APPLICABLE, "END is not applicable"),
        ({"START": t(60), "END": t(0)}, "FAST", Outcome.UNANSWERED, "END is before START"),
        (
            {"GATE": "yes", "PRIORITY": "medium", "RECEIVED": d(0), "VISITED": d(14)},
            "KIRAT",
            Outcome.MET,
            "14 days (target within 14 days for PRIORITY Medium)",
        ),
        (
            {"GATE": "yes", "PRIORITY": "medium", "RECEIVED": d(0), "VISITED": d(15)},
            "KIRAT",
            Outcome.NOT_MET,
            "15 days (target within 14 days for PRIORITY Medium)",
        ),
        (
            {"GATE": "yes", "PRIORITY": "high", "RECEIVED": d(0), "VISITED": d(8)},
            "KIRAT",
            Outcome.NOT_MET,
            "target within 7 days for PRIORITY High",
        ),
        (
            # Low has no threshold of its own, so the default 28 days applies.
            {"GATE": "yes", "PRIORITY": "low", "RECEIVED": d(0), "VISITED": d(20)},
            "KIRAT",
            Outcome.MET,
            "20 days (target within 28 days)",
        ),
        (
            {"GATE": "yes", "RECEIVED": d(0), "VISITED": d(3)},
            "KIRAT",
            Outcome.UNANSWERED,
            "needs PRIORITY",
        ),
        (
            {"GATE": "no", "PRIORITY": "medium", "RECEIVED": d(0), "VISITED": d(3)},
            "KIRAT",
            Outcome.NOT_APPLICABLE,
            "VISITED is not shown",
        ),
    ],
)
def test_derived_check(
    answers: dict[str, str], question_id: str, outcome: Outcome, detail: str
) -> None:
    result = grade_case(DERIVED_SET, answers)
    assert result.outcomes[question_id].outcome is outcome
    assert detail in result.outcomes[question_id].detail


def test_derived_check_counts_in_the_score_like_any_question() -> None:
    result = grade_case(DERIVED_SET, {"START": t(0), "END": t(200)})
    assert result.outcomes["FAST"].outcome is Outcome.NOT_MET
    assert result.applicable == 2  # FAST and SOFT; the ungraded GATE is unanswered
    assert result.grade is Grade.INADEQUATE


# --- the default rule at every boundary ---------------------------------------------------------

CODES = {"y": "yes", "p": "partly", "n": "no", "a": "na", "-": None}


def ten(critical: tuple[int, ...] = (), **top: Any) -> QuestionSet:
    return make_set(
        [
            yes_no(f"Q{i:02}", allow_na=True, critical=i in critical, required=True)
            for i in range(1, 11)
        ],
        **top,
    )


def answers_from(pattern: str) -> dict[str, str | None]:
    return {f"Q{i:02}": CODES[c] for i, c in enumerate(pattern, start=1)}


@pytest.mark.parametrize(
    ("pattern", "critical", "current_risk", "grade", "score"),
    [
        ("yyyyyyyyyy", (), False, Grade.GOOD, 1.0),
        ("yyyyyyyynn", (), False, Grade.GOOD, 0.8),  # exactly 0.80
        ("yyyyyyyppn", (), False, Grade.GOOD, 0.8),  # 7 + 0.5 x 2 = 8 of 10
        ("yyyyyyypnn", (), False, Grade.REQUIRES_IMPROVEMENT, 0.75),  # just under 0.80
        ("yyyynaaaaa", (), False, Grade.GOOD, 0.8),  # n/a excluded: 4 of 5
        ("yyyyyyynnn", (), False, Grade.REQUIRES_IMPROVEMENT, 0.7),
        ("yyyyynnnnn", (), False, Grade.REQUIRES_IMPROVEMENT, 0.5),  # exactly 0.50
        ("yyyypnnnnn", (), False, Grade.INADEQUATE, 0.45),  # just under 0.50
        ("ynaaaaaaaa", (), False, Grade.REQUIRES_IMPROVEMENT, 0.5),
        ("pppppppppp", (), False, Grade.REQUIRES_IMPROVEMENT, 0.5),
        ("nnnnnnnnnn", (), False, Grade.INADEQUATE, 0.0),
        ("pyyyyyyyyy", (1,), False, Grade.REQUIRES_IMPROVEMENT, 0.95),  # critical partly met
        ("nyyyyyyyyy", (1,), False, Grade.INADEQUATE, 0.9),  # critical not met
        ("ayyyyyyyyy", (1,), False, Grade.GOOD, 1.0),  # critical n/a does not limit
        ("yyyyyyyyyy", (), True, Grade.INADEQUATE, 1.0),  # child at current risk
        ("aaaaaaaaaa", (), True, Grade.INADEQUATE, None),
        ("aaaaaaaaaa", (), False, None, None),  # nothing applicable
        ("----------", (), False, None, None),
    ],
)
def test_default_rule(
    pattern: str,
    critical: tuple[int, ...],
    current_risk: bool,
    grade: Grade | None,
    score: float | None,
) -> None:
    result = grade_case(ten(critical), answers_from(pattern), current_risk=current_risk)
    assert result.grade is grade
    if score is None:
        assert result.score is None
    else:
        assert result.score == pytest.approx(score)


@pytest.mark.parametrize(
    ("pattern", "score", "grade"),
    [
        # A critical question only partly met does not lift a score below 50%...
        ("pyyypnnnnn", 0.40, Grade.INADEQUATE),  # 0.5 + 3 + 0.5 = 4 of 10
        ("pyyyynnnnn", 0.45, Grade.INADEQUATE),
        ("ppnnnnnnnn", 0.10, Grade.INADEQUATE),
        # ...leaves a score from 50% to below 80% requiring improvement...
        ("pyyyyynnnn", 0.55, Grade.REQUIRES_IMPROVEMENT),
        # ...and holds a score of 80% or more back from good.
        ("pyyyyyyyyy", 0.95, Grade.REQUIRES_IMPROVEMENT),
    ],
)
def test_readme_grading_rule_reads_as_the_code_behaves(
    pattern: str, score: float, grade: Grade
) -> None:
    """README, "Grading rule", step 4, with Q01 critical and only partly met."""
    result = grade_case(ten(critical=(1,)), answers_from(pattern))
    assert result.score == pytest.approx(score)
    assert result.grade is grade


def test_all_not_applicable_gives_no_grade_and_says_why() -> None:
    result = grade_case(ten(), answers_from("aaaaaaaaaa"))
    assert result.grade is None
    assert result.deciding == ()
    assert any("auditor must propose a grade" in line for line in result.explanation)


def test_critical_not_met_decides_and_is_named() -> None:
    qs = ten(critical=(3, 7))
    result = grade_case(qs, answers_from("yynyyynyyy"))
    assert result.grade is Grade.INADEQUATE
    assert result.deciding == ("Q03", "Q07")
    assert result.limiting
    text = " ".join(result.explanation)
    assert "Q03 “Question Q03?” is critical and not met" in text
    assert "Q07 “Question Q07?” is critical and not met" in text


def test_current_risk_flag_is_explained() -> None:
    result = grade_case(ten(), answers_from("yyyyyyyyyy"), current_risk=True)
    assert result.grade is Grade.INADEQUATE
    assert "child at current risk" in result.explanation[0]
    assert result.to_dict()["current_risk"] is True


def test_critical_partly_met_is_named_as_deciding() -> None:
    result = grade_case(ten(critical=(2,)), answers_from("ypyyyyyyyy"))
    assert result.deciding == ("Q02",)
    assert any("Q02" in line and "only partly met" in line for line in result.explanation)


def test_score_line_shows_the_arithmetic() -> None:
    result = grade_case(ten(), answers_from("yyyyyyypnn"))
    assert (
        "Score: 7 met + 0.5 \u00d7 1 partly met = 7.5 out of 10 applicable graded questions = 75%."
        in (result.explanation)
    )
    assert "75% is at least 50% but below 80%, so the case requires improvement." in (
        result.explanation
    )


@pytest.mark.parametrize(
    "pattern",
    ["yyyyyyyynn", "yyyyyyypnn", "yyyypnnnnn", "nnnnnnnnnn", "yyyyyyyyyp", "yyyynaaaaa"],
)
def test_explanation_names_every_deciding_question(pattern: str) -> None:
    result = grade_case(ten(), answers_from(pattern))
    assert result.deciding  # each of these patterns has a shortfall
    text = " ".join(result.explanation)
    for question_id in result.deciding:
        assert f"{question_id} “Question {question_id}?”" in text


def test_thresholds_come_from_the_set_and_can_be_overridden() -> None:
    strict = ten(grading={"good_threshold": 0.9, "requires_improvement_threshold": 0.6})
    answers = answers_from("yyyyyyyynn")
    assert grade_case(strict, answers).grade is Grade.REQUIRES_IMPROVEMENT
    assert grade_case(strict, answers).rule == strict.grading
    loose = GradingRule(0.8, 0.5, 0.5)
    assert grade_case(strict, answers, rule=loose).grade is Grade.GOOD
    assert grade_case(strict, answers, rule=loose).to_dict()["rule"] == loose.to_dict()


def test_partly_weight_is_applied() -> None:
    result = grade_case(ten(), answers_from("pppppppppp"), rule=GradingRule(0.8, 0.5, 0.25))
    assert result.score == pytest.approx(0.25)
    assert result.grade is Grade.INADEQUATE


def test_weights_change_the_score() -> None:
    qs = make_set([yes_no("A", weight=3), yes_no("B")])
    result = grade_case(qs, {"A": "yes", "B": "no"})
    assert result.score == pytest.approx(0.75)
    assert result.applicable == 4
    assert any("(weighted)" in line for line in result.explanation)


# --- provisional grades -------------------------------------------------------------------------


def test_unanswered_required_question_makes_grade_provisional() -> None:
    result = grade_case(ten(), answers_from("yyyyyyyyy-"))
    assert result.provisional
    assert result.unanswered == ("Q10",)
    assert result.grade is Grade.GOOD  # graded on what has been answered
    assert any(line.startswith("Provisional") and "Q10" in line for line in result.explanation)


def test_unanswered_optional_or_hidden_question_is_not_provisional() -> None:
    qs = make_set(
        [
            yes_no("A"),
            yes_no("B", required=False),
            yes_no("C", show_if={"question": "A", "equals": ["no"]}),
        ]
    )
    result = grade_case(qs, {"A": "yes"})
    assert not result.provisional
    assert result.outcomes["C"].outcome is Outcome.HIDDEN
    assert result.outcomes["B"].outcome is Outcome.UNANSWERED
    assert grade_case(qs, {"A": "no"}).unanswered == ("C",)


def test_to_dict_is_json_serialisable() -> None:
    result = grade_case(DERIVED_SET, {"START": t(0), "END": t(42)})
    data = json.loads(json.dumps(result.to_dict()))
    assert data["outcomes"]["FAST"]["outcome"] == "met"
    assert data["grade"] == result.grade


# --- properties (hypothesis) --------------------------------------------------------------------

PROPERTY_SETS = [qs for qs in load_library() if qs.kind == "case"] + [
    TYPES_SET,
    DERIVED_SET,
    ten(critical=(1, 5)),
]


def answer_strategy(question: Question) -> st.SearchStrategy[str | None]:
    na = ["na"] if question.allow_na else []
    if question.type in ("yes_no", "choice"):
        return st.sampled_from([None, *question.allowed_values()])
    if question.type == "checklist":
        ticks = st.lists(st.sampled_from(question.option_values), unique=True).map(
            lambda ticked: json.dumps([v for v in question.option_values if v in ticked])
        )
        return st.one_of(st.none(), ticks, st.sampled_from(na or [None]))
    if question.type == "number":
        return st.one_of(st.none(), st.integers(0, 50).map(str))
    if question.type == "date":
        days = st.integers(0, 40).map(lambda n: (date(2022, 3, 1) + timedelta(days=n)).isoformat())
        return st.one_of(st.none(), days, st.sampled_from(na or [None]))
    if question.type == "datetime":
        times = st.integers(0, 60 * 24 * 5).map(
            lambda n: (datetime(2022, 3, 1) + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M")
        )
        return st.one_of(st.none(), times, st.sampled_from(na or [None]))
    if question.type == "text":
        return st.sampled_from([None, "A note"])
    return st.none()  # derived: never answered by a person


def answers_strategy(qs: QuestionSet) -> st.SearchStrategy[dict[str, str | None]]:
    return st.fixed_dictionaries({q.id: answer_strategy(q) for q in qs.questions})


def rank(result: CaseGrade) -> int:
    assert result.grade is not None
    return result.grade.rank


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sets_where(keep: Any) -> Any:
    """Parametrize over the property sets for which the property can be exercised at all."""
    chosen = [qs for qs in PROPERTY_SETS if keep(qs)]
    return pytest.mark.parametrize(
        "qs", chosen, ids=[f"{qs.case_type}-{PROPERTY_SETS.index(qs)}" for qs in chosen]
    )


def _controllers(qs: QuestionSet) -> set[str]:
    ids = {q.show_if.question for q in qs.questions if q.show_if}
    return ids | {q.check.within_by.question for q in qs.questions if q.check and q.check.within_by}


def _has_free_yes_no(qs: QuestionSet) -> bool:
    return any(q.type == "yes_no" and q.id not in _controllers(qs) for q in qs.questions)


@_sets_where(_has_free_yes_no)
@SETTINGS
@given(data=st.data())
def test_turning_one_answer_to_met_never_worsens_the_grade(qs: QuestionSet, data: Any) -> None:
    answers = data.draw(answers_strategy(qs))
    controllers = _controllers(qs)
    shown = visible_ids(qs, answers)
    candidates = [
        q.id
        for q in qs.questions
        if q.type == "yes_no"
        and q.id in shown
        and q.id not in controllers
        and answers.get(q.id) in ("no", "partly")
    ]
    assume(candidates)
    question_id = data.draw(st.sampled_from(candidates))
    before = grade_case(qs, answers)
    after = grade_case(qs, {**answers, question_id: "yes"})
    assert before.grade is not None
    assert rank(after) >= rank(before)
    assert after.score is not None and before.score is not None
    assert after.score >= before.score


@_sets_where(lambda qs: any(q.show_if for q in qs.questions))
@SETTINGS
@given(data=st.data())
def test_answers_to_hidden_questions_never_change_the_grade(qs: QuestionSet, data: Any) -> None:
    answers = data.draw(answers_strategy(qs))
    shown = visible_ids(qs, answers)
    hidden = [q for q in qs.questions if q.id not in shown]
    assume(hidden)
    replaced = dict(answers)
    for question in hidden:
        replaced[question.id] = data.draw(answer_strategy(question))
    before, after = grade_case(qs, answers), grade_case(qs, replaced)
    assert (after.grade, after.score, after.deciding, after.provisional) == (
        before.grade,
        before.score,
        before.deciding,
        before.provisional,
    )


@_sets_where(lambda qs: any(q.critical for q in qs.questions))
@SETTINGS
@given(data=st.data())
def test_any_applicable_critical_not_met_is_always_inadequate(qs: QuestionSet, data: Any) -> None:
    answers = data.draw(answers_strategy(qs))
    critical = [q.id for q in qs.questions if q.critical and q.type == "yes_no"]
    if critical:
        forced = data.draw(st.sampled_from(critical))
        answers = {**answers, forced: "no"}
    result = grade_case(qs, answers, current_risk=data.draw(st.booleans()))
    failed = [
        qid
        for qid, outcome in result.outcomes.items()
        if outcome.critical and outcome.outcome is Outcome.NOT_MET
    ]
    assume(failed)
    assert result.grade is Grade.INADEQUATE
    assert set(failed) == set(result.deciding)
