"""Routes of reconciling a blind second audit: the differences only, one decision per question,
and the resolution with the grade of the resolved answers."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from auditapp.domain.question_sets import answer_words
from auditapp.extensions import db
from auditapp.models import Case, InspectionRole, SecondAudit, SecondAuditStatus
from auditapp.moderation import bp
from auditapp.moderation.forms import ReconcileAnswerForm, ResolveByAnswersForm
from auditapp.moderation.routes import _apply, _refused
from auditapp.permissions import load_case
from auditapp.services import moderation
from auditapp.services.moderation import ModerationError, ModerationRefused
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


def _not_yet(case: Case) -> Response:
    """Back to the differences page, which says the second audit is not submitted yet."""
    return redirect(url_for("moderation.show_differences", case_id=case.id))


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
def reconcile_question(case_id: int, question_id: str) -> str | Response | tuple[str, int]:
    """Decide which answer stands on one question the two audits answered differently."""
    case, _ = load_case(case_id, LEAD)
    second = _second(case)
    if second.status == SecondAuditStatus.IN_PROGRESS:
        return _not_yet(case)
    difference = next((d for d in differences(case, second) if d.question.id == question_id), None)
    if difference is None:
        abort(404)
    try:
        moderation.check_may_moderate(case, current_user, "resolve it")
    except ModerationRefused as error:
        return _refused(str(error))
    form = _reconcile_form(difference, ReconcileAnswerForm(prefix="reconcile"))
    back = url_for("moderation.show_differences", case_id=case.id)
    if second.status == SecondAuditStatus.RESOLVED:
        flash("This second audit has already been resolved.", "info")
        return redirect(back)
    problem: str | None = None
    if form.validate_on_submit():
        agreed = form.agreed_choice.data if form.agreed_choice.choices else form.agreed_text.data
        try:
            if _apply(
                case,
                lambda: reconcile_answer(
                    second, current_user, question_id, form.source.data or "", agreed,
                    form.reason.data,
                ),
            ):  # fmt: skip
                current_app.logger.info("case %s: %s reconciled", case.id, question_id)
                flash(f"Decision on {question_id} saved.", "success")
                return redirect(back)
        except IntegrityError:  # another lead decided the same question at the same moment
            db.session.rollback()
            flash("Another lead decided this question just now: check it again.", "error")
            return redirect(back)
        except ModerationRefused as refused:
            db.session.rollback()
            return _refused(str(refused))
        except ModerationError as refused:
            db.session.rollback()
            problem = str(refused)
    elif difference.decision is not None and not form.is_submitted():
        form.source.data = difference.decision.source
        form.reason.data = difference.decision.reason
        if difference.decision.source == AnswerSource.AGREED:
            form.agreed_choice.data = form.agreed_text.data = difference.decision.value
    return render_template(
        "moderation/reconcile_question.html",
        case=case,
        inspection=case.inspection,
        difference=difference,
        form=form,
        error=problem,
    )


@bp.post("/cases/<int:case_id>/second-audit/differences/resolve")
def resolve_by_reconciled_answers(case_id: int) -> str | Response | tuple[str, int]:
    """Resolve the second audit with the grade of the resolved answers."""
    case, _ = load_case(case_id, LEAD)
    second = _second(case)
    if second.status == SecondAuditStatus.IN_PROGRESS:
        return _not_yet(case)
    try:
        moderation.check_may_moderate(case, current_user, "resolve it")
    except ModerationRefused as error:
        return _refused(str(error))
    form = ResolveByAnswersForm(prefix="resolve")
    if not form.validate_on_submit():
        return _differences_page(case, second, form)
    back = url_for("moderation.show_differences", case_id=case.id)
    outcome: dict[str, Any] = {}
    try:
        done = _apply(
            case,
            lambda: outcome.setdefault(
                "grade", resolve_by_answers(second, current_user, form.note.data)
            ),
        )
    except ModerationRefused as error:
        db.session.rollback()
        return _refused(str(error))
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    if done:
        flash(
            f"Second audit of case {case.reference} resolved: {outcome['grade'].label}.",
            "success",
        )
    return redirect(back)
