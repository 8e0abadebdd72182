"""Routes of reconciling a blind second audit: the differences only, one decision per question,
and the resolution with the grade of the resolved answers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.domain.question_sets import answer_words
from auditapp.models import Case, InspectionRole, SecondAudit, SecondAuditStatus
from auditapp.moderation import bp
from auditapp.moderation.deciding import ViewResult, commit_decision, refusal
from auditapp.moderation.forms import ReconcileAnswerForm, ResolveByAnswersForm
from auditapp.permissions import load_case
from auditapp.services import moderation
from auditapp.services.moderation.reconciliation import (
    AnswerSource,
    Difference,
    differences,
    reconcile_answer,
    reconciliation,
    resolve_by_answers,
)

LEAD = InspectionRole.LEAD


def _second(case: Case) -> SecondAudit:
    """The case's second audit; 404 when none was asked for."""
    second = moderation.second_audit_for(case)
    if second is None:
        abort(404)
    return second


def _submitted_second(case: Case) -> SecondAudit | Response:
    """The case's submitted second audit, or back to the differences page, which says the
    second audit is not submitted yet; 404 when none was asked for."""
    second = _second(case)
    if second.status == SecondAuditStatus.IN_PROGRESS:
        return redirect(url_for("moderation.show_differences", case_id=case.id))
    return second


def _differences_page(case: Case, second: SecondAudit, form: ResolveByAnswersForm) -> str:
    return render_template(
        "moderation/show_differences.html",
        case=case,
        inspection=case.inspection,
        second=second,
        result=None
        if second.status == SecondAuditStatus.IN_PROGRESS
        else reconciliation(case, second),
        form=form,
        may_resolve=moderation.may_moderate(case, current_user),
    )


@bp.get("/cases/<int:case_id>/second-audit/differences")
def show_differences(case_id: int) -> str:
    """The questions the two audits answered differently, each with the lead's decision."""
    case, _ = load_case(case_id, LEAD)
    return _differences_page(case, _second(case), ResolveByAnswersForm(prefix="resolve"))


def _reconcile_form(difference: Difference, form: ReconcileAnswerForm) -> ReconcileAnswerForm:
    question = difference.question
    form.source.choices = [
        (AnswerSource.FIRST.value, f"{AnswerSource.FIRST.label}: {difference.first_words}"),
        (AnswerSource.SECOND.value, f"{AnswerSource.SECOND.label}: {difference.second_words}"),
        (AnswerSource.AGREED.value, AnswerSource.AGREED.label),
    ]
    if question.type in ("yes_no", "choice"):
        form.agreed_choice.choices = [
            ("", "Choose an answer"),
            *((value, answer_words(question, value)) for value in question.allowed_values()),
        ]
    else:
        form.agreed_choice.choices = []
    return form


@bp.route("/cases/<int:case_id>/second-audit/differences/<question_id>", methods=["GET", "POST"])
def reconcile_question(case_id: int, question_id: str) -> ViewResult:
    """Decide which answer stands on one question the two audits answered differently."""
    case, _ = load_case(case_id, LEAD)
    second = _submitted_second(case)
    if isinstance(second, Response):
        return second
    difference = next((d for d in differences(case, second) if d.question.id == question_id), None)
    if difference is None:
        abort(404)
    if (refused := refusal(case, "resolve it")) is not None:
        return refused
    form = _reconcile_form(difference, ReconcileAnswerForm(prefix="reconcile"))
    back = url_for("moderation.show_differences", case_id=case.id)
    if second.status == SecondAuditStatus.RESOLVED:
        flash("This second audit has already been resolved.", "info")
        return redirect(back)

    def page(problem: str | None = None) -> str:
        return render_template(
            "moderation/reconcile_question.html",
            case=case,
            inspection=case.inspection,
            difference=difference,
            form=form,
            error=problem,
        )

    if form.validate_on_submit():
        agreed = form.agreed_choice.data if form.agreed_choice.choices else form.agreed_text.data
        return commit_decision(
            case,
            lambda: reconcile_answer(
                second, current_user, question_id, form.source.data or "", agreed, form.reason.data
            ),
            back,
            lambda _: f"Decision on {question_id} saved.",
            log=f"{question_id} reconciled",
            # another lead decided the same question at the same moment
            conflict="Another lead decided this question just now: check it again.",
            problem=page,
        )
    if difference.decision is not None and not form.is_submitted():
        form.source.data = difference.decision.source
        form.reason.data = difference.decision.reason
        if difference.decision.source == AnswerSource.AGREED:
            form.agreed_choice.data = form.agreed_text.data = difference.decision.value
    return page()


@bp.post("/cases/<int:case_id>/second-audit/differences/resolve")
def resolve_by_reconciled_answers(case_id: int) -> ViewResult:
    """Resolve the second audit with the grade of the resolved answers."""
    case, _ = load_case(case_id, LEAD)
    second = _submitted_second(case)
    if isinstance(second, Response):
        return second
    if (refused := refusal(case, "resolve it")) is not None:
        return refused
    form = ResolveByAnswersForm(prefix="resolve")
    if not form.validate_on_submit():
        return _differences_page(case, second, form)
    return commit_decision(
        case,
        lambda: resolve_by_answers(second, current_user, form.note.data),
        url_for("moderation.show_differences", case_id=case.id),
        lambda grade: f"Second audit of case {case.reference} resolved: {grade.label}.",
        log="second audit resolved",
    )
