"""Findings pages: dashboard, per-question figures, recommendation progress, chapters, case
studies. Members of the inspection (leads, auditors, observers) can read them; only leads
record judgements. The national view puts the grades of every inspection a user can see
side by side, and the per-question figures of all of them together."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.domain.case_search import reference_matches, search_count_text, search_text
from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.percentages import percent, whole_percent
from auditapp.domain.recommendations import ChapterRule
from auditapp.domain.statistics import READING_NOTE
from auditapp.extensions import db
from auditapp.findings import bp
from auditapp.findings.forms import (
    ChapterJudgementForm,
    ChapterRuleForm,
    RecommendationJudgementForm,
)
from auditapp.models import Inspection, InspectionRole, RecommendationKind
from auditapp.permissions import load_inspection
from auditapp.services import action_plans, evidence_log, findings, inspections

LEAD = InspectionRole.LEAD
MEMBERS = (InspectionRole.LEAD, InspectionRole.AUDITOR, InspectionRole.OBSERVER)


@bp.app_template_global()
def case_url(case_id: int) -> str:
    """Link to a case's page."""
    return url_for("audit.show_case", case_id=case_id)


@bp.app_template_global()
def kind_label(kind: str) -> str:
    """Recommendation or area for improvement."""
    return RecommendationKind(kind).label


def _inspection(
    inspection_id: int, *roles: InspectionRole
) -> tuple[Inspection, InspectionRole | None]:
    return load_inspection(inspection_id, *(roles or MEMBERS))


@bp.get("/national")
def show_national() -> str:
    """Grades of every inspection the user can see, side by side and all together.

    The inspections are those the user may see anywhere (an admin's: all, as on the
    inspections list and the exports; anyone else's: those they are a member of), so no
    inspection's figures reach a non-member.
    """
    visible = inspections.visible_inspections(current_user)
    member_of = {mine.inspection.id for mine in inspections.my_inspections(current_user)}
    national = findings.national_findings([inspection.id for inspection in visible])
    return render_template(
        "findings/show_national.html",
        rows=list(zip(visible, national.inspections, strict=True)),
        total=national.total,
        member_of=member_of,
    )


@bp.get("/national/questions")
def show_national_questions() -> str:
    """Per-question outcome counts over the audited cases of every inspection the user can see.

    The same inspections as the national grades (:func:`show_national`); the figures are of
    all of them together, so there are no links to case lists, which are per inspection.
    """
    visible = inspections.visible_inspections(current_user)
    ids = [inspection.id for inspection in visible]
    return render_template(
        "findings/show_national_questions.html",
        inspection_count=len(visible),
        sets=findings.with_answers(findings.national_question_findings(ids), ids),
    )


@bp.get("/inspections/<int:inspection_id>")
def show_dashboard(inspection_id: int) -> str:
    """Headline, grades by case type and auditor, progress of the work."""
    inspection, role = _inspection(inspection_id)
    return render_template(
        "findings/show_dashboard.html",
        inspection=inspection,
        role=role,
        dashboard=findings.dashboard(inspection.id),
        weighted=findings.stratified_headline(inspection.id),
        reading_note=READING_NOTE,
        grades=list(Grade),
    )


@bp.get("/inspections/<int:inspection_id>/cases")
def list_graded_cases(inspection_id: int) -> str:
    """The audited cases behind a grade figure on the dashboard."""
    inspection, role = _inspection(inspection_id)
    grade = request.args.get("grade") or None
    if grade is not None and grade not in {g.value for g in Grade}:
        abort(404)
    case_type = request.args.get("case_type") or None
    auditor = request.args.get("auditor")
    if auditor is not None and auditor != "" and not auditor.isdigit():
        abort(404)
    withheld = findings.blind_case_ids(inspection.id, current_user.id)
    cases = findings.cases_with_grade(inspection.id, grade, case_type, auditor, withheld)
    words = [Grade(grade).label.lower() if grade else "all grades"]
    if case_type:
        words.append(next((c.case_type for c in cases), case_type))
    if auditor is not None:
        words.append(f"audited by {cases[0].auditor}" if cases else "this auditor")
    search = search_text(request.args.get("q"))
    shown = [c for c in cases if reference_matches(c.reference, search)]
    return render_template(
        "findings/list_cases.html",
        inspection=inspection,
        role=role,
        cases=shown,
        count_text=search_count_text(len(shown), len(cases), search),
        search=search,
        keep={"grade": grade, "case_type": case_type, "auditor": auditor},
        heading=f"Cases graded {words[0]}" if grade else "Audited cases",
        qualifiers=words[1:],
        back=url_for("findings.show_dashboard", inspection_id=inspection.id),
        back_text="Back to the dashboard",
        detail_heading="Grade",
        withheld=len(withheld),
    )


@bp.get("/inspections/<int:inspection_id>/questions")
def show_questions(inspection_id: int) -> str:
    """Per-question outcome counts for every set used, with links to the cases."""
    inspection, role = _inspection(inspection_id)
    return render_template(
        "findings/show_questions.html",
        inspection=inspection,
        role=role,
        sets=findings.question_findings_with_answers(inspection.id),
    )


@bp.get("/inspections/<int:inspection_id>/questions/<int:question_set_id>/<code>/<outcome>")
def list_question_cases(inspection_id: int, question_set_id: int, code: str, outcome: str) -> str:
    """The cases behind one question's figure."""
    inspection, role = _inspection(inspection_id)
    if outcome not in findings.LISTABLE_OUTCOMES:
        abort(404)
    try:
        question = findings.question_finding(inspection.id, question_set_id, code)
    except findings.FindingsError:
        abort(404)
    withheld = findings.blind_case_ids(inspection.id, current_user.id)
    value = request.args.get("value") or None
    cases = findings.cases_with_outcome(
        inspection.id, question_set_id, code, outcome, withheld, value
    )
    named = outcome in ("applicable", "answered")
    label = outcome if named else Outcome(outcome).label.lower()
    if value is not None:
        label += f": {findings.answer_value_words(question_set_id, code, value)}"
    search = search_text(request.args.get("q"))
    shown = [c for c in cases if reference_matches(c.reference, search)]
    return render_template(
        "findings/list_cases.html",
        inspection=inspection,
        role=role,
        cases=shown,
        count_text=search_count_text(len(shown), len(cases), search),
        search=search,
        heading=f"{code}: cases {label}",
        qualifiers=[question.text, question.summary],
        back=url_for("findings.show_questions", inspection_id=inspection.id)
        + f"#set-{question_set_id}",
        back_text="Back to the question findings",
        detail_heading="Answer" if outcome == "answered" else "Outcome",
        show_notes=True,
        withheld=len(withheld),
        keep={"value": value},
    )


# Weak answers listed on the progress page under each recommendation; the rest are one click
# away (a 600-case review has hundreds per recommendation: all of them made a 2 MB page).
WEAK_ANSWERS_SHOWN = 10


@bp.get("/inspections/<int:inspection_id>/recommendations")
def show_recommendations(inspection_id: int) -> str:
    """Progress on each recommendation of the baseline inspection."""
    inspection, role = _inspection(inspection_id)
    return render_template(
        "findings/show_recommendations.html",
        inspection=inspection,
        role=role,
        progress=findings.recommendation_progress(
            inspection,
            findings.blind_case_ids(inspection.id, current_user.id),
            weak_shown=WEAK_ANSWERS_SHOWN,
        ),
        # Beside the case evidence: the evidence log and the force's actions on each.
        evidence=evidence_log.entries_by_recommendation(inspection),
        actions=action_plans.actions_by_recommendation(inspection),
        weak_shown=WEAK_ANSWERS_SHOWN,
    )


@bp.get("/inspections/<int:inspection_id>/recommendations/<int:recommendation_id>/weak-answers")
def list_weak_answers(inspection_id: int, recommendation_id: int) -> str:
    """Every weak answer (not met, partly met) evidencing one recommendation, with notes."""
    inspection, role = _inspection(inspection_id)
    withheld = findings.blind_case_ids(inspection.id, current_user.id)
    progress = findings.recommendation_progress(inspection, withheld)
    row = next((r for r in progress.rows if r.recommendation_id == recommendation_id), None)
    if row is None:
        abort(404)
    search = search_text(request.args.get("q"))
    answers = [w for w in row.weak_answers if reference_matches(w.reference or "", search)]
    return render_template(
        "findings/list_weak_answers.html",
        inspection=inspection,
        role=role,
        row=row,
        answers=answers,
        search=search,
        search_count=search_count_text(
            len(answers), len(row.weak_answers), search, "answer", "answers"
        ),
        withheld=len(withheld),
    )


@bp.route(
    "/inspections/<int:inspection_id>/recommendations/<int:recommendation_id>/judgement",
    methods=["GET", "POST"],
)
def record_judgement(inspection_id: int, recommendation_id: int) -> str | Response:
    """A lead records the judgement of progress on one recommendation, with a narrative."""
    inspection, role = _inspection(inspection_id, LEAD)
    try:
        recommendation = findings.baseline_recommendation(inspection, recommendation_id)
    except findings.FindingsError:
        abort(404)
    progress = findings.recommendation_progress(inspection)
    row = next(r for r in progress.rows if r.recommendation_id == recommendation.id)
    form = RecommendationJudgementForm()
    if request.method == "GET":
        form.judgement.data = row.judgement
        form.narrative.data = row.narrative
        if row.entered_baseline_rate is not None:
            form.baseline_rate.data = percent(row.entered_baseline_rate, 1)
        form.baseline_source.data = row.entered_baseline_source
        form.baseline_cases.data = row.entered_baseline_cases
    if form.validate_on_submit():
        rate = form.baseline_rate.data
        try:
            findings.record_recommendation_judgement(
                inspection,
                recommendation,
                current_user,
                judgement=form.judgement.data or "",
                narrative=form.narrative.data or "",
                baseline_rate=float(rate) / 100 if rate is not None else None,
                baseline_source=form.baseline_source.data,
                baseline_cases=form.baseline_cases.data,
            )
        except findings.FindingsError as error:
            form.baseline_rate.errors = [str(error).capitalize()]
        else:
            db.session.commit()
            current_app.logger.info(
                "recommendation judgement recorded: inspection %s recommendation %s",
                inspection.id,
                recommendation.id,
            )
            flash(f"Judgement on {recommendation.code} saved.", "success")
            return redirect(
                url_for("findings.show_recommendations", inspection_id=inspection.id)
                + f"#rec-{recommendation.code}"
            )
    return render_template(
        "findings/record_judgement.html",
        inspection=inspection,
        role=role,
        row=row,
        form=form,
    )


@bp.get("/inspections/<int:inspection_id>/chapters")
def show_chapters(inspection_id: int) -> str:
    """Suggested chapter judgements with their deciding questions, and any overrides."""
    inspection, role = _inspection(inspection_id)
    return render_template(
        "findings/show_chapters.html",
        inspection=inspection,
        role=role,
        chapters=findings.chapter_findings(inspection),
    )


@bp.route("/inspections/<int:inspection_id>/chapters/judgement", methods=["GET", "POST"])
def record_chapter_judgement(inspection_id: int) -> str | Response:
    """A lead overrides (or restores) a chapter's suggested judgement, with a reason."""
    inspection, role = _inspection(inspection_id, LEAD)
    chapter_name = request.args.get("chapter", "")
    result = findings.chapter_findings(inspection)
    chapter = next((c for c in result.chapters if c.chapter == chapter_name), None)
    if chapter is None:
        abort(404)
    form = ChapterJudgementForm()
    if request.method == "GET":
        form.judgement.data = chapter.override or ""
        form.reason.data = chapter.override_reason
    if form.validate_on_submit():
        findings.record_chapter_judgement(
            inspection,
            chapter.chapter,
            current_user,
            judgement=form.judgement.data or None,
            reason=form.reason.data or "",
        )
        db.session.commit()
        flash(f"Judgement for {chapter.chapter} saved.", "success")
        return redirect(url_for("findings.show_chapters", inspection_id=inspection.id))
    return render_template(
        "findings/record_chapter_judgement.html",
        inspection=inspection,
        role=role,
        chapter=chapter,
        form=form,
    )


@bp.route("/inspections/<int:inspection_id>/chapters/rule", methods=["GET", "POST"])
def edit_chapter_rule(inspection_id: int) -> str | Response:
    """A lead switches the chapter rule on or off and sets its thresholds."""
    inspection, role = _inspection(inspection_id, LEAD)
    rule = findings.chapter_rule(inspection)
    form = ChapterRuleForm()
    if request.method == "GET":
        form.enabled.data = rule.enabled
        form.outstanding.data = whole_percent(rule.outstanding)
        form.good.data = whole_percent(rule.good)
        form.requires_improvement.data = whole_percent(rule.requires_improvement)
        form.min_applicable.data = rule.min_applicable
    if form.validate_on_submit():
        try:
            new_rule = ChapterRule(
                enabled=bool(form.enabled.data),
                outstanding=(form.outstanding.data or 0) / 100,
                good=(form.good.data or 0) / 100,
                requires_improvement=(form.requires_improvement.data or 0) / 100,
                min_applicable=form.min_applicable.data or 1,
            )
        except ValueError:
            form.good.errors = [
                "Thresholds must rise: requires improvement below good below outstanding"
            ]
        else:
            findings.update_chapter_rule(inspection, current_user, new_rule)
            db.session.commit()
            flash("Chapter rule saved.", "success")
            return redirect(url_for("findings.show_chapters", inspection_id=inspection.id))
    return render_template(
        "findings/edit_chapter_rule.html", inspection=inspection, role=role, form=form
    )


@bp.get("/inspections/<int:inspection_id>/case-studies")
def show_case_studies(inspection_id: int) -> str:
    """Flagged case studies grouped by chapter, ready to quote."""
    inspection, role = _inspection(inspection_id)
    return render_template(
        "findings/show_case_studies.html",
        inspection=inspection,
        role=role,
        chapters=findings.case_studies(
            inspection, findings.blind_case_ids(inspection.id, current_user.id)
        ),
    )
