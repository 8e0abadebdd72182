"""Routes of the audit area: my cases, the case form (first audit and blind second audit),
saving as you go, submitting, case studies, urgent concerns and the case's history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from auditapp.audit import bp
from auditapp.audit.forms import (
    CaseStudyForm,
    ConcernActionForm,
    CurrentRiskForm,
    RemoveRiskForm,
    SaveAnswersForm,
    SubmitCaseForm,
)
from auditapp.audit.presenters import error_list, parse_posted, read_only_rows, section_views
from auditapp.domain.question_sets import AnswerError
from auditapp.extensions import db
from auditapp.models import Case, InspectionRole, SecondAudit
from auditapp.permissions import load_case, load_inspection
from auditapp.services.audit import (
    case_studies,
    concerns,
    loading,
    saving,
    submitting,
    timeline,
)
from auditapp.services.audit import (
    my_cases as assigned,
)
from auditapp.services.audit.errors import (
    AnswerConflict,
    AuditFormError,
    CaseLocked,
    ConcernError,
    GradeProposalError,
    SubmitBlocked,
    UnknownQuestion,
)
from auditapp.services.audit.saving import FormSaveResult

T = TypeVar("T")
LEAD = InspectionRole.LEAD


# --- loading with permissions -------------------------------------------------------------------


def _load_first_audit(case_id: int) -> tuple[Case, InspectionRole | None]:
    """Leads and observers see any case; an auditor sees only the cases assigned to them.

    Keeping other auditors out is what keeps a blind second audit blind.
    """
    case, role = load_case(case_id)
    if role is InspectionRole.AUDITOR and case.auditor_id != current_user.id:
        abort(403)
    return case, role


def _load_second_audit(case_id: int) -> tuple[Case, SecondAudit]:
    """Only the case's second auditor opens its second audit."""
    case, _ = load_case(case_id)
    second = loading.second_audit_of(case)
    if second is None:
        abort(404)
    if second.auditor_id != current_user.id:
        abort(403)
    return case, second


def _load(case_id: int, audit_round: int) -> Case:
    if audit_round == 2:
        return _load_second_audit(case_id)[0]
    return _load_first_audit(case_id)[0]


def _case_url(case: Case, audit_round: int, **kwargs: Any) -> str:
    endpoint = "audit.show_second_audit" if audit_round == 2 else "audit.show_case"
    return url_for(endpoint, case_id=case.id, **kwargs)


def _with_retry(case_id: int, operation: Callable[[Case], T]) -> T:
    """Run a change and commit; after a concurrent commit (stale version), reload and retry once.

    The retry re-runs the per-answer checks against the newly committed state, so it either
    saves (the other change touched something else) or raises AnswerConflict.
    """
    for attempt in (1, 2):
        # The first attempt uses the case the permission check loaded in this transaction;
        # the retry reads what the other writer committed.
        case = db.session.get(Case, case_id, populate_existing=attempt == 2)
        assert case is not None
        try:
            result = operation(case)
            db.session.commit()
            return result
        except (StaleDataError, IntegrityError):
            db.session.rollback()
            current_app.logger.info("case %s changed concurrently (attempt %s)", case_id, attempt)
            if attempt == 2:
                raise
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


# --- my cases -----------------------------------------------------------------------------------


@bp.get("/cases")
def my_cases() -> str:
    """Every case assigned to me, across my inspections."""
    rows = assigned.my_cases(current_user)
    return render_template("audit/my_cases.html", rows=rows, inspection=None)


@bp.get("/inspections/<int:inspection_id>/cases")
def my_inspection_cases(inspection_id: int) -> str:
    """The cases assigned to me in one inspection."""
    inspection, _ = load_inspection(inspection_id)
    rows = assigned.my_cases(current_user, inspection.id)
    return render_template("audit/my_cases.html", rows=rows, inspection=inspection)


# --- the case form ------------------------------------------------------------------------------


def _render_case(
    case: Case,
    role: InspectionRole | None,
    audit_round: int,
    *,
    posted: dict[str, Any] | None = None,
    result: FormSaveResult | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if case.question_set is None:
        return _no_question_set(case)
    state = loading.form_state(case, current_user, audit_round)
    errors = result.errors if result else {}
    conflicts = result.conflicts if result else {}
    is_lead = role is LEAD
    return (
        render_template(
            "audit/show_case.html",
            case=case,
            state=state,
            role=role,
            is_lead=is_lead,
            audit_round=audit_round,
            form=SaveAnswersForm(formdata=None, base_version=state.version),
            sections=section_views(state, posted=posted, errors=errors, conflicts=conflicts),
            read_only_rows=read_only_rows,
            error_items=error_list(errors, conflicts),
            timeline=timeline.case_timeline(case, audit_round),
            concern_form=ConcernActionForm(),
            concern=concerns.concern_of(case) if audit_round == 1 else None,
            save_url=_case_url(case, audit_round) + "/answers/__QUESTION__",
        ),
        status,
    )


def _no_question_set(case: Case) -> tuple[str, int]:
    return (
        render_template(
            "errors/error.html",
            code=409,
            title=f"Case {case.reference} has no question set yet",
            message="The inspection's lead chooses the question set for each case type. "
            "Ask them to choose one, then come back to this case.",
        ),
        409,
    )


@bp.get("/cases/<int:case_id>")
def show_case(case_id: int) -> tuple[str, int]:
    """The case: the form for its auditor, read-only for leads, observers and once submitted."""
    case, role = _load_first_audit(case_id)
    return _render_case(case, role, 1)


@bp.get("/cases/<int:case_id>/second-audit")
def show_second_audit(case_id: int) -> tuple[str, int]:
    """The blind second audit: the same form, round 2, never showing round-1 work."""
    case, _ = _load_second_audit(case_id)
    return _render_case(case, None, 2)


def _save_whole_form(case_id: int, audit_round: int) -> Response | tuple[str, int]:
    if audit_round == 2:
        case, role = _load_second_audit(case_id)[0], None
    else:
        case, role = _load_first_audit(case_id)
    if case.question_set is None:
        return _no_question_set(case)
    form = SaveAnswersForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        base_version = int(form.base_version.data) if form.base_version.data else None
    except ValueError:
        abort(400)
    posted = parse_posted(request.form, loading.form_state(case, None, audit_round).qs)
    try:
        result = _with_retry(
            case.id,
            lambda c: saving.save_form(
                c, current_user, posted, base_version=base_version, audit_round=audit_round
            ),
        )
    except CaseLocked as error:
        return render_template(
            "errors/error.html", code=409, title="This case is read-only", message=error.message
        ), 409
    except PermissionError:
        abort(403)
    except (StaleDataError, IntegrityError):
        return render_template(
            "errors/error.html",
            code=409,
            title="Someone else changed this case first",
            message="Go back, reload the case and save again.",
        ), 409
    case = db.session.get(Case, case_id)
    assert case is not None
    if not result.ok:
        return _render_case(case, role, audit_round, posted=posted, result=result)
    flash(
        "Your answers have been saved." if result.changed else "No answers had changed.", "success"
    )
    if request.form.get("action") == "submit":
        endpoint = "audit.submit_second_audit" if audit_round == 2 else "audit.submit_case"
        return redirect(url_for(endpoint, case_id=case.id))
    return redirect(_case_url(case, audit_round))


@bp.post("/cases/<int:case_id>")
def save_answers(case_id: int) -> Response | tuple[str, int]:
    """Save the whole form (works without JavaScript), then show it again."""
    return _save_whole_form(case_id, 1)


@bp.post("/cases/<int:case_id>/second-audit")
def save_second_audit_answers(case_id: int) -> Response | tuple[str, int]:
    """Save the whole second-audit form."""
    return _save_whole_form(case_id, 2)


def _save_json(case_id: int, question_id: str, audit_round: int) -> tuple[dict[str, Any], int]:
    case = _load(case_id, audit_round)  # held, so _with_retry finds it in the identity map
    if case.question_set is None:
        return {"error": "locked", "message": "This case has no question set yet"}, 409
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return {"error": "bad_request", "message": "Send the answer as JSON"}, 400
    changes: dict[str, Any] = {k: payload[k] for k in ("value", "note") if k in payload}
    base_version = payload.get("base_version")
    note = changes.get("note")
    if (
        not changes
        or (base_version is not None and not isinstance(base_version, int))
        or (note is not None and not isinstance(note, str))
    ):
        return {"error": "bad_request", "message": "Send a value or a note and a base_version"}, 400
    try:
        state = _with_retry(
            case_id,
            lambda c: saving.save_answer(
                c,
                current_user,
                question_id,
                base_version=base_version,
                base_value=payload.get("base_value") or None,
                base_note=payload.get("base_note") or None,
                audit_round=audit_round,
                **changes,
            ),
        )
    except AnswerConflict as conflict:
        return conflict.to_dict(), 409
    except AnswerError as error:
        return {"error": "invalid", "question_id": question_id, "message": error.message}, 422
    except CaseLocked as error:
        return {"error": "locked", "message": error.message}, 409
    except UnknownQuestion:
        abort(404)
    except PermissionError:
        abort(403)
    except (StaleDataError, IntegrityError):
        return {
            "error": "busy",
            "message": "Someone else saved at the same moment: trying again",
        }, 409
    body = state.to_json()
    body["answer"] = {
        "question_id": question_id,
        "value": state.values.get(question_id),
        "note": state.notes.get(question_id),
    }
    return body, 200


@bp.post("/cases/<int:case_id>/answers/<question_id>")
def save_answer(case_id: int, question_id: str) -> tuple[dict[str, Any], int]:
    """Save one answer or note as it changes (JSON; CSRF token in X-CSRFToken)."""
    return _save_json(case_id, question_id, 1)


@bp.post("/cases/<int:case_id>/second-audit/answers/<question_id>")
def save_second_audit_answer(case_id: int, question_id: str) -> tuple[dict[str, Any], int]:
    """Save one answer or note of a second audit as it changes."""
    return _save_json(case_id, question_id, 2)


# --- submitting ---------------------------------------------------------------------------------


def _submit(case_id: int, audit_round: int) -> str | Response | tuple[str, int]:
    case = _load(case_id, audit_round)
    if case.question_set is None:
        return _no_question_set(case)
    if not loading.can_edit(case, current_user, audit_round):
        if request.method == "POST":
            abort(409 if _is_own(case, audit_round) else 403)
        return redirect(_case_url(case, audit_round))
    state = loading.form_state(case, current_user, audit_round)
    form = SubmitCaseForm()
    form.set_choices(state.grade_value)
    problems = submitting.submission_problems(state)
    error_items: list[dict[str, str]] = []
    if form.validate_on_submit():
        try:
            _with_retry(
                case.id,
                lambda c: submitting.submit_case(
                    c,
                    current_user,
                    proposed_grade=form.proposed_grade,
                    reason=form.reason.data,
                    audit_round=audit_round,
                ),
            )
        except SubmitBlocked as blocked:
            problems = blocked.problems
        except GradeProposalError as error:
            form.reason.errors = [*form.reason.errors, error.message]
        except CaseLocked:
            abort(409)
        else:
            flash("Case submitted. It is read-only until a lead returns it.", "success")
            return redirect(_case_url(case, audit_round))
        case = _load(case_id, audit_round)
        state = loading.form_state(case, current_user, audit_round)
    if request.method == "POST":
        error_items = [
            {"text": message, "href": _case_url(case, audit_round) + f"#question-{qid}"}
            for qid, message in problems
        ]
    elif state.grade_value:
        form.grade_choice.data = form.grade_choice.data or "computed"
    return render_template(
        "audit/submit_case.html",
        case=case,
        state=state,
        form=form,
        problems=problems,
        error_items=error_items,
        audit_round=audit_round,
        case_url=_case_url(case, audit_round),
    )


def _is_own(case: Case, audit_round: int) -> bool:
    if audit_round == 1:
        return case.auditor_id == current_user.id
    second = loading.second_audit_of(case)
    return second is not None and second.auditor_id == current_user.id


@bp.route("/cases/<int:case_id>/submit", methods=["GET", "POST"])
def submit_case(case_id: int) -> str | Response | tuple[str, int]:
    """Check the grade and why, propose another with a reason, and submit."""
    return _submit(case_id, 1)


@bp.route("/cases/<int:case_id>/second-audit/submit", methods=["GET", "POST"])
def submit_second_audit(case_id: int) -> str | Response | tuple[str, int]:
    """Submit a blind second audit."""
    return _submit(case_id, 2)


# --- case studies -------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/case-study", methods=["GET", "POST"])
def edit_case_study(case_id: int) -> str | Response:
    """Flag the case as a case study (its auditor while a draft, or a lead)."""
    case, role = _load_first_audit(case_id)
    if not (role is LEAD or loading.can_edit(case, current_user, 1)):
        abort(403)
    form = CaseStudyForm()
    if request.method == "GET":
        form.is_case_study.data = "yes" if case.is_case_study else None
        form.narrative.data = case.case_study_narrative
    if form.validate_on_submit():
        try:
            _with_retry(
                case.id,
                lambda c: case_studies.set_case_study(
                    c,
                    current_user,
                    flagged=form.is_case_study.data == "yes",
                    narrative=form.narrative.data,
                ),
            )
        except AuditFormError as error:
            form.narrative.errors = [*form.narrative.errors, error.message]
        else:
            flash(
                "Case study saved." if form.is_case_study.data == "yes" else "Case study removed.",
                "success",
            )
            return redirect(url_for("audit.show_case", case_id=case.id))
    return render_template("audit/edit_case_study.html", case=case, form=form)


# --- urgent concerns ----------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/current-risk", methods=["GET", "POST"])
def flag_current_risk(case_id: int) -> str | Response:
    """Flag a child at current risk (the case's auditor, at any stage, or a lead)."""
    case, role = _load_first_audit(case_id)
    # Safety cannot wait for a return: the assigned auditor may flag even a submitted case.
    if not (role is LEAD or case.auditor_id == current_user.id):
        abort(403)
    if case.current_risk:
        flash("This case is already flagged: a child at current risk.", "info")
        return redirect(url_for("audit.show_case", case_id=case.id))
    form = CurrentRiskForm()
    if form.validate_on_submit():
        try:
            _with_retry(
                case.id, lambda c: concerns.flag_current_risk(c, current_user, form.note.data)
            )
        except ConcernError as error:
            form.note.errors = [*form.note.errors, error.message]
        else:
            current_app.logger.warning(
                "urgent concern flagged on case %s (inspection %s)", case.id, case.inspection_id
            )
            flash(
                "Child at current risk flagged. The case is inadequate and the inspection's "
                "leads have been alerted.",
                "success",
            )
            return redirect(url_for("audit.show_case", case_id=case.id))
    return render_template("audit/flag_current_risk.html", case=case, form=form)


@bp.get("/inspections/<int:inspection_id>/concerns")
def list_concerns(inspection_id: int) -> str:
    """Every urgent concern in the inspection, for its leads."""
    inspection, _ = load_inspection(inspection_id, LEAD)
    return render_template(
        "audit/list_concerns.html",
        inspection=inspection,
        concerns=concerns.urgent_concerns(inspection.id),
        form=ConcernActionForm(),
    )


def _concern_action(case_id: int, action: Callable[[Case, Any], None], done: str) -> Response:
    case, _ = load_case(case_id, LEAD)
    form = ConcernActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _with_retry(case.id, lambda c: action(c, current_user))
    except ConcernError as error:
        flash(error.message, "info")
    else:
        flash(done, "success")
    target = request.form.get("next")
    if target == "case":
        return redirect(url_for("audit.show_case", case_id=case.id))
    return redirect(url_for("audit.list_concerns", inspection_id=case.inspection_id))


@bp.post("/cases/<int:case_id>/current-risk/acknowledge")
def acknowledge_concern(case_id: int) -> Response:
    """A lead acknowledges an urgent concern."""
    return _concern_action(case_id, concerns.acknowledge_concern, "Concern acknowledged.")


@bp.post("/cases/<int:case_id>/current-risk/raised")
def mark_concern_raised(case_id: int) -> Response:
    """A lead records that the concern was raised with the force."""
    return _concern_action(
        case_id, concerns.mark_concern_raised, "Concern marked as raised with the force."
    )


@bp.route("/cases/<int:case_id>/current-risk/remove", methods=["GET", "POST"])
def remove_current_risk(case_id: int) -> str | Response:
    """A lead removes a current-risk flag, giving a reason."""
    case, _ = load_case(case_id, LEAD)
    if not case.current_risk:
        return redirect(url_for("audit.show_case", case_id=case.id))
    form = RemoveRiskForm()
    if form.validate_on_submit():
        try:
            _with_retry(
                case.id,
                lambda c: concerns.remove_current_risk(c, current_user, form.reason.data),
            )
        except ConcernError as error:
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            flash("Flag removed. The case has been regraded without it.", "success")
            return redirect(url_for("audit.show_case", case_id=case.id))
    return render_template("audit/remove_current_risk.html", case=case, form=form)


@bp.app_template_global("urgent_concerns_count")
def urgent_concerns_count(inspection_id: int) -> int:
    """Open urgent concerns for the banner: counted only for the inspection's leads."""
    if not current_user.is_authenticated or not concerns.lead_of(current_user, inspection_id):
        return 0
    return concerns.open_concerns_count(inspection_id)
