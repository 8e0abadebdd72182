"""Routes of the audit form: my cases, the case form of a round (the first audit or a blind
second audit), saving as you go, and submitting. Each pair of endpoints resolves its round and
shares one view."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from auditapp.audit import bp
from auditapp.audit.forms import (
    ConcernActionForm,
    SaveAnswersForm,
    SubmitCaseForm,
    SubmitUngradedCaseForm,
)
from auditapp.audit.presenters import error_list, parse_posted, read_only_rows, section_views
from auditapp.audit.resolve import commit_round_change, first_audit, second_audit
from auditapp.domain.grading import allowed_grades
from auditapp.domain.question_sets import AnswerError
from auditapp.domain.question_sets.answers import DATE_PARTS, TIME_PARTS
from auditapp.json_body import json_body
from auditapp.permissions import load_inspection
from auditapp.services.audit import concerns, loading, saving, submitting, timeline
from auditapp.services.audit import my_cases as assigned
from auditapp.services.audit.errors import (
    AnswerConflict,
    CaseLocked,
    GradeProposalError,
    PersonalDataRefused,
    SubmitBlocked,
    UnknownQuestion,
)
from auditapp.services.audit.round import AuditRound
from auditapp.services.audit.saving import FormSaveResult

# --- my cases -----------------------------------------------------------------------------------


def _my_cases_page(rows: list[assigned.MyCase], inspection: Any) -> str:
    """My cases with the filters, sort and search of the query string, and the progress count."""
    chosen = {
        key: request.args.get(key, "").strip()[:64] for key in ("type", "status", "q", "sort")
    }
    shown = assigned.arrange(
        rows, case_type=chosen["type"], status=chosen["status"], search=chosen["q"],
        sort=chosen["sort"],
    )  # fmt: skip
    return render_template(
        "audit/my_cases.html",
        rows=shown,
        total=len(rows),
        progress_count=assigned.submitted_count(rows),
        chosen=chosen,
        type_options=sorted({r.case_type_name for r in rows}),
        status_options=sorted({r.status_tag["text"] for r in rows}),
        sorts=assigned.SORTS,
        inspection=inspection,
    )


@bp.get("/cases")
def my_cases() -> str:
    """Every case assigned to me, across my inspections."""
    return _my_cases_page(assigned.my_cases(current_user), None)


@bp.get("/inspections/<int:inspection_id>/cases")
def my_inspection_cases(inspection_id: int) -> str:
    """The cases assigned to me in one inspection."""
    inspection, _ = load_inspection(inspection_id)
    return _my_cases_page(assigned.my_cases(current_user, inspection.id), inspection)


# --- the case form ------------------------------------------------------------------------------


def _render_case(
    audit: AuditRound,
    *,
    posted: dict[str, Any] | None = None,
    result: FormSaveResult | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if audit.case.question_set_id is None:
        return _no_question_set(audit)
    state = loading.form_state(audit)
    errors = result.errors if result else {}
    conflicts = result.conflicts if result else {}
    note_errors = result.note_errors if result else {}
    return (
        render_template(
            "audit/show_case.html",
            case=audit.case,
            round=audit,
            state=state,
            form=SaveAnswersForm(formdata=None, base_version=state.version),
            sections=section_views(
                state, posted=posted, errors=errors, conflicts=conflicts, note_errors=note_errors
            ),
            read_only_rows=read_only_rows,
            error_items=error_list(errors, conflicts, note_errors),
            timeline=timeline.case_timeline(audit),
            concern_form=ConcernActionForm(),
            # An urgent concern is the first audit's: a blind second auditor never sees it.
            concern=concerns.concern_of(audit.case) if audit.current_risk else None,
            # Once submitted, the way on to the auditor's next case that is not submitted.
            next_case=(
                assigned.next_open_case(current_user, audit.case)
                if audit.is_own and audit.is_submitted
                else None
            ),
            show_next_case=audit.is_own and audit.is_submitted,
        ),
        status,
    )


def _no_question_set(audit: AuditRound) -> tuple[str, int]:
    return (
        render_template(
            "errors/error.html",
            code=409,
            title=f"Case {audit.case.reference} has no question set yet",
            message="The inspection's lead chooses the question set for each case type. "
            "Ask them to choose one, then come back to this case.",
        ),
        409,
    )


@bp.get("/cases/<int:case_id>")
def show_case(case_id: int) -> tuple[str, int]:
    """The case: the form for its auditor, read-only for leads, observers and once submitted."""
    return _render_case(first_audit(case_id))


@bp.get("/cases/<int:case_id>/second-audit")
def show_second_audit(case_id: int) -> tuple[str, int]:
    """The blind second audit: the same form, never showing the first audit's work."""
    return _render_case(second_audit(case_id))


def _save_whole_form(audit: AuditRound) -> Response | tuple[str, int]:
    if audit.case.question_set_id is None:
        return _no_question_set(audit)
    form = SaveAnswersForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        base_version = int(form.base_version.data) if form.base_version.data else None
    except ValueError:
        abort(400)
    posted = parse_posted(request.form, loading.question_set_of(audit.case))
    try:
        result = commit_round_change(
            audit, lambda a: saving.save_form(a, posted, base_version=base_version)
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
    if not result.ok:
        return _render_case(audit, posted=posted, result=result)
    if result.changed:  # nothing saved, nothing to celebrate: no banner
        flash("Your answers have been saved.", "success")
    if request.form.get("action") == "submit":
        return redirect(audit.submit_url)
    return redirect(audit.form_url)


@bp.post("/cases/<int:case_id>")
def save_answers(case_id: int) -> Response | tuple[str, int]:
    """Save the whole form (works without JavaScript), then show it again."""
    return _save_whole_form(first_audit(case_id))


@bp.post("/cases/<int:case_id>/second-audit")
def save_second_audit_answers(case_id: int) -> Response | tuple[str, int]:
    """Save the whole second-audit form."""
    return _save_whole_form(second_audit(case_id))


def _is_text(*values: Any) -> bool:
    return all(value is None or isinstance(value, str) for value in values)


def _is_answer(value: Any) -> bool:
    """The JSON shapes an answer comes in: text, a checklist's list of texts, or a date's fields
    as texts ({"day": "5", "month": "9", ...})."""
    if isinstance(value, dict):
        return (
            bool(value) and set(value) <= {*DATE_PARTS, *TIME_PARTS} and _is_text(*value.values())
        )
    return _is_text(value) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _save_json(audit: AuditRound, question_id: str) -> tuple[dict[str, Any], int]:
    if audit.case.question_set_id is None:
        return {"error": "locked", "message": "This case has no question set yet"}, 409
    payload = json_body()  # odd JSON (too deep, huge numbers, lone surrogates) is a 400 there
    if not isinstance(payload, dict):
        return {"error": "bad_request", "message": "Send the answer as a JSON object"}, 400
    changes: dict[str, Any] = {k: payload[k] for k in ("value", "note") if k in payload}
    base_version = payload.get("base_version")
    if (
        not changes
        or (base_version is not None and type(base_version) is not int)
        or not _is_answer(changes.get("value"))
        or not _is_text(changes.get("note"), payload.get("base_value"), payload.get("base_note"))
    ):
        return {
            "error": "bad_request",
            "message": "Send a value (text, a list of texts for a checklist, or a date's fields) "
            "or a note "
            "(text), and the case's base_version (a whole number). Nothing was changed.",
        }, 400
    try:
        state = commit_round_change(
            audit,
            lambda a: saving.save_answer(
                a,
                question_id,
                base_version=base_version,
                base_value=payload.get("base_value") or None,
                base_note=payload.get("base_note") or None,
                **changes,
            ),
        )
    except AnswerConflict as conflict:
        return conflict.to_dict(), 409
    except PersonalDataRefused as refused:  # nothing saved, nothing logged: the form shows it
        return {
            "error": "personal_data",
            "question_id": question_id,
            "field": refused.field,
            "message": refused.message,
        }, 422
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
    return _save_json(first_audit(case_id), question_id)


@bp.post("/cases/<int:case_id>/second-audit/answers/<question_id>")
def save_second_audit_answer(case_id: int, question_id: str) -> tuple[dict[str, Any], int]:
    """Save one answer or note of a second audit as it changes."""
    return _save_json(second_audit(case_id), question_id)


# --- submitting ---------------------------------------------------------------------------------


def _submit(audit: AuditRound) -> str | Response | tuple[str, int]:
    if audit.case.question_set_id is None:
        return _no_question_set(audit)
    if not audit.editable:
        if request.method == "POST":
            abort(409 if audit.is_own else 403)
        return redirect(audit.form_url)
    state = loading.form_state(audit)
    form = SubmitCaseForm() if audit.case.case_type.graded else SubmitUngradedCaseForm()
    # Every grade is a valid answer, so a forbidden one meets the rule's own reason (from the
    # service) rather than "Not a valid choice"; the page offers only those the rule allows.
    form.set_choices(state.grade_value)
    problems = submitting.submission_problems(state)
    error_items: list[dict[str, str]] = []
    if form.validate_on_submit():
        try:
            commit_round_change(
                audit,
                lambda a: submitting.submit_case(
                    a, proposed_grade=form.proposed_grade, reason=form.reason_text
                ),
            )
        except SubmitBlocked as blocked:
            problems = blocked.problems
        except GradeProposalError as error:
            form.add_reason_error(error.message)
        except CaseLocked:
            abort(409)
        else:
            flash("Case submitted. It is read-only until a lead returns it.", "success")
            return redirect(audit.form_url)
        audit = audit.reloaded()
        state = loading.form_state(audit)
    form.set_choices(state.grade_value, allowed_grades(state.grade))
    if request.method == "POST":
        error_items = [
            {"text": message, "href": f"{audit.form_url}#question-{qid}"}
            for qid, message in problems
        ]
    elif state.grade_value:
        form.grade_choice.data = form.grade_choice.data or "computed"
    return render_template(
        "audit/submit_case.html",
        case=audit.case,
        round=audit,
        state=state,
        form=form,
        problems=problems,
        error_items=error_items,
        sections=section_views(state),
        read_only_rows=read_only_rows,
    )


@bp.route("/cases/<int:case_id>/submit", methods=["GET", "POST"])
def submit_case(case_id: int) -> str | Response | tuple[str, int]:
    """Check the grade and why, propose another with a reason, and submit."""
    return _submit(first_audit(case_id))


@bp.route("/cases/<int:case_id>/second-audit/submit", methods=["GET", "POST"])
def submit_second_audit(case_id: int) -> str | Response | tuple[str, int]:
    """Submit a blind second audit."""
    return _submit(second_audit(case_id))
