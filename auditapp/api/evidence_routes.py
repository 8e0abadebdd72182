"""API endpoints of the evidence log and the force's action plan (read-only, like the rest).

Both read through the services' one reader (``entries_for_report``, ``actions_for_report``), so
the API says what the pages, the exports and the Word draft say.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from auditapp.api import bp
from auditapp.domain.evidence import Figure
from auditapp.permissions import load_inspection
from auditapp.services import action_plans, evidence_log


def _figure_json(figure: Figure) -> dict[str, Any]:
    value = figure.value
    number: int | float = int(value) if value == value.to_integral_value() else float(value)
    return {
        "value": number,
        "value_text": figure.value_text,
        "unit": figure.unit,
        "as_of": figure.as_of.isoformat(),
        "text": figure.text,
    }


def entry_json(entry: evidence_log.ReportEvidence) -> dict[str, Any]:
    """One evidence-log entry as JSON."""
    return {
        "id": entry.id,
        "kind": entry.kind.value,
        "kind_label": entry.kind_label,
        "date": entry.held_on.isoformat(),
        "source": entry.source,
        "description": entry.description,
        "figures": [_figure_json(f) for f in entry.figures],
        "recommendations": list(entry.recommendation_codes),
        "chapters": list(entry.chapters),
    }


def action_json(action: action_plans.ReportAction) -> dict[str, Any]:
    """One action of the force's plan as JSON."""
    return {
        "id": action.id,
        "recommendation": action.recommendation_code,
        "chapter": action.chapter,
        "timescale": action.timescale,
        "description": action.description,
        "owner": action.owner,
        "status": action.status.value,
        "status_label": action.status_label,
        "due": action.due.isoformat() if action.due else None,
        "due_reason": action.due_reason,
        "overdue": action.overdue,
        "updates": [
            {
                "date": u.given_on.isoformat(),
                "text": u.text,
                "status": u.status.value if u.status else None,
            }
            for u in action.updates
        ],
    }


@bp.get("/inspections/<int:inspection_id>/evidence")
def list_evidence(inspection_id: int) -> Response:
    """The inspection's evidence log: documents, interviews, focus groups, force data."""
    inspection, _ = load_inspection(inspection_id)
    entries = evidence_log.entries_for_report(inspection)
    return jsonify({"inspection_id": inspection.id, "entries": [entry_json(e) for e in entries]})


@bp.get("/inspections/<int:inspection_id>/action-plan")
def show_action_plan(inspection_id: int) -> Response:
    """The force's actions on the recommendations the inspection follows up."""
    inspection, _ = load_inspection(inspection_id)
    recommendations = evidence_log.recommendations_followed(inspection)
    published = recommendations[0].inspection.published_on if recommendations else None
    return jsonify(
        {
            "inspection_id": inspection.id,
            "published_on": published.isoformat() if published else None,
            "actions": [action_json(a) for a in action_plans.actions_for_report(inspection)],
        }
    )
