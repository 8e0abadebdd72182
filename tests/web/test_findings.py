"""Findings pages: every figure from a known fixture, click-throughs, judgements and gates."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import event, select

from auditapp.domain.question_sets import dump_question_set, load_library
from auditapp.domain.recommendations import ChapterRule, QuestionUse
from auditapp.extensions import db
from auditapp.findings import routes as findings_routes
from auditapp.models import (
    Answer,
    AuditEvent,
    Case,
    CaseStatus,
    ChapterJudgement,
    Inspection,
    InspectionRole,
    Question,
    Recommendation,
    RecommendationJudgement,
    SecondAudit,
    User,
)
from auditapp.services import findings
from auditapp.services.demo_report import GOOD_ANSWERS
from auditapp.services.free_texts import logged_events
from auditapp.services.question_sets import import_question_set
from tests import factories

GOOD_DA = {k: v for k, v in GOOD_ANSWERS["domestic-abuse"].items() if isinstance(v, str)}


def _da(**changes: str) -> dict[str, str]:
    return {**GOOD_DA, **changes}


def _recommendation(inspection: Inspection, code: str, chapter: str, position: int) -> None:
    db.session.add(
        Recommendation(
            inspection_id=inspection.id,
            code=code,
            position=position,
            chapter=chapter,
            timescale="within six months",
            text=f"Recommendation {code} text.",
        )
    )
    db.session.commit()


@pytest.fixture
def baseline(inspection: Inspection, auditor: User) -> Inspection:
    """An audited baseline with R1 (linked to DA06) and R9 (no linked question in the set)."""
    base = factories.make_inspection("Inspection 2021", kind="full_inspection")
    _recommendation(base, "R1", "Initial contact", 1)
    _recommendation(base, "R9", "Police detention", 2)
    for ref in ("DA-2021-0001", "DA-2021-0002"):
        factories.make_case(
            base, ref, auditor=auditor, answers=_da(DA06="no"), status=CaseStatus.SUBMITTED
        )
    inspection.baseline_id = base.id
    db.session.commit()
    return base


@pytest.fixture
def known(inspection: Inspection, auditor: User, second_auditor: User, lead: User) -> Inspection:
    """Four audited domestic abuse cases, one draft, and a three-case telephone dip sample.

    Grades counted: DA-1 good (moderated), DA-2 inadequate (moderated), DA-3 requires
    improvement (submitted, so provisional), DA-4 computed good but moderated to requires
    improvement. DA06 (child seen): met in DA-1 and DA-4, partly in DA-3, not met in DA-2.
    """
    moderated = {"status": CaseStatus.MODERATED}
    factories.make_case(inspection, "DA-1", auditor=auditor, answers=_da(), **moderated)
    factories.make_case(inspection, "DA-2", auditor=auditor, answers=_da(DA06="no"), **moderated)
    factories.make_case(
        inspection,
        "DA-3",
        auditor=second_auditor,
        answers=_da(DA06="partly"),
        status=CaseStatus.SUBMITTED,
    )
    factories.make_case(inspection, "DA-4", auditor=second_auditor, answers=_da(), **moderated)
    factories.make_case(inspection, "DA-5", auditor=auditor, answers=_da(DA06="no"))
    for ref, final in (("DA-1", "good"), ("DA-2", "inadequate"), ("DA-4", "requires_improvement")):
        case = db.session.scalar(select(Case).where(Case.reference == ref))
        case.final_grade = final
    notes = {"DA-2": "Child not seen; no reason recorded.", "DA-3": "Seen, not spoken to."}
    for answer in db.session.scalars(select(Answer)):
        if answer.question_code == "DA06" and answer.case.reference in notes:
            answer.note = notes[answer.case.reference]
    for ref, value in (("TA-1", "yes"), ("TA-2", "yes"), ("TA-3", "no")):
        factories.make_case(
            inspection,
            ref,
            slug="da-telephone-appointment",
            auditor=auditor,
            answers={"TA01": value, "TA02": "na"},
            status=CaseStatus.SUBMITTED,
        )
    db.session.commit()
    return inspection


def _text(response: Any) -> str:
    """The page's main content as plain text with collapsed spaces."""
    page = response.get_data(as_text=True)
    return _text_of(page[page.find("<main") : page.find("</main>")])


def _text_of(markup: str) -> str:
    """Markup as plain text with collapsed spaces."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))).replace(" :", ":")


def _case_count(response: Any) -> int:
    match = re.search(r'id="case-count">(\d+) case', response.get_data(as_text=True))
    assert match, "no case count on the page"
    return int(match.group(1))


# --- dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_headline_with_intervals_and_provisional_label(
    login_as: Callable[[User], Any], known: Inspection, observer: User
) -> None:
    response = login_as(observer).get(f"/findings/inspections/{known.id}")
    assert response.status_code == 200
    text = _text(response)
    assert (
        "4 cases audited: 1 good (25%), 2 requires improvement (50%), 1 inadequate (25%) "
        "(provisional)" in text
    )
    assert "Provisional: 1 of the 4 counted grades are not yet moderated" in text
    assert "1 of 4 good: 25%, 95% CI 5%\u201370%" in text
    assert "2 of 4 requires improvement: 50%, 95% CI 15%\u201385%" in text
    assert "1 of 4 inadequate: 25%, 95% CI 5%\u201370%" in text


def test_dashboard_figures_by_case_type_auditor_and_progress(known: Inspection) -> None:
    dash = findings.dashboard(known.id)
    assert dash.provisional and dash.unmoderated == 1
    (by_type,) = dash.by_case_type
    assert (by_type.cases, [g.share.count for g in by_type.grades]) == (4, [1, 2, 1])
    by_auditor = {row.label: row for row in dash.by_auditor}
    assert [g.share.count for g in by_auditor["auditor"].grades] == [1, 0, 1]
    assert not by_auditor["auditor"].provisional
    assert [g.share.count for g in by_auditor["auditor2"].grades] == [0, 2, 0]
    assert by_auditor["auditor2"].provisional
    progress = {p.key: p for p in dash.progress}
    da = progress["domestic-abuse"]
    assert (da.sampled, da.in_progress, da.submitted, da.moderated) == (5, 1, 1, 3)
    ta = progress["da-telephone-appointment"]
    assert (ta.kind, ta.sampled, ta.submitted) == ("dip_sample", 3, 3)
    total = dash.progress_total
    assert (total.sampled, total.in_progress, total.submitted, total.moderated) == (8, 1, 4, 3)


def test_fully_moderated_figures_are_not_labelled_provisional(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    case = db.session.scalar(select(Case).where(Case.reference == "DA-3"))
    case.status, case.final_grade = CaseStatus.MODERATED, "requires_improvement"
    db.session.commit()
    text = _text(login_as(lead).get(f"/findings/inspections/{known.id}"))
    assert "(provisional)" not in text
    assert "Provisional" not in text
    assert "4 cases audited: 1 good (25%), 2 requires improvement (50%)" in text


def test_final_grade_is_used_where_moderated(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    client = login_as(lead)
    response = client.get(f"/findings/inspections/{known.id}/cases?grade=requires_improvement")
    text = _text(response)
    assert "DA-4" in text and "DA-3" in text and "DA-1" not in text
    assert "Requires improvement (provisional)" in text  # DA-3 is only submitted


def test_grade_click_through_lists_sum_to_the_numbers_shown(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    client = login_as(lead)
    dash = findings.dashboard(known.id)
    base = f"/findings/inspections/{known.id}/cases"
    listed = 0
    for grade in dash.overall.grades:
        count = _case_count(client.get(f"{base}?grade={grade.grade}"))
        assert count == grade.share.count
        listed += count
    assert listed == dash.overall.cases == _case_count(client.get(base))
    for row in dash.by_auditor:
        assert _case_count(client.get(f"{base}?auditor={row.key}")) == row.cases
        for grade in row.grades:
            page = client.get(f"{base}?auditor={row.key}&grade={grade.grade}")
            assert _case_count(page) == grade.share.count
    for row in dash.by_case_type:
        assert _case_count(client.get(f"{base}?case_type={row.key}")) == row.cases


def test_ungraded_submitted_case_is_listed_as_not_graded(
    login_as: Callable[[User], Any], inspection: Inspection, auditor: User, lead: User
) -> None:
    factories.make_case(inspection, "DA-X", auditor=auditor, status=CaseStatus.SUBMITTED)
    response = login_as(lead).get(f"/findings/inspections/{inspection.id}/cases")
    assert response.status_code == 200
    assert "DA-X" in _text(response) and "Not graded (provisional)" in _text(response)
    assert "1 not yet graded" in _text(login_as(lead).get(f"/findings/inspections/{inspection.id}"))


# --- per-question findings ----------------------------------------------------------------------


def test_question_figures_count_audited_cases_only(known: Inspection) -> None:
    sets = {s.case_type: s for s in findings.question_findings(known.id)}
    da06 = next(q for q in sets["domestic-abuse"].questions if q.code == "DA06")
    assert sets["domestic-abuse"].cases == 4  # the draft DA-5 is left out
    assert (da06.met, da06.partly_met, da06.not_met, da06.applicable) == (2, 1, 1, 4)
    assert da06.summary == "met in 2 of 4 applicable cases (1 partly met)"
    assert da06.share.text == "2 of 4: 50%, 95% CI 15%\u201385%"
    da12 = next(q for q in sets["domestic-abuse"].questions if q.code == "DA12")
    assert da12.applicable == 0  # MARAC shown only for high risk: hidden in every case


def test_questions_page_shows_counts_and_dip_samples_as_x_of_y(
    login_as: Callable[[User], Any], known: Inspection, auditor: User
) -> None:
    text = _text(login_as(auditor).get(f"/findings/inspections/{known.id}/questions"))
    assert "met in 2 of 4 applicable cases (1 partly met)" in text
    assert "Dip sample" in text
    assert "TA01: Was a telephone appointment appropriate" in text
    # A dip sample's questions are not graded: "yes in x of y", no met words, no interval.
    telephone = text[text.find("TA01:") : text.find("TA02:")]
    assert "Yes in 2 of 3 cases" in telephone
    assert "CI" not in telephone and "met" not in telephone


def test_questions_page_tags_a_conditionally_critical_question_with_its_condition(
    login_as: Callable[[User], Any], inspection: Inspection, auditor: User
) -> None:
    # Missing child version 2: MC07 (search resources within 90 minutes) is critical only for
    # a child graded high risk (MC02); MC03 is always critical.
    data = next(qs for qs in load_library() if qs.case_type == "missing-child" and qs.version == 2)
    row = import_question_set(dump_question_set(data), filename="missing-child_v2.yaml")
    answers = {"MC01": "2022-08-01T18:00", "MC02": "medium", "MC03": "yes"}
    factories.make_case(
        inspection,
        "MC-1",
        auditor=auditor,
        answers={**answers, "MC06": "2022-08-01T19:00"},
        status=CaseStatus.SUBMITTED,
        question_set_row=row,
    )

    page = login_as(auditor).get(f"/findings/inspections/{inspection.id}/questions")
    markup = page.get_data(as_text=True)

    def tags(code: str) -> list[str]:
        cell = re.search(rf'id="q-{row.id}-{code}">\s*<th[^>]*>(.*?)</th>', markup, re.S)
        assert cell, f"no row for {code}"
        return [_text_of(tag) for tag in re.findall(r'class="govuk-tag[^"]*">(.*?)<', cell[1])]

    assert tags("MC07") == ["Critical when MC02 is High"]
    assert tags("MC03") == ["Critical"]
    assert tags("MC05") == []


def test_question_click_through_lists_sum_to_the_numbers_shown(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    client = login_as(lead)
    sets = findings.question_findings(known.id)
    for found in sets:
        for q in found.questions:
            if not q.applicable:
                continue
            base = f"/findings/inspections/{known.id}/questions/{q.question_set_id}/{q.code}"
            counts = {
                outcome: _case_count(client.get(f"{base}/{outcome}"))
                for outcome in ("met", "partly_met", "not_met", "applicable")
            }
            assert (counts["met"], counts["partly_met"], counts["not_met"]) == (
                q.met,
                q.partly_met,
                q.not_met,
            )
            assert counts["met"] + counts["partly_met"] + counts["not_met"] == counts["applicable"]
            assert counts["applicable"] == q.applicable


def test_case_list_behind_a_question_shows_the_auditors_notes(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    set_id = next(s.question_set_id for s in findings.question_findings(known.id))
    response = login_as(lead).get(
        f"/findings/inspections/{known.id}/questions/{set_id}/DA06/not_met"
    )
    text = _text(response)
    assert "DA-2" in text and "Child not seen; no reason recorded." in text
    assert "DA-3" not in text


def test_unknown_question_or_outcome_is_not_found(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    client = login_as(lead)
    set_id = next(s.question_set_id for s in findings.question_findings(known.id))
    base = f"/findings/inspections/{known.id}/questions/{set_id}"
    assert client.get(f"{base}/DA99/met").status_code == 404
    assert client.get(f"{base}/DA06/excellent").status_code == 404


def test_second_auditor_does_not_see_the_first_audit_of_their_case(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    blind = factories.make_member(known, "blind@example.test", InspectionRole.AUDITOR)
    case = db.session.scalar(select(Case).where(Case.reference == "DA-2"))
    db.session.add(SecondAudit(case_id=case.id, auditor_id=blind.id, requested_by_id=lead.id))
    db.session.commit()
    client = login_as(blind)
    set_id = next(s.question_set_id for s in findings.question_findings(known.id))
    listed = client.get(f"/findings/inspections/{known.id}/questions/{set_id}/DA06/not_met")
    assert "DA-2" not in _text(listed) and "second-auditing" in _text(listed)
    recs = _text(client.get(f"/findings/inspections/{known.id}/recommendations"))
    assert "Child not seen; no reason recorded." not in recs
    assert "Seen, not spoken to." in recs  # other cases' notes stay visible
    lead_view = login_as(lead).get(f"/findings/inspections/{known.id}/recommendations")
    assert "Child not seen; no reason recorded." in _text(lead_view)


# --- recommendations ----------------------------------------------------------------------------


def test_recommendation_progress_compares_with_the_audited_baseline(
    known: Inspection, baseline: Inspection
) -> None:
    # Worked by hand. Now (4 audited cases): DA06 2 met, 1 partly, 1 not = 2.5/4 = 62.5%;
    # DA07 4 of 4 = 100%; mean 81.25%. Baseline (2 cases): DA06 0 of 2 = 0%, DA07 2 of 2 =
    # 100%; mean 50%. Change +31.25 points, shown +31.2 (towards zero).
    progress = findings.recommendation_progress(db.session.get(Inspection, known.id))
    rows = {row.code: row for row in progress.rows}
    r1 = rows["R1"]
    assert progress.baseline_audited_cases == 2 and progress.min_cases == 5
    assert [q.question_id for q in r1.questions] == ["DA06", "DA07"]
    assert [q.use for q in r1.questions] == [QuestionUse.COMPARED, QuestionUse.COMPARED]
    assert r1.now_rate == Fraction(13, 16) and r1.now_percent == Decimal("81.2")
    assert r1.baseline_rate == Fraction(1, 2) and r1.baseline_computed
    assert r1.change == Fraction(5, 16) and r1.change_points == Decimal("31.2")
    assert (r1.figures.now_cases, r1.figures.baseline_cases) == (4, 2)
    # Two baseline cases are too few to judge on (the default minimum is 5 on each side).
    assert r1.suggestion.judgement == "insufficient_evidence"
    assert r1.suggestion.reason == (
        "2 cases at the baseline and 4 cases now, and at least 5 cases are needed on each side."
    )
    assert [(w.reference, str(w.outcome), w.note) for w in r1.weak_answers] == [
        ("DA-2", "not_met", "Child not seen; no reason recorded."),
        ("DA-3", "partly_met", "Seen, not spoken to."),
    ]
    da06 = r1.questions[0]
    assert (da06.baseline_met, da06.baseline_applicable) == (0, 2)
    assert (da06.now_text, da06.baseline_text, da06.change_text) == ("62.5%", "0%", "+62.5 points")
    assert rows["R9"].applicable == 0 and rows["R9"].suggestion.judgement == "not_assessed"


def test_an_inspection_with_a_lower_minimum_gets_a_suggestion(
    known: Inspection, baseline: Inspection
) -> None:
    known.progress_min_cases = 2
    db.session.commit()
    r1 = findings.recommendation_progress(db.session.get(Inspection, known.id)).rows[0]
    assert r1.suggestion.judgement == "good_progress"
    assert r1.suggestion.reason == (
        "Met rate 81.2% now against 50% at the baseline, a change of +31.2 points: 81.2% is at "
        "least 80%, and it has not fallen by 5 points or more."
    )


def test_a_question_the_baseline_never_asked_is_new_evidence_outside_the_change(
    known: Inspection, baseline: Inspection, auditor: User
) -> None:
    # The baseline audited domestic abuse cases only; link a telephone dip-sample question to
    # R1 in the review by giving the baseline no telephone cases: TA01 is new evidence.
    ta01 = db.session.scalar(
        select(Question).where(Question.code == "TA01").order_by(Question.id.desc())
    )
    ta01.recommendation_codes = ["R1"]
    known.progress_min_cases = 2
    db.session.commit()
    r1 = findings.recommendation_progress(db.session.get(Inspection, known.id)).rows[0]
    uses = {q.question_id: q.use for q in r1.questions}
    assert uses == {
        "DA06": QuestionUse.COMPARED,
        "DA07": QuestionUse.COMPARED,
        "TA01": QuestionUse.NEW_EVIDENCE,
    }
    ta = next(q for q in r1.questions if q.question_id == "TA01")
    assert (ta.met, ta.applicable, ta.now_text) == (2, 3, "66.6%")
    assert "Not asked at the baseline" in ta.note
    # Unchanged by TA01's 66.6%: the change is over DA06 and DA07 only.
    assert r1.now_rate == Fraction(13, 16) and r1.change_points == Decimal("31.2")
    assert r1.figures.now_cases == 4  # the telephone cases are not in the comparison


def test_recommendations_page_shows_rates_change_suggestion_and_chart(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, observer: User
) -> None:
    response = login_as(observer).get(f"/findings/inspections/{known.id}/recommendations")
    text = _text(response)
    page = response.get_data(as_text=True)
    assert (
        "R1 Initial contact 50% 81.2% +31.2 points 2 at the baseline, 4 now "
        "Insufficient evidence to judge Not yet assessed" in text
    )
    assert "81.2%: the mean of 2 questions' rates over 4 cases" in text
    assert "met in 2 of 4 applicable cases (1 partly met): 62.5%" in text
    assert "met in 0 of 2 applicable cases: 0%" in text
    assert "at least 5 needed on each side" in text
    assert "50% to 81.2%, +31.2 points" in text  # the chart's labels
    assert "Seen, not spoken to." in text
    assert 'class="app-bar app-bar--now app-w-81"' in page
    assert 'class="app-bar app-bar--baseline app-w-50"' in page
    assert "Record judgement" not in text  # observers do not judge


def test_progress_page_lists_a_few_weak_answers_and_links_to_them_all(
    login_as: Callable[[User], Any],
    known: Inspection,
    baseline: Inspection,
    observer: User,
    lead: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(findings_routes, "WEAK_ANSWERS_SHOWN", 1)
    rec = db.session.scalar(select(Recommendation).where(Recommendation.code == "R1"))
    client = login_as(observer)
    page = client.get(f"/findings/inspections/{known.id}/recommendations").get_data(as_text=True)
    r1 = _text_of(page.split('id="rec-R1"')[1].split("</section>")[0])
    assert "2 weak answers (not met or partly met)" in r1
    assert "Child not seen; no reason recorded." in r1  # the first, by case reference
    assert "Seen, not spoken to." not in r1
    assert "See all 2 weak answers for R1" in r1
    full = _text(
        client.get(f"/findings/inspections/{known.id}/recommendations/{rec.id}/weak-answers")
    )
    assert "2 answers not met or partly met, to the questions evidencing R1" in full
    assert "DA-2 DA06 Not met Child not seen; no reason recorded." in full
    assert "DA-3 DA06 Partly met Seen, not spoken to." in full
    # A second auditor does not see the first audit of their case here either.
    blind = factories.make_member(known, "blind@example.test", InspectionRole.AUDITOR)
    case = db.session.scalar(select(Case).where(Case.reference == "DA-2"))
    db.session.add(SecondAudit(case_id=case.id, auditor_id=blind.id, requested_by_id=lead.id))
    db.session.commit()
    withheld = _text(
        login_as(blind).get(
            f"/findings/inspections/{known.id}/recommendations/{rec.id}/weak-answers"
        )
    )
    assert "DA-2" not in withheld and "second-auditing" in withheld
    missing = f"/findings/inspections/{known.id}/recommendations/999999/weak-answers"
    assert client.get(missing).status_code == 404


def test_progress_for_a_page_reads_only_the_first_weak_answers_and_counts_them_all(
    known: Inspection, baseline: Inspection
) -> None:
    # R1's weak answers, worst first: DA-2 not met, then DA-3 partly met (both DA06).
    review = db.session.get(Inspection, known.id)
    full = {r.code: r for r in findings.recommendation_progress(review).rows}
    assert [w.reference for w in full["R1"].weak_answers] == ["DA-2", "DA-3"]
    for shown in (0, 1, 2, 3):
        page = {r.code: r for r in findings.recommendation_progress(review, weak_shown=shown).rows}
        for code, row in full.items():
            assert page[code].weak_answers == row.weak_answers[:shown]
            assert page[code].weak_answer_count == len(row.weak_answers) == row.weak_answer_count
            assert page[code].figures == row.figures
    da2 = db.session.scalar(select(Case.id).where(Case.reference == "DA-2"))
    hidden = findings.recommendation_progress(review, frozenset({da2}), weak_shown=1).rows[0]
    assert [w.reference for w in hidden.weak_answers] == ["DA-3"]
    assert hidden.weak_answer_count == 1


def test_lead_records_judgement_and_it_is_audit_logged(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    rec = db.session.scalar(select(Recommendation).where(Recommendation.code == "R1"))
    client = login_as(lead)
    path = f"/findings/inspections/{known.id}/recommendations/{rec.id}/judgement"
    form_page = _text(client.get(path))
    assert "Suggested judgement Insufficient evidence to judge" in form_page
    assert "Insufficient evidence to judge" not in form_page.split("Progress on this")[1]
    response = client.post_form(
        path, {"judgement": "reasonable_progress", "narrative": "Children are seen more often."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#rec-R1")
    text = _text(client.get(f"/findings/inspections/{known.id}/recommendations"))
    assert "+31.2 points 2 at the baseline, 4 now Insufficient evidence to judge Reasonable" in text
    assert "Children are seen more often." in text
    events = logged_events(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "recommendation_judgement")
        ).all()
    )
    assert {(e.field, e.new_value) for e in events} >= {
        ("judgement", "reasonable_progress"),
        ("narrative", "Children are seen more often."),
    }
    assert all(e.user_id == lead.id and e.inspection_id == known.id for e in events)


def test_lead_cannot_record_insufficient_evidence_which_is_only_suggested(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    rec = db.session.scalar(select(Recommendation).where(Recommendation.code == "R1"))
    path = f"/findings/inspections/{known.id}/recommendations/{rec.id}/judgement"
    response = login_as(lead).post_form(path, {"judgement": "insufficient_evidence"})
    assert response.status_code == 200
    assert db.session.scalar(select(RecommendationJudgement)) is None
    with pytest.raises(findings.FindingsError):
        findings.record_recommendation_judgement(
            known, rec, lead, judgement="insufficient_evidence", narrative=""
        )


def test_lead_enters_baseline_rate_with_source_when_baseline_was_not_audited(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    base = factories.make_inspection("Inspection 2019", kind="full_inspection")
    _recommendation(base, "R1", "Initial contact", 1)
    known.baseline_id = base.id
    db.session.commit()
    rec = db.session.scalar(select(Recommendation).where(Recommendation.inspection_id == base.id))
    client = login_as(lead)
    path = f"/findings/inspections/{known.id}/recommendations/{rec.id}/judgement"
    missing_source = client.post_form(
        path,
        {"judgement": "not_assessed", "baseline_rate": "40", "baseline_source": ""},
    )
    assert missing_source.status_code == 200
    assert "<title>Error: Judgement on R1" in missing_source.get_data(as_text=True)
    assert "Say where the baseline rate comes from" in _text(missing_source)
    assert "Say how many cases the baseline rate came from" in _text(missing_source)
    assert db.session.scalar(select(RecommendationJudgement)) is None
    saved = client.post_form(
        path,
        {
            "judgement": "not_assessed",
            "baseline_rate": "40",
            "baseline_cases": "20",
            "baseline_source": "2019 report p.7",
        },
    )
    assert saved.status_code == 302
    row = findings.recommendation_progress(db.session.get(Inspection, known.id)).rows[0]
    assert row.baseline_rate == Fraction(2, 5) and not row.baseline_computed
    assert row.figures.baseline_entered and row.figures.baseline_cases == 20
    assert row.baseline_source == "2019 report p.7"
    assert row.change_points == Decimal("41.2")  # 81.25% now - 40%
    # 4 cases now are fewer than the 5 needed on each side.
    assert row.suggestion.judgement == "insufficient_evidence"
    stored = db.session.scalar(select(RecommendationJudgement))
    assert stored is not None and stored.judged_by_id == lead.id and stored.baseline_cases == 20


def test_service_refuses_an_entered_baseline_without_its_cases(
    known: Inspection, lead: User
) -> None:
    base = factories.make_inspection("Inspection 2019", kind="full_inspection")
    _recommendation(base, "R1", "Initial contact", 1)
    known.baseline_id = base.id
    db.session.commit()
    rec = db.session.scalar(select(Recommendation).where(Recommendation.inspection_id == base.id))
    with pytest.raises(findings.FindingsError, match="how many cases"):
        findings.record_recommendation_judgement(
            known, rec, lead, judgement="not_assessed", narrative="",
            baseline_rate=0.4, baseline_source="2019 report",
        )  # fmt: skip
    assert db.session.scalar(select(RecommendationJudgement)) is None


@pytest.mark.parametrize("who", ["auditor", "observer"])
def test_only_leads_record_judgements(
    request: pytest.FixtureRequest,
    login_as: Callable[[User], Any],
    known: Inspection,
    baseline: Inspection,
    who: str,
) -> None:
    rec = db.session.scalar(select(Recommendation).where(Recommendation.code == "R1"))
    client = login_as(request.getfixturevalue(who))
    path = f"/findings/inspections/{known.id}/recommendations/{rec.id}/judgement"
    assert client.get(path).status_code == 403
    assert client.post_form(path, {"judgement": "good_progress"}).status_code == 403
    assert db.session.scalar(select(RecommendationJudgement)) is None


def test_recommendation_of_another_inspection_is_not_found(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    other = factories.make_inspection("Elsewhere 2020")
    _recommendation(other, "R1", "Initial contact", 1)
    rec = db.session.scalar(select(Recommendation).where(Recommendation.inspection_id == other.id))
    path = f"/findings/inspections/{known.id}/recommendations/{rec.id}/judgement"
    assert login_as(lead).get(path).status_code == 404


def test_inspection_without_baseline_says_there_is_nothing_to_follow_up(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    text = _text(login_as(lead).get(f"/findings/inspections/{known.id}/recommendations"))
    assert "does not follow up an earlier one" in text


# --- chapters and case studies ------------------------------------------------------------------


def test_chapter_on_too_few_cases_has_not_enough_evidence_by_default(
    known: Inspection, baseline: Inspection
) -> None:
    # DA06 and DA07 apply to the four audited cases: below the default minimum of 5.
    result = findings.chapter_findings(db.session.get(Inspection, known.id))
    chapters = {c.chapter: c for c in result.chapters}
    initial = chapters["Initial contact"]
    assert result.rule.min_applicable == 5
    assert initial.judgement is None
    assert initial.judgement_label == "Not enough evidence"
    assert [k.question_id for k in initial.suggestion.insufficient] == ["DA06", "DA07"]
    assert initial.suggestion.reason == (
        "None of its 2 key questions has at least 5 applicable cases (the most is 4): each is "
        "insufficient evidence, so there is not enough evidence to judge the chapter."
    )
    assert chapters["Police detention"].judgement is None


def test_chapter_suggestion_names_its_deciding_question_at_the_leads_minimum(
    known: Inspection, baseline: Inspection, lead: User
) -> None:
    inspection = db.session.get(Inspection, known.id)
    findings.update_chapter_rule(inspection, lead, ChapterRule(min_applicable=4))
    result = findings.chapter_findings(inspection)
    initial = next(c for c in result.chapters if c.chapter == "Initial contact")
    assert initial.suggestion.deciding is not None
    assert initial.suggestion.deciding.question_id == "DA06"  # 2 of 4 met: 50%
    assert initial.judgement == "requires_improvement"
    assert initial.suggestion.reason == (
        "Decided by the lowest of its 2 key questions with at least 4 applicable cases: DA06 met "
        "in 2 of 4 applicable cases (50%), at least 50% and below 65%, so requires improvement."
    )


def test_chapters_page_marks_key_questions_with_too_few_cases(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, observer: User
) -> None:
    response = login_as(observer).get(f"/findings/inspections/{known.id}/chapters")
    assert response.status_code == 200
    text = _text(response)
    assert "A key question needs at least 5 applicable cases" in text
    assert (
        "Initial contact Not enough evidence None of its 2 key questions has at least 5 "
        "applicable cases (the most is 4): each is insufficient evidence, so there is not enough "
        "evidence to judge the chapter." in text
    )
    assert (
        "(Domestic abuse incident with children present or linked): met in 2 of 4 applicable "
        "cases (50%). Insufficient evidence (below the minimum of 5)" in text
    )
    assert "Police detention Not enough evidence No key question is linked to this chapter" in (
        text
    )


def test_lead_lowers_the_minimum_and_the_page_states_the_figures_compared(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    client = login_as(lead)
    path = f"/findings/inspections/{known.id}/chapters/rule"
    form = client.get(path).get_data(as_text=True)
    assert re.search(r'name="min_applicable"[^>]*value="5"', form)
    saved = client.post_form(
        path,
        {
            "enabled": "y",
            "outstanding": "80",
            "good": "65",
            "requires_improvement": "50",
            "min_applicable": "4",
        },
    )
    assert saved.status_code == 302
    text = _text(client.get(f"/findings/inspections/{known.id}/chapters"))
    assert "A key question needs at least 4 applicable cases" in text
    assert (
        "Initial contact Requires improvement Decided by the lowest of its 2 key questions with "
        "at least 4 applicable cases: DA06 met in 2 of 4 applicable cases (50%), at least 50% "
        "and below 65%, so requires improvement." in text
    )
    assert "Decides the chapter" in text
    stored = db.session.get(Inspection, known.id).chapter_rule
    assert stored is not None and stored["min_applicable"] == 4


def test_a_rule_a_lead_saved_keeps_its_minimum(known: Inspection, baseline: Inspection) -> None:
    """A lead's stored rule is never moved to the new default; only an untouched one is."""
    inspection = db.session.get(Inspection, known.id)
    assert inspection.chapter_rule is None
    assert findings.chapter_rule(inspection).min_applicable == 5
    inspection.chapter_rule = {"enabled": True, "min_applicable": 1}
    db.session.commit()
    assert findings.chapter_rule(inspection).min_applicable == 1
    initial = next(
        c for c in findings.chapter_findings(inspection).chapters if c.chapter == "Initial contact"
    )
    assert initial.judgement == "requires_improvement"


def test_lead_overrides_a_chapter_with_a_reason_and_can_restore_it(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    client = login_as(lead)
    path = f"/findings/inspections/{known.id}/chapters/judgement?chapter=Initial+contact"
    no_reason = client.post_form(path, {"judgement": "inadequate", "reason": ""})
    assert "Give a reason for the judgement" in _text(no_reason)
    assert (
        client.post_form(path, {"judgement": "inadequate", "reason": "Diary gaps."}).status_code
        == 302
    )
    text = _text(client.get(f"/findings/inspections/{known.id}/chapters"))
    assert "Initial contact Not enough evidence None of its 2 key questions" in text
    assert "Inadequate Overridden by lead: Diary gaps." in text
    assert db.session.scalar(select(ChapterJudgement)) is not None
    assert client.post_form(path, {"judgement": "", "reason": ""}).status_code == 302
    assert db.session.scalar(select(ChapterJudgement)) is None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"record_chapter_judgement", "clear_chapter_judgement"} <= actions


def test_lead_can_switch_the_chapter_rule_off_and_change_thresholds(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    client = login_as(lead)
    path = f"/findings/inspections/{known.id}/chapters/rule"
    bad = client.post_form(
        path,
        {"outstanding": "60", "good": "65", "requires_improvement": "50", "min_applicable": "1"},
    )
    assert "Thresholds must rise" in _text(bad)
    ok = client.post_form(
        path,
        {"outstanding": "90", "good": "70", "requires_improvement": "40", "min_applicable": "1"},
    )
    assert ok.status_code == 302
    text = _text(client.get(f"/findings/inspections/{known.id}/chapters"))
    assert "switched off" in text  # the unticked box switches the rule off
    client.post_form(
        path,
        {
            "enabled": "y",
            "outstanding": "90",
            "good": "70",
            "requires_improvement": "40",
            "min_applicable": "1",
        },
    )
    text = _text(client.get(f"/findings/inspections/{known.id}/chapters"))
    assert "at least 90% outstanding, 70% good, 40% requires improvement" in text
    assert "Initial contact Requires improvement" in text  # 50% >= 40%


def test_case_studies_are_grouped_by_chapter(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, observer: User
) -> None:
    case = db.session.scalar(select(Case).where(Case.reference == "DA-1"))
    case.is_case_study = True
    case.case_study_narrative = "Officers spoke with both children and recorded their views."
    db.session.commit()
    text = _text(login_as(observer).get(f"/findings/inspections/{known.id}/case-studies"))
    assert "Initial contact Case study: DA-1" in text
    assert "Officers spoke with both children and recorded their views." in text


# --- gates and query counts ---------------------------------------------------------------------

READ_PAGES = [
    "",
    "/cases?grade=good",
    "/questions",
    "/recommendations",
    "/chapters",
    "/case-studies",
]
LEAD_PAGES = ["/chapters/rule", "/chapters/judgement?chapter=Initial+contact"]


def test_non_members_get_not_found_and_anonymous_users_sign_in(
    client: Any,
    login_as: Callable[[User], Any],
    known: Inspection,
    baseline: Inspection,
    outsider: User,
) -> None:
    member_of_other = login_as(outsider)
    for page in READ_PAGES + LEAD_PAGES:
        path = f"/findings/inspections/{known.id}{page}"
        anonymous = client.get(path)
        assert anonymous.status_code == 302, page
        assert "/auth/login" in anonymous.headers["Location"]
        assert member_of_other.get(path).status_code == 404, page


@pytest.mark.parametrize("who", ["lead", "auditor", "observer"])
def test_every_member_can_read_the_findings(
    request: pytest.FixtureRequest,
    login_as: Callable[[User], Any],
    known: Inspection,
    baseline: Inspection,
    who: str,
) -> None:
    member = login_as(request.getfixturevalue(who))
    for page in READ_PAGES:
        assert member.get(f"/findings/inspections/{known.id}{page}").status_code == 200, page


@pytest.mark.parametrize("who", ["auditor", "observer"])
def test_only_leads_reach_the_judgement_and_rule_forms(
    request: pytest.FixtureRequest,
    login_as: Callable[[User], Any],
    known: Inspection,
    baseline: Inspection,
    lead: User,
    who: str,
) -> None:
    member = login_as(request.getfixturevalue(who))
    for page in LEAD_PAGES:
        path = f"/findings/inspections/{known.id}{page}"
        assert member.get(path).status_code == 403, page
        assert member.post_form(path, {"judgement": "good", "reason": "x"}).status_code == 403
    assert db.session.scalar(select(ChapterJudgement)) is None
    lead_client = login_as(lead)
    for page in LEAD_PAGES:
        assert lead_client.get(f"/findings/inspections/{known.id}{page}").status_code == 200


@pytest.fixture
def count_statements() -> Iterator[list[str]]:
    """Collect every SQL statement sent while the fixture is active."""
    statements: list[str] = []

    def _record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", _record)


def _add_cases(inspection: Inspection, auditor: User, first: int, count: int) -> None:
    for n in range(first, first + count):
        factories.make_case(
            inspection,
            f"DA-Q{n:03d}",
            auditor=auditor,
            answers=_da(DA06="no" if n % 3 else "yes"),
            status=CaseStatus.SUBMITTED,
        )


def test_sql_statement_count_does_not_grow_with_the_number_of_cases(
    login_as: Callable[[User], Any],
    inspection: Inspection,
    baseline: Inspection,
    lead: User,
    auditor: User,
    count_statements: list[str],
) -> None:
    client = login_as(lead)
    pages = ["", "/questions", "/recommendations", "/chapters", "/case-studies"]

    def statements_per_page() -> list[int]:
        counts = []
        for page in pages:
            count_statements.clear()
            assert client.get(f"/findings/inspections/{inspection.id}{page}").status_code == 200
            counts.append(len(count_statements))
        return counts

    _add_cases(inspection, auditor, 1, 2)
    few = statements_per_page()
    _add_cases(inspection, auditor, 3, 10)
    assert statements_per_page() == few, "statements grew with the number of cases"


def test_inspection_overview_links_to_the_findings(
    login_as: Callable[[User], Any], inspection: Inspection, observer: User
) -> None:
    page = login_as(observer).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert f"/findings/inspections/{inspection.id}" in page


def test_auditors_with_the_same_name_keep_separate_figures(inspection: Inspection) -> None:
    first = factories.make_member(inspection, "sam.a@example.test", InspectionRole.AUDITOR)
    second = factories.make_member(inspection, "sam.b@example.test", InspectionRole.AUDITOR)
    first.name = second.name = "Sam"
    db.session.commit()
    factories.make_case(inspection, "DA-71", auditor=first, status=CaseStatus.SUBMITTED)
    factories.make_case(inspection, "DA-72", auditor=second, status=CaseStatus.SUBMITTED)
    labels = sorted(row.label for row in findings.dashboard(inspection.id).by_auditor)
    assert labels == ["Sam (sam.a@example.test)", "Sam (sam.b@example.test)"]


# --- national view ------------------------------------------------------------------------------


@pytest.fixture
def two_inspections(known: Inspection, other_inspection: Inspection, lead: User) -> Inspection:
    """`known` (4 audited cases) and another inspection with 2 moderated cases, one lead."""
    factories.add_member(other_inspection, lead, InspectionRole.LEAD)
    for ref, final in (("O-1", "good"), ("O-2", "inadequate")):
        factories.make_case(
            other_inspection, ref, answers=_da(), status=CaseStatus.MODERATED, final_grade=final
        )
    factories.make_case(other_inspection, "O-3", answers=_da())  # a draft: not counted
    return other_inspection


def _national_rows(response: Any) -> list[list[str]]:
    """The national table's body rows, each as the text of its cells."""
    page = response.get_data(as_text=True)
    table = page[page.find('id="national-grades"') :]
    table = table[: table.find("</table>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def test_national_view_shows_each_inspections_grades_and_the_total(
    login_as: Callable[[User], Any], known: Inspection, two_inspections: Inspection, lead: User
) -> None:
    response = login_as(lead).get("/findings/national")
    assert response.status_code == 200
    text = _text(response)
    assert (
        "6 cases audited: 2 good (33%), 2 requires improvement (33%), 2 inadequate (33%) "
        "(provisional)" in text
    )
    # Newest first, as on the home page: both start on the same day, so the later-created leads.
    assert _national_rows(response) == [
        [
            "Another force's review 2 cases audited: 1 good (50%), 0 requires improvement (0%), "
            "1 inadequate (50%)",
            "Testshire Constabulary",
            "2",
            "1 (50%)",
            "0 (0%)",
            "1 (50%)",
            "0",
        ],
        [
            "Review 2022 Provisional 4 cases audited: 1 good (25%), 2 requires improvement "
            "(50%), 1 inadequate (25%)",
            "Testshire Constabulary",
            "4",
            "1 (25%)",
            "2 (50%)",
            "1 (25%)",
            "0",
        ],
        ["All 2 inspections", "", "6", "2 (33%)", "2 (33%)", "2 (33%)", "0"],
    ]
    # A member's row links to that inspection's dashboard.
    assert f'href="/findings/inspections/{known.id}"' in response.get_data(as_text=True)


def test_national_figures_match_each_inspections_dashboard(
    known: Inspection, two_inspections: Inspection
) -> None:
    ids = [known.id, two_inspections.id]
    national = findings.national_findings(ids)
    assert [row.inspection_id for row in national.inspections] == ids
    for row in national.inspections:
        board = findings.dashboard(row.inspection_id)
        assert row.headline == board.headline
        assert row.provisional_grades == board.provisional_grades
        assert row.grades.grades == board.overall.grades
        assert (row.grades.cases, row.grades.ungraded) == (board.overall.cases, 0)
    assert national.total.grades.cases == 6
    assert findings.national_findings([]).total.headline == "No cases audited"


def test_national_view_leaves_out_inspections_the_user_is_not_a_member_of(
    login_as: Callable[[User], Any],
    known: Inspection,
    other_inspection: Inspection,
    outsider: User,
    observer: User,
) -> None:
    factories.make_case(
        other_inspection, "O-1", answers=_da(), status=CaseStatus.MODERATED, final_grade="good"
    )
    outside = login_as(outsider).get("/findings/national")
    assert outside.status_code == 200
    rows = _national_rows(outside)
    assert [row[0].split(" 1 case")[0] for row in rows] == [
        "Another force's review",
        "All 1 inspections",
    ]
    assert "Review 2022" not in _text(outside) and "4 cases audited" not in _text(outside)
    inside = login_as(observer).get("/findings/national")
    assert [row[0].split(" Provisional")[0] for row in _national_rows(inside)] == [
        "Review 2022",
        "All 1 inspections",
    ]
    assert "Another force" not in _text(inside) and "1 case audited" not in _text(inside)


def test_admin_sees_every_inspection_in_the_national_view(
    login_as: Callable[[User], Any],
    known: Inspection,
    two_inspections: Inspection,
    admin: User,
) -> None:
    response = login_as(admin).get("/findings/national")
    rows = _national_rows(response)
    assert [row[0].split(" Provisional")[0].split(" 2 cases")[0] for row in rows] == [
        "Another force's review",  # newest first, as on the home page
        "Review 2022",
        "All 2 inspections",
    ]
    # Not a member: rows link to the inspection overview, which admins may open.
    assert f'href="/inspections/{known.id}"' in response.get_data(as_text=True)
    assert f'href="/findings/inspections/{known.id}"' not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/findings/national", "/findings/national/questions"])
def test_national_pages_need_sign_in_and_say_when_there_is_nothing(
    client: Any, login_as: Callable[[User], Any], path: str
) -> None:
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert "/auth/login" in anonymous.headers["Location"]
    loner = factories.make_user("loner@example.test")
    text = _text(login_as(loner).get(path))
    assert "There are no inspections you can see yet." in text


def test_home_page_links_to_the_national_view_for_leads_of_several_inspections(
    login_as: Callable[[User], Any], two_inspections: Inspection, lead: User, observer: User
) -> None:
    assert "/findings/national" in login_as(lead).get("/").get_data(as_text=True)
    assert "/findings/national" not in login_as(observer).get("/").get_data(as_text=True)


# --- national question findings -----------------------------------------------------------------


def test_national_question_figures_sum_the_inspections(
    known: Inspection, two_inspections: Inspection
) -> None:
    ids = [known.id, two_inspections.id]
    sets = {s.case_type: s for s in findings.national_question_findings(ids)}
    da = sets["domestic-abuse"]
    da06 = next(q for q in da.questions if q.code == "DA06")
    assert da.cases == 6  # 4 + 2 audited; both drafts left out
    assert (da06.met, da06.partly_met, da06.not_met, da06.applicable) == (4, 1, 1, 6)
    assert da06.summary == "met in 4 of 6 applicable cases (1 partly met)"
    assert sets["da-telephone-appointment"].cases == 3  # only `known` has dip samples
    # Per question, the national figures are the sum of each inspection's.
    each = [findings.question_findings(i) for i in ids]
    for found in sets.values():
        for question in found.questions:
            alone = [
                q
                for sets_of_one in each
                for s in sets_of_one
                if s.question_set_id == found.question_set_id
                for q in s.questions
                if q.code == question.code
            ]
            for outcome in ("met", "partly_met", "not_met", "not_applicable", "recorded"):
                assert getattr(question, outcome) == sum(getattr(q, outcome) for q in alone)
    assert findings.national_question_findings([known.id]) == findings.question_findings(known.id)
    assert findings.national_question_findings([]) == []


def test_national_questions_page_shows_the_summed_figures_without_case_links(
    login_as: Callable[[User], Any], known: Inspection, two_inspections: Inspection, lead: User
) -> None:
    response = login_as(lead).get("/findings/national/questions")
    assert response.status_code == 200
    text = _text(response)
    assert "audited (submitted or moderated) cases of the 2 inspections you can see" in text
    assert "6 audited cases" in text
    assert "met in 4 of 6 applicable cases (1 partly met)" in text
    assert "4 of 6: 67%" in text
    assert "Dip sample" in text and "Yes in 2 of 3 cases" in text  # not graded: no "met"
    assert "/findings/inspections/" not in response.get_data(as_text=True)
    national = login_as(lead).get("/findings/national").get_data(as_text=True)
    assert 'href="/findings/national/questions"' in national


def test_national_questions_page_leaves_out_inspections_the_user_is_not_a_member_of(
    login_as: Callable[[User], Any],
    known: Inspection,
    other_inspection: Inspection,
    outsider: User,
    observer: User,
) -> None:
    factories.make_case(
        other_inspection, "O-1", answers=_da(), status=CaseStatus.MODERATED, final_grade="good"
    )
    outside = _text(login_as(outsider).get("/findings/national/questions"))
    assert "of the 1 inspection you can see" in outside
    assert "1 audited case." in outside and "met in 1 of 1 applicable case" in outside
    assert "Dip sample" not in outside  # `known`'s telephone appointments are not counted
    inside = _text(login_as(observer).get("/findings/national/questions"))
    assert "4 audited cases" in inside
    assert "met in 2 of 4 applicable cases (1 partly met)" in inside


def test_a_blank_chapter_judgement_means_the_suggestion_not_a_server_error(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    """Found by the hostile-input test: " " passed Optional() and reached ChapterGrade(" ")."""
    client = login_as(lead)
    path = f"/findings/inspections/{known.id}/chapters/judgement?chapter=Initial+contact"
    response = client.post_form(path, {"judgement": " ", "reason": "x"})
    assert response.status_code == 302
    assert db.session.scalar(select(ChapterJudgement)) is None
    refused = client.post_form(path, {"judgement": "splendid", "reason": "x"})
    assert refused.status_code == 200
    assert "Not a valid choice" in _text(refused)


# --- searching the case lists behind the figures ------------------------------------------------


def test_graded_case_list_finds_a_reference_and_keeps_the_figures_count(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    client = login_as(lead)
    base = f"/findings/inspections/{known.id}/cases"
    total = findings.dashboard(known.id).overall.cases
    page = client.get(base, query_string={"q": " da- "})
    text = _text(page)
    assert f"4 of {total} cases match 'da-'" in text
    assert all(ref in text for ref in ("DA-1", "DA-2", "DA-3", "DA-4"))
    assert "TA-1" not in text
    assert 'id="q" name="q" type="search" value="da-"' in page.get_data(as_text=True)
    # The search narrows the figure's own filter, carried along in the form.
    good = _case_count(client.get(base, query_string={"grade": "good"}))
    narrowed = client.get(base, query_string={"grade": "good", "q": "DA-1"})
    noun = "case" if good == 1 else "cases"
    assert f"1 of {good} {noun} matches 'DA-1'" in _text(narrowed)
    assert '<input type="hidden" name="grade" value="good">' in narrowed.get_data(as_text=True)
    assert "DA-4" not in _text(narrowed)  # moderated down from good: not in this figure


def test_a_search_matching_nothing_lists_no_case_and_offers_to_clear_it(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    client = login_as(lead)
    base = f"/findings/inspections/{known.id}/cases"
    total = _case_count(client.get(base, query_string={"case_type": "domestic-abuse"}))
    page = client.get(base, query_string={"case_type": "domestic-abuse", "q": "MC-9"})
    text = _text(page)
    assert f"0 of {total} cases match 'MC-9'" in text
    assert "govuk-table" not in page.get_data(as_text=True)
    assert f'href="{base}?case_type=domestic-abuse">Clear search' in page.get_data(as_text=True)


def test_question_case_list_search_keeps_a_second_auditors_cases_withheld(
    login_as: Callable[[User], Any], known: Inspection, lead: User
) -> None:
    set_id = next(s.question_set_id for s in findings.question_findings(known.id))
    base = f"/findings/inspections/{known.id}/questions/{set_id}/DA06"
    found = _text(login_as(lead).get(f"{base}/not_met", query_string={"q": "da-2"}))
    assert "1 of 1 case matches 'da-2'" in found and "DA-2" in found
    blind = factories.make_member(known, "blind@example.test", InspectionRole.AUDITOR)
    case = db.session.scalar(select(Case).where(Case.reference == "DA-2"))
    db.session.add(SecondAudit(case_id=case.id, auditor_id=blind.id, requested_by_id=lead.id))
    db.session.commit()
    client = login_as(blind)
    withheld = _text(client.get(f"{base}/not_met", query_string={"q": "DA-2"}))
    assert "0 of 0 cases match 'DA-2'" in withheld
    assert "Child not seen" not in withheld and "second-auditing" in withheld
    others = _text(client.get(f"{base}/applicable", query_string={"q": "DA-"}))
    assert "3 of 3 cases match 'DA-'" in others and "DA-2" not in others


def test_weak_answers_are_searched_by_case_reference_and_withheld_ones_stay_hidden(
    login_as: Callable[[User], Any], known: Inspection, baseline: Inspection, lead: User
) -> None:
    rec = db.session.scalar(select(Recommendation).where(Recommendation.code == "R1"))
    path = f"/findings/inspections/{known.id}/recommendations/{rec.id}/weak-answers"
    text = _text(login_as(lead).get(path, query_string={"q": "DA-3"}))
    assert "2 answers not met or partly met" in text  # the figure, unchanged by the search
    assert "1 of 2 answers matches 'DA-3'." in text
    assert "Seen, not spoken to." in text and "DA-2" not in text
    blind = factories.make_member(known, "blind@example.test", InspectionRole.AUDITOR)
    case = db.session.scalar(select(Case).where(Case.reference == "DA-2"))
    db.session.add(SecondAudit(case_id=case.id, auditor_id=blind.id, requested_by_id=lead.id))
    db.session.commit()
    hidden = _text(login_as(blind).get(path, query_string={"q": "DA-2"}))
    assert "0 of 1 answer match 'DA-2'." in hidden
    assert "Child not seen" not in hidden and "second-auditing" in hidden
