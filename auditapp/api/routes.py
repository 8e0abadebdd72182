"""The read-only JSON API, and the page where users manage their personal API tokens.

Data endpoints accept a signed-in session or ``Authorization: Bearer <token>``; without either
they answer 401 JSON. Inspections follow the same membership rules as the pages (404 for
non-members). The OpenAPI document (``/api/openapi.json``) describes every response.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from auditapp.api import bp
from auditapp.api.forms import CreateTokenForm, RevokeTokenForm
from auditapp.api.openapi import openapi_document as build_openapi
from auditapp.domain.aggregation import GradeBreakdown
from auditapp.domain.statistics import Share
from auditapp.extensions import db
from auditapp.models import Inspection
from auditapp.permissions import load_inspection
from auditapp.services import api_tokens, findings, inspections

# Endpoints that serve data: they take a session or a bearer token.
_DATA_ENDPOINTS = {
    "api.list_inspections",
    "api.show_summary",
    "api.show_findings",
    "api.show_recommendations",
    "api.list_evidence",
    "api.show_action_plan",
}


def _unauthorised(message: str) -> Response:
    response = jsonify({"error": 401, "message": message})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="auditapp"'
    return response


@bp.before_request
def _authenticate() -> Response | None:
    """Bearer token or session for data endpoints; 401 JSON otherwise."""
    if request.endpoint not in _DATA_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = api_tokens.user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            db.session.rollback()
            return _unauthorised("The API token is not valid, has expired or has been revoked")
        db.session.commit()  # keeps last_used_at
        # Flask-Login reads the request's user from g._login_user: this request only, no
        # session cookie is created for token requests.
        g._login_user = user
        current_app.logger.info("api token request by user %s", user.id)
        return None
    if not current_user.is_authenticated:
        return _unauthorised("Sign in, or send an API token as 'Authorization: Bearer <token>'")
    return None


def _share(share: Share) -> dict[str, Any]:
    return share.to_dict()


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _inspection_json(inspection: Inspection, role: str | None = None) -> dict[str, Any]:
    data = {
        "id": inspection.id,
        "title": inspection.title,
        "force": inspection.force,
        "kind": inspection.kind,
        "start_date": _iso(inspection.start_date),
        "end_date": _iso(inspection.end_date),
        "baseline_id": inspection.baseline_id,
    }
    if role is not None:
        data["role"] = role
    return data


def _breakdown(row: GradeBreakdown) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "cases": row.cases,
        "graded": row.graded,
        "ungraded": row.ungraded,
        "provisional": row.provisional,
        "grades": {g.grade: _share(g.share) for g in row.grades},
    }


@bp.get("/inspections")
def list_inspections() -> Response:
    """The inspections the user is a member of, newest first, with their role."""
    mine = inspections.my_inspections(current_user)
    return jsonify({"inspections": [_inspection_json(m.inspection, m.role) for m in mine]})


@bp.get("/inspections/<int:inspection_id>/summary")
def show_summary(inspection_id: int) -> Response:
    """Headline, grades overall and by case type, and progress of the work."""
    inspection, _ = load_inspection(inspection_id)
    dash = findings.dashboard(inspection.id)
    weighted = findings.stratified_headline(inspection.id)
    return jsonify(
        {
            "inspection": _inspection_json(inspection),
            "headline": dash.headline,
            "provisional": dash.provisional,
            "unmoderated": dash.unmoderated,
            "unconfirmed": dash.unconfirmed,
            "provisional_grades": dash.provisional_grades,
            "total": _breakdown(dash.overall),
            "weighted": None
            if weighted is None
            else {
                "text": weighted.text,
                "strata": weighted.strata,
                "cases": weighted.cases,
                "grades": {w.grade: w.share.to_dict() for w in weighted.grades},
            },
            "by_case_type": [_breakdown(row) for row in dash.by_case_type],
            "progress": [
                {
                    "case_type": p.key,
                    "label": p.label,
                    "kind": p.kind,
                    "sampled": p.sampled,
                    "in_progress": p.in_progress,
                    "submitted": p.submitted,
                    "moderated": p.moderated,
                }
                for p in dash.progress
            ],
        }
    )


@bp.get("/inspections/<int:inspection_id>/findings")
def show_findings(inspection_id: int) -> Response:
    """Outcome counts for every question of every question set used."""
    inspection, _ = load_inspection(inspection_id)
    sets = findings.question_findings_with_answers(inspection.id)
    return jsonify(
        {
            "inspection_id": inspection.id,
            "question_sets": [
                {
                    "question_set_id": s.question_set_id,
                    "case_type": s.case_type,
                    "case_type_name": s.case_type_name,
                    "kind": s.kind,
                    "version": s.version,
                    "title": s.title,
                    "cases": s.cases,
                    "questions": [
                        {
                            "code": q.code,
                            "section": q.section,
                            "text": q.text,
                            "answer_type": q.answer_type,
                            "graded": q.graded,
                            "critical": q.critical,
                            "recommendation_codes": list(q.recommendation_codes),
                            "met": q.met,
                            "partly_met": q.partly_met,
                            "not_met": q.not_met,
                            "not_applicable": q.not_applicable,
                            "applicable": q.applicable,
                            "summary": q.summary,
                            "met_share": _share(q.share) if q.shows_outcomes else None,
                            "answers": q.answers.to_dict() if q.answers else None,
                        }
                        for q in s.questions
                    ],
                }
                for s in sets
            ],
        }
    )


def recommendation_json(r: findings.RecommendationProgressRow) -> dict[str, Any]:
    """One recommendation's progress as the API gives it: the figures of ``ProgressFigures``,
    unrounded (``now_rate``, ``baseline_rate``, ``change``) and as the pages show them."""
    f = r.figures
    return {
        "code": r.code,
        "kind": r.kind,
        "chapter": r.chapter,
        "timescale": r.timescale,
        "text": r.text,
        "sub_points": list(r.sub_points),
        "met": r.met,
        "partly_met": r.partly_met,
        "not_met": r.not_met,
        "applicable": r.applicable,
        **f.to_dict(),
        "baseline_computed": r.baseline_computed,
        "baseline_source": r.baseline_source,
        "suggested": {
            "judgement": str(f.suggestion.judgement),
            "label": f.suggestion.judgement.label,
            "reason": f.suggestion.reason,
        },
        "judgement": {
            "value": r.judgement,
            "label": r.judgement_label,
            "narrative": r.narrative,
            "judged_by": r.judged_by,
            "judged_at": _iso(r.judged_at),
        },
        "questions": [
            {
                "case_type": q.case_type,
                "question_id": q.question_id,
                "text": q.text,
                "met": q.met,
                "partly_met": q.partly_met,
                "not_met": q.not_met,
                "applicable": q.applicable,
                "summary": q.summary,
                "use": str(q.use),
                "baseline_met": q.baseline_met,
                "baseline_partly_met": q.baseline_partly_met,
                "baseline_not_met": q.baseline_not_met,
                "baseline_applicable": q.baseline_applicable,
                "now_rate": None if q.now_rate is None else float(q.now_rate),
                "baseline_rate": None if q.baseline_rate is None else float(q.baseline_rate),
                "now_text": q.now_text,
                "baseline_text": q.baseline_text,
                "change_text": q.change_text,
            }
            for q in r.questions
        ],
        "weak_answers": [
            {
                "reference": w.reference,
                "case_type": w.case_type,
                "question_id": w.question_id,
                "outcome": str(w.outcome),
                "note": w.note,
            }
            for w in r.weak_answers
        ],
    }


@bp.get("/inspections/<int:inspection_id>/recommendations")
def show_recommendations(inspection_id: int) -> Response:
    """Progress on each recommendation of the baseline inspection."""
    inspection, _ = load_inspection(inspection_id)
    progress = findings.recommendation_progress(
        inspection, findings.blind_case_ids(inspection.id, current_user.id)
    )
    return jsonify(
        {
            "inspection_id": inspection.id,
            "baseline": (
                {"id": progress.baseline_id, "title": progress.baseline_title}
                if progress.baseline_id is not None
                else None
            ),
            "baseline_audited_cases": progress.baseline_audited_cases,
            "min_cases": progress.min_cases,
            "recommendations": [recommendation_json(r) for r in progress.rows],
        }
    )


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API (public: it holds no data)."""
    return jsonify(build_openapi())


# --- personal API tokens (session only) ---------------------------------------------------------


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def list_tokens() -> str | Response:
    """List your tokens and create one; a new token is shown on this page once only."""
    form = CreateTokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            row, new_token = api_tokens.create_token(
                current_user,
                form.name.data or "",
                form.expires_in_days.data or api_tokens.DEFAULT_EXPIRY_DAYS,
            )
        except api_tokens.ApiTokenError as error:
            form.name.errors = [str(error)]
        else:
            db.session.commit()
            current_app.logger.info("api token %s created by user %s", row.id, current_user.id)
            # Rendered, not redirected: the token exists only in this response.
            form = CreateTokenForm(formdata=None)
    return render_template(
        "api/list_tokens.html",
        form=form,
        revoke_form=RevokeTokenForm(),
        tokens=api_tokens.active_tokens(current_user),
        new_token=new_token,
    )


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    """Revoke one of your tokens: it stops working at once."""
    form = RevokeTokenForm()
    if form.validate_on_submit():
        try:
            row = api_tokens.revoke_token(current_user, token_id)
        except api_tokens.ApiTokenError:
            flash("That token does not exist or is already revoked.", "error")
        else:
            db.session.commit()
            flash(f"Token \u201c{row.name}\u201d revoked.", "success")
    return redirect(url_for("api.list_tokens"))
