"""The shipped library: every set validates, round-trips and is graded sensibly."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.grading import grade_case
from auditapp.domain.question_sets import (
    LIBRARY_DIR,
    QuestionSet,
    dump_question_set,
    load_library,
    load_question_set,
    load_recommendations,
)

LIBRARY = {qs.case_type: qs for qs in load_library() if qs.version == 1}
CASE_TYPES = [
    "domestic-abuse",
    "missing-child",
    "police-protection",
    "child-detention",
    "online-csae",
    "sex-offender-management",
]
DIP_SAMPLES = ["da-telephone-appointment", "da-diary-appointment"]
FILES = sorted(LIBRARY_DIR.glob("*.yaml"))
# The report's recommendation sections, copied verbatim (its first line names the source).
REFERENCE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "reference"
    / "cambridgeshire-ncpi-2022-recommendations.md"
)


def test_library_has_every_case_type_and_dip_sample() -> None:
    assert sorted(LIBRARY) == sorted(CASE_TYPES + DIP_SAMPLES)
    # Version 1 of each, and later versions in files named after them (case-type_v2.yaml).
    assert len(FILES) == len(load_library())


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_validates_and_round_trips(path: Path) -> None:
    qs = load_question_set(path.read_text(encoding="utf-8"), filename=path.name)
    case_type, _, version = path.stem.partition("_v")
    assert (qs.case_type, qs.version) == (case_type, int(version or 1))
    assert qs.source.strip()
    assert load_question_set(dump_question_set(qs)) == qs


@pytest.mark.parametrize("case_type", CASE_TYPES)
def test_case_set_has_10_to_20_questions_in_sections(case_type: str) -> None:
    qs = LIBRARY[case_type]
    assert qs.kind == "case"
    assert 10 <= len(qs.questions) <= 20
    assert len(qs.sections) >= 2
    assert any(q.critical for q in qs.questions)
    assert any(q.show_if for q in qs.questions)


@pytest.mark.parametrize("case_type", DIP_SAMPLES)
def test_dip_sample_has_one_to_three_questions_with_met_outcomes(case_type: str) -> None:
    qs = LIBRARY[case_type]
    assert qs.kind == "dip_sample"
    assert 1 <= len(qs.questions) <= 3
    first = qs.questions[0]
    assert grade_case(qs, {first.id: "yes"}).outcomes[first.id].outcome is Outcome.MET
    assert grade_case(qs, {first.id: "no"}).outcomes[first.id].outcome is Outcome.NOT_MET


def test_telephone_dip_sample_asks_whether_appropriate() -> None:
    assert "appropriate" in LIBRARY["da-telephone-appointment"].questions[0].text


def test_diary_dip_sample_asks_about_children_only_when_present() -> None:
    qs = LIBRARY["da-diary-appointment"]
    seen = next(q for q in qs.questions if "seen and spoken to" in q.text)
    assert seen.show_if is not None
    answers_without = {seen.show_if.question: "no", seen.id: "no"}
    assert grade_case(qs, answers_without).outcomes[seen.id].outcome is Outcome.HIDDEN


def test_question_ids_are_unique_across_the_library() -> None:
    ids = [q.id for qs in LIBRARY.values() for q in qs.questions]
    assert len(ids) == len(set(ids))


def test_every_recommendation_code_used_exists_and_every_one_is_evidenced() -> None:
    codes = set(load_recommendations().codes)
    used = set().union(*(qs.recommendation_codes for qs in LIBRARY.values()))
    assert used <= codes
    assert used == codes


def test_domestic_abuse_child_questions_appear_only_when_children_present() -> None:
    qs = LIBRARY["domestic-abuse"]
    gate = qs.questions[0]
    dependent = [q for q in qs.questions if q.show_if and q.show_if.question == gate.id]
    assert len(dependent) >= 3
    for q in dependent:
        assert grade_case(qs, {gate.id: "no"}).outcomes[q.id].outcome is Outcome.HIDDEN
        assert grade_case(qs, {gate.id: "yes"}).outcomes[q.id].outcome is Outcome.UNANSWERED


def voice_checklists() -> list[tuple[str, str]]:
    return [
        (qs.case_type, q.id)
        for qs in LIBRARY.values()
        for q in qs.questions
        if q.type == "checklist" and "VOICE" in q.text
    ]


def test_voice_checklist_is_used_in_several_sets() -> None:
    assert len({case_type for case_type, _ in voice_checklists()}) >= 3


@pytest.mark.parametrize(("case_type", "question_id"), voice_checklists())
def test_voice_checklist_met_at_four_partly_at_two(case_type: str, question_id: str) -> None:
    q = LIBRARY[case_type].question(question_id)
    assert [o.label[0] for o in q.options] == list("VOICE")
    assert (q.checklist_met, q.checklist_partly) == (4, 2)
    assert "R1" in q.recommendations


def derived(qs: QuestionSet) -> list[str]:
    return [q.id for q in qs.questions if q.type == "derived"]


def test_missing_child_resources_within_90_minutes() -> None:
    qs = LIBRARY["missing-child"]
    [check_id] = derived(qs)
    check = qs.question(check_id).check
    assert check is not None and check.within == timedelta(minutes=90)
    answers = {check.start: "2022-09-05T23:00", check.end: "2022-09-06T08:00"}
    result = grade_case(qs, answers)
    assert result.outcomes[check_id].outcome is Outcome.NOT_MET
    assert result.outcomes[check_id].detail.startswith("540 minutes")


def test_police_protection_ends_within_72_hours_and_is_critical() -> None:
    qs = LIBRARY["police-protection"]
    [check_id] = derived(qs)
    q = qs.question(check_id)
    assert q.critical and q.check is not None and q.check.within == timedelta(hours=72)
    everything_met = {other.id: "yes" for other in qs.questions if other.type == "yes_no"} | {
        q.check.start: "2022-09-01T10:00",
        q.check.end: "2022-09-04T11:00",
    }
    result = grade_case(qs, everything_met)
    assert result.outcomes[check_id].outcome is Outcome.NOT_MET
    assert result.grade is Grade.INADEQUATE
    assert result.deciding == (check_id,)


def test_online_csae_medium_priority_is_14_days() -> None:
    qs = LIBRARY["online-csae"]
    checks = [qs.question(qid) for qid in derived(qs)]
    medium = [
        q for q in checks if q.check and q.check.within_by and q.check.within_by.get("medium")
    ]
    [q] = medium
    assert q.check is not None and q.check.within_by is not None
    assert q.check.within_by.get("medium") == timedelta(days=14)
    priority = q.check.within_by.question
    gate = qs.question(priority).show_if
    assert gate is not None
    base = {gate.question: "yes", priority: "medium", q.check.start: "2022-03-01"}
    on_time = grade_case(qs, base | {q.check.end: "2022-03-15"})
    late = grade_case(qs, base | {q.check.end: "2022-08-20"})
    assert on_time.outcomes[q.id].outcome is Outcome.MET
    assert late.outcomes[q.id].outcome is Outcome.NOT_MET


@pytest.mark.parametrize("case_type", CASE_TYPES)
def test_a_case_meeting_everything_is_good(case_type: str) -> None:
    qs = LIBRARY[case_type]
    answers: dict[str, str] = {}
    for q in qs.questions:
        if q.type == "yes_no":
            answers[q.id] = "yes"
        elif q.type == "checklist":
            answers[q.id] = "[" + ",".join(f'"{v}"' for v in q.option_values) + "]"
        elif q.type == "choice":
            met = [o.value for o in q.options if o.outcome is Outcome.MET]
            answers[q.id] = (met or list(q.option_values))[0]
        elif q.type == "number":
            answers[q.id] = "1"
        elif q.type in ("date", "datetime"):
            answers[q.id] = "2022-09-05" if q.type == "date" else "2022-09-05T10:00"
    result = grade_case(qs, answers)
    assert result.grade is Grade.GOOD, result.explanation
    assert not any(o.outcome is Outcome.NOT_MET for o in result.outcomes.values())


def _plain(text: str) -> str:
    # The reference keeps link markup ("[bail](#)") and line breaks that the quotes drop.
    return re.sub(r"\s+", " ", re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text))


def test_recommendations_are_quoted_verbatim_from_the_report() -> None:
    report = _plain(REFERENCE.read_text(encoding="utf-8"))
    recs = load_recommendations()
    for rec in recs.recommendations:
        for passage in (rec.text, *rec.sub_points):
            assert _plain(passage) in report, rec.code
    # Codes follow the order in which the report lists them.
    positions = [report.index(_plain(rec.text)) for rec in recs.recommendations]
    assert positions == sorted(positions)


def test_recommendations_have_chapter_timescale_and_kind() -> None:
    recs = load_recommendations()
    chapters = {r.chapter for r in recs.recommendations}
    assert chapters == {
        "Initial contact",
        "Assessment and help",
        "Investigation",
        "Decision-making",
        "Managing those posing a risk to children",
        "Police detention",
    }
    for rec in recs.recommendations:
        assert rec.timescale in ("immediately", "within six months")
        assert rec.timescale in rec.text.lower()
        assert rec.source
    assert [r.code for r in recs.recommendations if r.kind == "area_for_improvement"] == [
        "AFI1",
        "AFI2",
    ]
    assert "National Child Protection Inspection Post-Inspection Review" in recs.source
