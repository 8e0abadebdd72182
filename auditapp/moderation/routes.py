"""Routes of the moderation area: the queue, decisions, policy, second audits, agreement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from auditapp.domain.agreement import kappa_band
from auditapp.domain.case_search import reference_matches, search_text
from auditapp.domain.percentages import percent_text
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, InspectionRole, SecondAuditStatus
from auditapp.moderation import bp
from auditapp.moderation.forms import (
    AgreeForm,
    ChangeGradeForm,
    PolicyForm,
    QueueFilterForm,
    ResolveSecondAuditForm,
    ReturnToAuditorForm,
    SecondAuditRequestForm,
)
from auditapp.permissions import load_case, load_inspection
from auditapp.services import moderation
from auditapp.services.moderation import (
    ModerationError,
    ModerationRefused,
    QueueFilters,
    QueueStatus,
)

LEAD = InspectionRole.LEAD


def _kappa(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.2f}"


@bp.context_processor
def _formatters() -> dict[str, Any]:
    """Number formats of the moderation pages (templates only loop and branch)."""
    return {
        "percent": lambda value: percent_text(value, 0),
        "kappa": _kappa,
        "kappa_band": kappa_band,
    }


def _refused(message: str) -> tuple[str, int]:
    """403 with the reason, for a lead who may not decide on this case."""
    return render_template("moderation/refused.html", message=message), 403


def _apply(case: Case, change: Callable[[], Any]) -> bool:
    """Run the service and commit; on a lost race with another lead, roll back and say so.

    The case's version column makes a write against a stale case fail at flush or commit.
    """
    try:
        change()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        current_app.logger.info("moderation conflict on case %s", case.id)
        flash(
            "Someone else changed this case while you were deciding. "
            "Nothing was saved: check the case again.",
            "error",
        )
        return False
    return True


# --- queue --------------------------------------------------------------------------------------


@bp.get("/inspections/<int:inspection_id>")
def show_queue(inspection_id: int) -> str:
    """Submitted cases for the inspection's leads, filtered, with the policy's outstanding list."""
    inspection, _ = load_inspection(inspection_id, LEAD)
    form = QueueFilterForm(formdata=request.args)
    choices = moderation.filter_choices(inspection.id)
    form.case_type.choices = [("", "Any case type"), *choices["case_type"]]
    form.auditor.choices = [("", "Any auditor"), *choices["auditor"]]
    form.validate()
    auditor = form.auditor.data if form.auditor.data and not form.auditor.errors else None
    filters = QueueFilters(
        case_type=(form.case_type.data or None) if not form.case_type.errors else None,
        auditor_id=int(auditor) if auditor else None,
        grade=(form.grade.data or None) if not form.grade.errors else None,
        status=QueueStatus(form.status.data)
        if form.status.data in moderation.STATUS_FILTERS and not form.status.errors
        else QueueStatus.SUBMITTED,
    )
    progress = moderation.inspection_policy_progress(inspection.id)
    rows = moderation.moderation_queue(inspection.id, filters, progress)
    search = search_text(request.args.get("q"))
    rows = [row for row in rows if reference_matches(row.case.reference, search)]
    return render_template(
        "moderation/show_queue.html",
        inspection=inspection,
        form=form,
        rows=rows,
        counts=moderation.queue_counts(inspection.id),
        progress=progress,
        filters=filters,
        status_label=filters.status.label,
        search=search,
    )


@bp.route("/inspections/<int:inspection_id>/policy", methods=["GET", "POST"])
def edit_policy(inspection_id: int) -> str | Response:
    """The inspection's moderation policy, set by a lead."""
    inspection, _ = load_inspection(inspection_id, LEAD)
    rule = moderation.policy_rule(inspection.id)
    form = PolicyForm(
        data=None
        if request.method == "POST"
        else {
            "all_inadequate": rule.all_inadequate,
            "all_disagreements": rule.all_disagreements,
            "min_percent_per_auditor": rule.min_percent_per_auditor,
        }
    )
    if form.validate_on_submit():
        moderation.set_policy(
            inspection,
            current_user,
            all_inadequate=bool(form.all_inadequate.data),
            all_disagreements=bool(form.all_disagreements.data),
            min_percent_per_auditor=int(form.min_percent_per_auditor.data or 0),
        )
        db.session.commit()
        flash("Moderation policy saved.", "success")
        return redirect(url_for("moderation.show_queue", inspection_id=inspection.id))
    return render_template("moderation/edit_policy.html", inspection=inspection, form=form)


# --- one case -----------------------------------------------------------------------------------


def _case_page(case: Case, **forms: Any) -> str:
    second = moderation.second_audit_for(case)
    request_form = forms.get("second_form") or SecondAuditRequestForm(prefix="second")
    request_form.auditor.choices = [
        ("", "Choose an auditor"),
        *((str(u.id), u.name) for u in moderation.eligible_second_auditors(case)),
    ]
    return render_template(
        "moderation/show_case.html",
        case=case,
        inspection=case.inspection,
        may_decide=moderation.may_moderate(case, current_user),
        audited_by_you=case.auditor_id == current_user.id,
        awaiting=case.status == CaseStatus.SUBMITTED,
        status_words=moderation.moderation_status_words(case),
        first_grade=moderation.first_grade(case),
        explanation=(case.computed_explanation or {}).get("explanation", []),
        rows=moderation.case_answer_rows(case),
        decisions=moderation.decisions_for(case),
        second=second,
        second_submitted=second is not None and second.status != SecondAuditStatus.IN_PROGRESS,
        agree_form=forms.get("agree_form") or AgreeForm(prefix="agree"),
        change_form=forms.get("change_form") or ChangeGradeForm(prefix="change"),
        return_form=forms.get("return_form") or ReturnToAuditorForm(prefix="return"),
        second_form=request_form,
        has_errors=any(form.errors for form in forms.values()),
    )


@bp.get("/cases/<int:case_id>")
def show_case(case_id: int) -> str:
    """A case as a lead moderates it: answers, notes, outcomes, grades and decisions."""
    case, _ = load_case(case_id, LEAD)
    return _case_page(case)


def _decide(
    case: Case, form_name: str, form: Any, decide: Any, done: str
) -> str | Response | tuple[str, int]:
    try:
        moderation.check_may_moderate(case, current_user)
    except ModerationRefused as error:
        return _refused(str(error))
    if not form.validate_on_submit():
        return _case_page(case, **{form_name: form})
    try:
        done_ok = _apply(case, decide)
    except ModerationRefused as error:
        db.session.rollback()
        return _refused(str(error))
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("moderation.show_case", case_id=case.id))
    if done_ok:
        current_app.logger.info("case %s moderated: %s", case.id, form_name)
        flash(done, "success")
    return redirect(url_for("moderation.show_case", case_id=case.id))


@bp.post("/cases/<int:case_id>/agree")
def agree_grade(case_id: int) -> str | Response | tuple[str, int]:
    """Agree with the auditor's grade: it becomes the final grade."""
    case, _ = load_case(case_id, LEAD)
    form = AgreeForm(prefix="agree")
    return _decide(
        case,
        "agree_form",
        form,
        lambda: moderation.agree_grade(case, current_user),
        f"Case {case.reference} moderated: you agreed with the auditor's grade.",
    )


@bp.post("/cases/<int:case_id>/change")
def change_grade(case_id: int) -> str | Response | tuple[str, int]:
    """Set a different final grade, with a reason."""
    case, _ = load_case(case_id, LEAD)
    form = ChangeGradeForm(prefix="change")
    return _decide(
        case,
        "change_form",
        form,
        lambda: moderation.change_grade(
            case, current_user, form.grade.data or "", form.reason.data
        ),
        f"Case {case.reference} moderated: grade changed.",
    )


@bp.post("/cases/<int:case_id>/return")
def return_to_auditor(case_id: int) -> str | Response | tuple[str, int]:
    """Send the case back to its auditor with a comment."""
    case, _ = load_case(case_id, LEAD)
    form = ReturnToAuditorForm(prefix="return")
    return _decide(
        case,
        "return_form",
        form,
        lambda: moderation.return_to_auditor(case, current_user, form.comment.data),
        f"Case {case.reference} returned to its auditor.",
    )


# --- second audits ------------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/second-audit")
def request_second_audit(case_id: int) -> str | Response | tuple[str, int]:
    """Ask another auditor to audit the case blind."""
    case, _ = load_case(case_id, LEAD)
    form = SecondAuditRequestForm(prefix="second")
    form.auditor.choices = [
        ("", "Choose an auditor"),
        *((str(u.id), u.name) for u in moderation.eligible_second_auditors(case)),
    ]
    if not form.validate_on_submit():
        return _case_page(case, second_form=form)
    try:
        second = moderation.request_second_audit(case, current_user, int(form.auditor.data))
        db.session.commit()
    except IntegrityError:  # another lead asked at the same moment: one second audit per case
        db.session.rollback()
        flash(f"Case {case.reference} already has a second audit.", "error")
        return redirect(url_for("moderation.show_case", case_id=case.id))
    except ModerationRefused as error:
        db.session.rollback()
        return _refused(str(error))
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("moderation.show_case", case_id=case.id))
    current_app.logger.info("second audit %s requested for case %s", second.id, case.id)
    flash(f"{second.auditor.name} has been asked to audit case {case.reference}.", "success")
    return redirect(url_for("moderation.show_case", case_id=case.id))


def _compare_page(case: Case, form: ResolveSecondAuditForm) -> str:
    second = moderation.second_audit_for(case)
    comparison = (
        moderation.compare_audits(case, second, current_user)
        if second is not None and second.status != SecondAuditStatus.IN_PROGRESS
        else None
    )
    return render_template(
        "moderation/compare_audits.html",
        case=case,
        inspection=case.inspection,
        second=second,
        comparison=comparison,
        form=form,
        may_resolve=moderation.may_moderate(case, current_user),
    )


@bp.get("/cases/<int:case_id>/second-audit")
def compare_audits(case_id: int) -> str:
    """The first and second audits side by side, for the lead."""
    case, _ = load_case(case_id, LEAD)
    second = moderation.second_audit_for(case)
    form = ResolveSecondAuditForm(prefix="resolve")
    if second is not None and second.status == SecondAuditStatus.SUBMITTED and not form.grade.data:
        form.grade.data = (
            moderation.first_grade(case)
            if moderation.first_grade(case) == moderation.second_grade(second)
            else None
        )
    return _compare_page(case, form)


@bp.post("/cases/<int:case_id>/second-audit/resolve")
def resolve_second_audit(case_id: int) -> str | Response | tuple[str, int]:
    """Record the grade the two audits resolve to, and a note."""
    case, _ = load_case(case_id, LEAD)
    second = moderation.second_audit_for(case)
    if second is None:
        flash(f"Case {case.reference} has no second audit to resolve.", "error")
        return redirect(url_for("moderation.show_case", case_id=case.id))
    try:
        moderation.check_may_moderate(case, current_user, "resolve it")
    except ModerationRefused as error:
        return _refused(str(error))
    form = ResolveSecondAuditForm(prefix="resolve")
    if not form.validate_on_submit():
        return _compare_page(case, form)
    try:
        done_ok = _apply(
            case,
            lambda: moderation.resolve_second_audit(
                second, current_user, form.grade.data or "", form.note.data
            ),
        )
    except ModerationRefused as error:
        db.session.rollback()
        return _refused(str(error))
    except ModerationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("moderation.compare_audits", case_id=case.id))
    if done_ok:
        flash(f"Second audit of case {case.reference} resolved.", "success")
    return redirect(url_for("moderation.compare_audits", case_id=case.id))


# --- agreement ----------------------------------------------------------------------------------


@bp.get("/inspections/<int:inspection_id>/agreement")
def show_agreement(inspection_id: int) -> str:
    """Agreement between first and moderated grades, and between first and second audits."""
    inspection, _ = load_inspection(inspection_id, LEAD)
    return render_template(
        "moderation/show_agreement.html",
        inspection=inspection,
        figures=moderation.agreement_figures(inspection.id),
    )
