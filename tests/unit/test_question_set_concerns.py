"""Version 2 of the library sets: the report's concerns graded as the report states them.

Each rule has a hand-worked case: conditional criticality, timeliness to the audit date,
KIRAT timeliness, a referral with no KIRAT assessment, combined questions split, and
unverified thresholds (provisional until the lead confirms them). New keys pointing at the
wrong question or value are refused with their place in the file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.grading import (
    check_elapsed,
    critical_words,
    grade_case,
    unverified_thresholds,
)
from auditapp.domain.question_sets import (
    LIBRARY_DIR,
    QuestionSetError,
    dump_question_set,
    load_library,
    load_question_set,
)
from auditapp.domain.question_sets.schema import parse_yaml

SETS = {(qs.case_type, qs.version): qs for qs in load_library()}
CSAE = SETS[("online-csae", 2)]
MISSING = SETS[("missing-child", 2)]

# Good answers to online-csae version 2: a medium priority referral acted on after 10 days.
GOOD_CSAE: dict[str, str | None] = {
    "OC01": "nca_ceop", "OC02": "2022-05-02", "OC03": "yes", "OC04": "yes", "OC05": "yes",
    "OC06": "yes", "OC07": "medium", "OC08": "yes", "OC17": "yes", "OC09": "2022-05-12",
    "OC18": "2022-11-06", "OC12": "yes", "OC13": "yes", "OC14": "yes", "OC15": "yes",
    "OC16": "yes",
}  # fmt: skip
GOOD_MISSING: dict[str, str | None] = {
    "MC01": "2022-08-01T18:00", "MC02": "medium", "MC03": "yes", "MC18": "yes", "MC19": "yes",
    "MC05": "yes", "MC06": "2022-08-01T19:00", "MC08": "yes", "MC09": "yes", "MC10": "no",
    "MC14": "yes", "MC15": '["vulnerability", "observation", "intelligence", "curiosity", '
    '"environment"]', "MC16": "yes", "MC17": "yes",
}  # fmt: skip


def test_the_good_answers_grade_good() -> None:
    assert grade_case(CSAE, GOOD_CSAE).grade is Grade.GOOD
    assert grade_case(MISSING, GOOD_MISSING).grade is Grade.GOOD


@pytest.mark.parametrize(
    ("question_id", "words"),
    [
        ("MC07", "Critical when MC02 is High"),  # critical_if: {question: MC02, equals: [high]}
        ("MC03", "Critical"),  # critical: true
        ("MC02", ""),  # never critical
    ],
)
def test_a_question_critical_on_an_earlier_answer_says_when(question_id: str, words: str) -> None:
    assert critical_words(MISSING, MISSING.question(question_id)) == words


def test_late_search_is_critical_only_for_a_high_risk_child() -> None:
    # Resources 2 hours after the report: MC07 (within 90 minutes) not met; 13 of 14 met.
    late = {**GOOD_MISSING, "MC06": "2022-08-01T20:00"}
    medium = grade_case(MISSING, late)
    assert medium.outcomes["MC07"].outcome is Outcome.NOT_MET
    assert not medium.outcomes["MC07"].critical
    assert medium.grade is Grade.GOOD  # 13 of 14 = 93%
    high = grade_case(MISSING, {**late, "MC02": "high"})
    assert high.outcomes["MC07"].critical
    assert high.grade is Grade.INADEQUATE
    assert "MC07" in high.deciding


def test_action_not_taken_is_measured_to_the_audit_date_never_a_made_up_date() -> None:
    # Referral 2 May, nothing done by the audit on 6 November: 188 days against 14.
    waiting = {**GOOD_CSAE, "OC17": "no", "OC09": None}
    grade = grade_case(CSAE, waiting)
    oc10 = grade.outcomes["OC10"]
    assert oc10.outcome is Outcome.NOT_MET
    assert "not yet done: 188 days so far, to the audit date" in oc10.detail
    assert grade.outcomes["OC09"].outcome is Outcome.HIDDEN  # no enforcement date asked
    assert check_elapsed(CSAE, CSAE.question("OC10"), waiting).days == 188
    assert grade.grade is Grade.INADEQUATE


def test_188_days_against_14_cannot_be_good() -> None:
    late = {**GOOD_CSAE, "OC09": "2022-11-06"}
    grade = grade_case(CSAE, late)
    assert grade.outcomes["OC10"].outcome is Outcome.NOT_MET
    assert grade.grade is Grade.INADEQUATE
    # Version 1 graded the same case good: versions already used keep their rule.
    v1 = SETS[("online-csae", 1)]
    v1_answers = {k: v for k, v in late.items() if k not in ("OC17", "OC18")}
    assert grade_case(v1, v1_answers).grade is Grade.GOOD


def test_a_referral_with_no_kirat_assessment_cannot_grade_good() -> None:
    none = {**GOOD_CSAE, "OC06": "no", "OC07": None, "OC08": None}
    grade = grade_case(CSAE, none)
    assert grade.outcomes["OC10"].outcome is Outcome.HIDDEN
    assert grade.grade is not Grade.GOOD


def test_combined_questions_are_split_as_the_report_gives_them() -> None:
    pairs = {
        ("missing-child", "MC04"): ("MC18", "MC19"),
        ("child-detention", "CD08"): ("CD18", "CD19", "CD20"),
        ("sex-offender-management", "SO12"): ("SO18", "SO19"),
        ("da-diary-appointment", "DY01"): ("DY04", "DY05", "DY06"),
    }
    for (case_type, combined), parts in pairs.items():
        old, new = SETS[(case_type, 1)], SETS[(case_type, 2)]
        old_ids = {q.id for q in old.questions}
        new_ids = {q.id for q in new.questions}
        assert combined in old_ids and combined not in new_ids
        assert set(parts) <= new_ids and not set(parts) & old_ids


def test_a_low_priority_grade_is_provisional_until_the_lead_confirms_its_threshold() -> None:
    low = {**GOOD_CSAE, "OC07": "low", "OC09": "2022-05-20"}  # 18 days against 28
    grade = grade_case(CSAE, low)
    assert grade.grade is Grade.GOOD
    assert grade.provisional
    assert grade.unconfirmed == ("OC10:low",)
    assert any("whose source is unverified" in line for line in grade.explanation)
    confirmed = grade_case(CSAE, low, confirmed={"OC10:low"})
    assert not confirmed.provisional and confirmed.unconfirmed == ()
    # Medium priority (14 days) is the report's own figure: never provisional.
    assert not grade_case(CSAE, GOOD_CSAE).provisional


def test_unverified_thresholds_are_listed_for_the_lead() -> None:
    keys = [key for key, _, _ in unverified_thresholds(CSAE)]
    assert keys == ["OC10:low", "OC11:high", "OC11:very_high"]
    words = dict((key, text) for key, text, _ in unverified_thresholds(CSAE))
    assert words["OC10:low"] == "OC10's threshold of 28 days for OC07 Low"


def test_new_keys_survive_yaml_both_ways() -> None:
    for qs in (CSAE, MISSING):
        assert load_question_set(dump_question_set(qs)) == qs


def _data(name: str) -> dict[str, Any]:
    return parse_yaml((Path(LIBRARY_DIR) / name).read_text(encoding="utf-8"), name)


def _question(data: dict[str, Any], qid: str) -> tuple[str, dict[str, Any]]:
    for s_index, section in enumerate(data["sections"]):
        for q_index, question in enumerate(section["questions"]):
            if question["id"] == qid:
                return f"sections[{s_index}].questions[{q_index}]", question
    raise KeyError(qid)


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(QuestionSetError) as caught:
        load_question_set(yaml.safe_dump(data, sort_keys=False), filename="set.yaml")
    return [f"{problem.path}: {problem.message}" for problem in caught.value.errors]


@pytest.mark.parametrize(
    ("file", "qid", "change", "expected"),
    [
        (
            "missing-child_v2.yaml",
            "MC07",
            lambda q: q.update(critical_if={"question": "MC99", "equals": ["high"]}),
            ".critical_if: unknown question MC99",
        ),
        (
            "missing-child_v2.yaml",
            "MC07",
            lambda q: q.update(critical_if={"question": "MC02", "equals": ["severe"]}),
            ".critical_if.equals[0]: severe is not an answer to MC02",
        ),
        (
            "missing-child_v2.yaml",
            "MC07",
            lambda q: q.update(critical_if={"question": "MC08", "equals": ["yes"]}),
            ".critical_if: MC08 comes later; critical_if must refer to an earlier question",
        ),
        (
            "missing-child_v2.yaml",
            "MC07",
            lambda q: q.update(critical=True),
            ".critical_if: critical_if is for a question not always critical",
        ),
        (
            "online-csae_v2.yaml",
            "OC10",
            lambda q: q["check"].update(until_audit={"question": "OC17", "equals": ["later"]}),
            ".check.until_audit.equals[0]: later is not an answer to OC17",
        ),
        (
            "online-csae_v2.yaml",
            "OC10",
            lambda q: q["check"].update(audit_date="OC07"),
            ".check.audit_date: OC07 is a choice question; the audit date needs a date",
        ),
        (
            "online-csae_v2.yaml",
            "OC10",
            lambda q: q["check"].pop("audit_date"),
            ".check.until_audit: until_audit needs audit_date",
        ),
        (
            "online-csae_v2.yaml",
            "OC10",
            lambda q: q["check"].update(unverified=["high"]),
            ".check.unverified[0]: high is not a threshold of this check",
        ),
    ],
)
def test_new_keys_pointing_at_the_wrong_question_or_value_are_refused_by_place(
    file: str, qid: str, change: Any, expected: str
) -> None:
    data = copy.deepcopy(_data(file))
    path, question = _question(data, qid)
    change(question)
    problems = _problems(data)
    assert any(p.startswith(path) and expected in p for p in problems), problems
