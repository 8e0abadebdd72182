"""The demo data reproduces the 2022 Cambridgeshire review's figures, through the findings."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import (
    AuditEvent,
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    ModerationDecision,
    Notification,
    NotificationKind,
    Recommendation,
    SecondAudit,
    User,
)
from auditapp.services import findings
from auditapp.services.demo import BASELINE_TITLE, REVIEW_TITLE, load_demo
from auditapp.services.moderation.agreement import agreement_figures

REFERENCE = re.compile(r"^(DA|MC|OC|PP|SO|CD|DY|TA)-20(21|22)-\d{4}$")


@pytest.fixture
def demo() -> tuple[Inspection, Inspection]:
    """The demo loaded twice (it must be safe to), committed."""
    load_demo()
    db.session.commit()
    load_demo()
    db.session.commit()
    baseline = db.session.scalar(select(Inspection).where(Inspection.title == BASELINE_TITLE))
    review = db.session.scalar(select(Inspection).where(Inspection.title == REVIEW_TITLE))
    assert baseline is not None and review is not None
    return baseline, review


def _question(inspection_id: int, case_type: str, code: str) -> findings.QuestionFinding:
    found = next(s for s in findings.question_findings(inspection_id) if s.case_type == case_type)
    return next(q for q in found.questions if q.code == code)


def test_review_reproduces_the_reports_headline(demo: tuple[Inspection, Inspection]) -> None:
    _, review = demo
    dash = findings.dashboard(review.id)
    assert dash.headline == (
        "24 cases audited: 6 good (25%), 5 requires improvement (21%), 13 inadequate (54%)"
    )
    assert not dash.provisional
    inadequate = next(g for g in dash.overall.grades if g.grade == "inadequate")
    assert inadequate.share.text == "13 of 24: 54%, 95% CI 35%\u201372%"
    assert len(dash.by_case_type) == 6  # spread over the case types the report covers


def test_every_review_case_is_moderated_through_a_recorded_decision(
    demo: tuple[Inspection, Inspection],
) -> None:
    _, review = demo
    graded = db.session.scalars(
        select(Case).where(Case.inspection_id == review.id, Case.reference.not_like("DY-%"))
    ).all()
    graded = [c for c in graded if not c.reference.startswith("TA-")]
    assert len(graded) == 24
    assert all(c.status == CaseStatus.MODERATED and c.final_grade for c in graded)
    decisions = db.session.scalar(
        select(func.count(ModerationDecision.id))
        .join(Case, Case.id == ModerationDecision.case_id)
        .where(Case.inspection_id == review.id)
    )
    assert decisions == 24  # one each, even after loading twice


def test_dip_samples_reproduce_the_reports_sub_figures(
    demo: tuple[Inspection, Inspection],
) -> None:
    _, review = demo
    seen = _question(review.id, "da-diary-appointment", "DY03")
    assert (seen.met, seen.not_met, seen.applicable) == (1, 4, 5)  # not seen in 4 of 5
    assert _question(review.id, "da-diary-appointment", "DY01").summary == ("yes in 5 of 5 cases")
    telephone = _question(review.id, "da-telephone-appointment", "TA01")
    assert (telephone.met, telephone.applicable) == (21, 23)
    certificate = _question(review.id, "child-detention", "CD15")
    assert (certificate.met, certificate.applicable) == (1, 5)
    strategy = _question(review.id, "missing-child", "MC13")
    assert strategy.met == 0 and strategy.applicable > 0  # none led to a strategy discussion


def test_case_studies_are_the_reports_grouped_by_chapter(
    demo: tuple[Inspection, Inspection],
) -> None:
    _, review = demo
    chapters = {c.chapter: [s.reference for s in c.studies] for c in findings.case_studies(review)}
    assert chapters == {
        "Initial contact": ["MC-2022-0219", "MC-2022-0264"],
        "Investigation": ["OC-2022-0112"],
        "Decision-making": ["PP-2022-0093"],
    }


def test_baseline_has_its_recommendations_and_an_audited_sample(
    demo: tuple[Inspection, Inspection],
) -> None:
    baseline, review = demo
    codes = db.session.scalars(
        select(Recommendation.code)
        .where(Recommendation.inspection_id == baseline.id)
        .order_by(Recommendation.position)
    ).all()
    assert codes == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "AFI1", "AFI2"]
    progress = findings.recommendation_progress(review)
    assert progress.baseline_audited_cases == 12
    rows = {row.code: row for row in progress.rows}
    assert all(row.baseline_computed for row in rows.values())
    # Improvement where the report saw it, none where it did not.
    assert rows["R1"].change_points > 10 and rows["R7"].change_points > 10
    assert rows["AFI1"].change_points < 5


def test_demo_progress_compares_like_for_like_and_withholds_judgement_on_two_cases(
    demo: tuple[Inspection, Inspection],
) -> None:
    _, review = demo
    rows = {row.code: row for row in findings.recommendation_progress(review).rows}
    # R2 (diary appointments): the report's "children seen in 1 of 5" is new evidence, beside
    # the comparison; the baseline's 2 domestic abuse cases are too few to judge on.
    r2 = rows["R2"]
    assert r2.suggestion.judgement == "insufficient_evidence"
    assert r2.suggestion.reason == (
        "2 cases at the baseline and 5 cases now, and at least 5 cases are needed on each side."
    )
    seen = next(q for q in r2.new_evidence if q.question_id == "DY03")
    assert (seen.met, seen.applicable, seen.now_text) == (1, 5, "20%")
    assert {q.question_id for q in r2.figures.compared} == {"DA02", "DA04"}
    # R1 (children's views): 8 baseline cases over three case types, compared on the
    # questions both inspections asked; the diary dip sample sits beside it.
    r1 = rows["R1"]
    assert (r1.figures.baseline_cases, r1.figures.now_cases) == (8, 18)
    assert "DY03" in {q.question_id for q in r1.new_evidence}
    assert r1.suggestion.judgement == "good_progress"
    assert r1.suggestion.reason.startswith(
        f"Met rate {r1.figures.now_text} now against {r1.figures.baseline_text} at the "
        f"baseline, a change of {r1.figures.change_text}: "
    )


def test_demo_uses_invented_pseudonymous_references_only(
    demo: tuple[Inspection, Inspection],
) -> None:
    references = db.session.scalars(select(Case.reference)).all()
    assert len(references) == 12 + 24 + 5 + 23
    assert all(REFERENCE.match(r) for r in references)


def test_lead_opening_the_demo_sees_the_reports_figures(
    app: Flask, login_as: Callable[[User], Any], demo: tuple[Inspection, Inspection]
) -> None:
    _, review = demo
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    client = login_as(lead, "demo-password")
    page = client.get(f"/findings/inspections/{review.id}").get_data(as_text=True)
    assert "24 cases audited: 6 good (25%), 5 requires improvement (21%), 13 inadequate" in page
    questions = client.get(f"/findings/inspections/{review.id}/questions").get_data(as_text=True)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", questions))
    assert "Yes in 21 of 23 cases" in words
    assert "Secure accommodation in 3 of 5 cases" in words


def test_demo_chapters_speak_only_on_key_questions_with_five_cases(
    login_as: Callable[[User], Any], demo: tuple[Inspection, Inspection]
) -> None:
    """The report's narrative beside the suggestions: each difference explained on the page.

    Police protection, where the report saw "real improvement", was decided by PP02 (1 of 3)
    when one case could decide a chapter; with 3 cases per key question it now has not enough
    evidence. Where the sample has five cases the suggestion follows the report's concerns:
    missing children (MC04, 1 of 5) and children kept in custody after charge (CD12, 0 of 5).
    """
    _, review = demo
    chapters = {c.chapter: c for c in findings.chapter_findings(review).chapters}
    suggested = {
        name: (
            c.suggestion.label,
            c.suggestion.deciding.question_id if c.suggestion.deciding else None,
        )
        for name, c in chapters.items()
    }
    assert suggested == {
        "Initial contact": ("Inadequate", "MC04"),
        "Assessment and help": ("Inadequate", "MC04"),
        "Investigation": ("Not enough evidence", None),
        "Decision-making": ("Not enough evidence", None),
        "Managing those posing a risk to children": ("Not enough evidence", None),
        "Police detention": ("Inadequate", "CD12"),
    }
    initial = chapters["Initial contact"].suggestion
    # The diary appointment figure the report gives (1 of 5) counts; the 2-case telephone
    # question and the 3-case police protection questions are left out, and named.
    assert {k.question_id: (k.met, k.applicable) for k in initial.considered}["DY03"] == (1, 5)
    assert [k.question_id for k in initial.insufficient] == ["PP06", "PP07", "TA02"]
    assert chapters["Police detention"].suggestion.reason == (
        "Decided by the lowest of its 10 key questions with at least 5 applicable cases: CD12 "
        "met in 0 of 5 applicable cases (0%), below 50%, so inadequate. Insufficient evidence, "
        "so left out (below the minimum of 5 applicable cases): CD13 (0 applicable cases)."
    )

    lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    page = login_as(lead, "demo-password").get(f"/findings/inspections/{review.id}/chapters")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    assert (
        "Decision-making Not enough evidence None of its 9 key questions has at least 5 "
        "applicable cases (the most is 3): each is insufficient evidence, so there is not "
        "enough evidence to judge the chapter." in text
    )
    assert "met in 1 of 3 applicable cases (33.3%). Insufficient evidence" in text  # PP02
    assert "met in 1 of 5 applicable cases (20%). Decides the chapter" in text  # MC04


def test_demo_reproduces_every_figure_of_the_report_through_the_api(
    login_as: Callable[[User], Any], demo: tuple[Inspection, Inspection]
) -> None:
    _, review = demo
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    client = login_as(lead, "demo-password")
    summary = client.get(f"/api/inspections/{review.id}/summary").get_json()
    grades = summary["total"]["grades"]
    assert summary["total"]["graded"] == 24
    assert [grades[g]["count"] for g in ("good", "requires_improvement", "inadequate")] == [
        6,
        5,
        13,
    ]
    sets = client.get(f"/api/inspections/{review.id}/findings").get_json()["question_sets"]
    by_code = {(s["case_type"], q["code"]): q for s in sets for q in s["questions"]}

    def values(case_type: str, code: str) -> dict[str, tuple[int, int]]:
        answers = by_code[(case_type, code)]["answers"]
        return {v["value"]: (v["cases"], v["of"]) for v in answers["values"]}

    # Children seen in 1 of 5 diary-appointment cases; 21 of 23 telephone appointments
    # appropriate: dip samples, so "yes in x of y" with no met share and no interval.
    assert values("da-diary-appointment", "DY03")["yes"] == (1, 5)
    assert values("da-telephone-appointment", "TA01")["yes"] == (21, 23)
    assert by_code[("da-telephone-appointment", "TA01")]["met_share"] is None
    # A detention certificate in 1 of 5 cases (graded: the met share carries its interval).
    certificate = by_code[("child-detention", "CD15")]
    assert (certificate["met"], certificate["applicable"]) == (1, 5)
    assert certificate["met_share"]["total"] == 5
    # An ungraded figure the report gives: secure accommodation asked for in 3 of 5.
    assert values("child-detention", "CD13")["secure"] == (3, 5)
    assert (
        "Secure accommodation in 3 of 5 cases"
        in by_code[("child-detention", "CD13")]["answers"]["text"]
    )


def test_demo_has_a_blind_second_audit_of_each_graded_case_type(
    login_as: Callable[[User], Any], demo: tuple[Inspection, Inspection]
) -> None:
    _, review = demo
    types = db.session.scalars(
        select(CaseType.slug)
        .join(Case, Case.case_type_id == CaseType.id)
        .join(SecondAudit, SecondAudit.case_id == Case.id)
        .where(Case.inspection_id == review.id, SecondAudit.status == "submitted")
    ).all()
    graded = db.session.scalars(
        select(CaseType.slug)
        .join(Case)
        .where(Case.inspection_id == review.id, CaseType.kind == "case")
        .distinct()
    ).all()
    assert len(graded) == 6  # the dip samples have no grade to agree on
    assert sorted(types) == sorted(graded)  # one each, even after loading twice
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    page = login_as(lead, "demo-password").get(f"/moderation/inspections/{review.id}/agreement")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    assert "No second audit has been submitted yet" not in text
    assert re.search(r"the same grade in \d+ of 6 cases", text)


def test_demo_second_audits_are_asked_for_answered_and_submitted_as_users_do(
    app: Flask, demo: tuple[Inspection, Inspection]
) -> None:
    _, review = demo
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    assert lead is not None
    seconds = db.session.scalars(
        select(SecondAudit).join(Case).where(Case.inspection_id == review.id)
    ).all()
    assert len(seconds) == 6
    for second in seconds:
        events = {
            (event.action, event.user_id)
            for event in db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.case_id == second.case_id,
                    AuditEvent.entity.in_(["second_audit", "second_audit_answer"]),
                )
            )
        }
        # The lead asked, the second auditor answered and submitted: the services' own events.
        assert ("request_second_audit", lead.id) in events
        assert ("change_answer", second.auditor_id) in events
        assert ("submit", second.auditor_id) in events
        assert second.auditor_id != second.case.auditor_id
        assert (
            db.session.scalar(
                select(func.count(Notification.id)).where(
                    Notification.recipient_id == second.auditor_id,
                    Notification.case_id == second.case_id,
                    Notification.kind == NotificationKind.SECOND_AUDIT_REQUESTED,
                )
            )
            == 1
        )
    # Each second auditor read one question differently; every grade still agrees.
    figures = agreement_figures(review.id)
    assert (figures.second_audits.overall.compared, figures.second_audits.overall.agreed) == (6, 6)
    differing = {q.figures.question_id for q in figures.questions if q.figures.agreed == 0}
    assert differing == {"DA13", "MC05", "OC16", "PP13", "SO07"}


def test_demo_audit_log_verifies(app: Flask, demo: tuple[Inspection, Inspection]) -> None:
    result = app.test_cli_runner().invoke(args=["audit-log", "verify"])
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output
