"""Routes of the moderation area: the queue, decisions, policy, second audits, agreement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.domain.agreement import kappa_band
from auditapp.domain.case_search import reference_matches, search_text
from auditapp.domain.percentages import percent_text
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, InspectionRole, SecondAuditStatus
from auditapp.moderation import bp
from auditapp.moderation.deciding import ViewResult, commit_decision, refusal
from auditapp.moderation.forms import (
    AgreeForm,
    ChangeGradeForm,
    PolicyForm,
    QueueFilterForm,
    ReturnToAuditorForm,
    SecondAuditRequestForm,
)
from auditapp.permissions import load_case, load_inspection
from auditapp.services import moderation
from auditapp.services.audit.concerns import concern_of
from auditapp.services.moderation import QueueFilters, QueueStatus

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


def _change_form(case: Case, form: ChangeGradeForm | None = None) -> ChangeGradeForm:
    """The change form offering only the grades the rule allows for the case."""
    form = form or ChangeGradeForm(prefix="change")
    form.offer(moderation.moderation_grades(case), moderation.first_grade(case))
    return form


def _offer_second_auditors(case: Case, form: SecondAuditRequestForm) -> SecondAuditRequestForm:
    """Offer the auditors who may audit the case blind (not its own auditor)."""
    form.auditor.choices = [
        ("", "Choose an auditor"),
        *((str(u.id), u.name) for u in moderation.eligible_second_auditors(case)),
    ]
    return form


def _case_page(case: Case, **forms: Any) -> str:
    second = moderation.second_audit_for(case)
    request_form = _offer_second_auditors(
        case, forms.get("second_form") or SecondAuditRequestForm(prefix="second")
    )
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
        change_form=_change_form(case, forms.get("change_form")),
        concern=concern_of(case),
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
    case: Case, form_name: str, form: Any, decide: Callable[[], Any], done: str
) -> ViewResult:
    if (refused := refusal(case)) is not None:
        return refused
    if not form.validate_on_submit():
        return _case_page(case, **{form_name: form})
    back = url_for("moderation.show_case", case_id=case.id)
    return commit_decision(case, decide, back, lambda _: done, log=f"moderated: {form_name}")


@bp.post("/cases/<int:case_id>/agree")
def agree_grade(case_id: int) -> ViewResult:
    """Agree with the auditor's grade: it becomes the final grade."""
    case, _ = load_case(case_id, LEAD)
    form = AgreeForm(prefix="agree")
    return _decide(
        case,
        "agree_form",
        form,
        lambda: moderation.agree_grade(case, current_user, form.comment.data),
        f"Case {case.reference} moderated: "
        + (
            "you agreed with the auditor's grade."
            if case.case_type.graded
            else "you accepted its answers."
        ),
    )


@bp.post("/cases/<int:case_id>/change")
def change_grade(case_id: int) -> ViewResult:
    """Set a different final grade, with a reason."""
    case, _ = load_case(case_id, LEAD)
    form = _change_form(case)
    agreeing = form.grade.data == moderation.first_grade(case)
    return _decide(
        case,
        "change_form",
        form,
        lambda: moderation.change_grade(
            case, current_user, form.grade.data or "", form.reason.data
        ),
        f"Case {case.reference} moderated: "
        + ("you agreed with the auditor's grade." if agreeing else "grade changed."),
    )


@bp.post("/cases/<int:case_id>/return")
def return_to_auditor(case_id: int) -> ViewResult:
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
def request_second_audit(case_id: int) -> ViewResult:
    """Ask another auditor to audit the case blind."""
    case, _ = load_case(case_id, LEAD)
    form = _offer_second_auditors(case, SecondAuditRequestForm(prefix="second"))
    if not form.validate_on_submit():
        return _case_page(case, second_form=form)
    return commit_decision(
        case,
        lambda: moderation.request_second_audit(case, current_user, int(form.auditor.data)),
        url_for("moderation.show_case", case_id=case.id),
        lambda second: f"{second.auditor.name} has been asked to audit case {case.reference}.",
        log="second audit requested",
        # another lead asked at the same moment: one second audit per case
        conflict=f"Case {case.reference} already has a second audit.",
    )


@bp.get("/cases/<int:case_id>/second-audit")
def compare_audits(case_id: int) -> str:
    """The first and second audits side by side, for the lead."""
    case, _ = load_case(case_id, LEAD)
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
        may_resolve=moderation.may_moderate(case, current_user),
    )


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
