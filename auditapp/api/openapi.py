"""The OpenAPI 3.1 document of the read-only JSON API (its schemas are JSON Schema 2020-12)."""

from __future__ import annotations

from typing import Any

from auditapp.domain.action_plans import ActionStatus
from auditapp.domain.evidence import EvidenceKind

API_VERSION = "1.0.0"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"] if isinstance(kind, str) else [*kind, "null"]}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STRING = {"type": "string"}
INTEGER = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
PROGRESS_VALUES = [
    "not_assessed",
    "no_meaningful_progress",
    "insufficient_progress",
    "reasonable_progress",
    "good_progress",
]

DATE = {"type": "string", "format": "date"}
EVIDENCE_KINDS = [kind.value for kind in EvidenceKind]
ACTION_STATUSES = [status.value for status in ActionStatus]

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {"error": {"type": ["integer", "string"]}, "message": STRING},
        "An error: 401 without valid credentials, 404 for an inspection you are not a member of.",
    ),
    "Inspection": {
        **_object(
            {
                "id": INTEGER,
                "title": STRING,
                "force": STRING,
                "kind": {"enum": ["full_inspection", "post_inspection_review", "thematic"]},
                "start_date": _nullable({"type": "string", "format": "date"}),
                "end_date": _nullable({"type": "string", "format": "date"}),
                "baseline_id": _nullable(INTEGER),
                "role": {"enum": ["lead", "auditor", "observer"]},
            }
        ),
        "required": ["id", "title", "force", "kind", "start_date", "end_date", "baseline_id"],
    },
    "InspectionList": _object({"inspections": _array(_ref("Inspection"))}),
    "Share": _object(
        {
            "count": INTEGER,
            "total": INTEGER,
            "percent": _nullable(INTEGER),
            "ci_low": _nullable(FRACTION),
            "ci_high": _nullable(FRACTION),
            "ci_low_percent": _nullable(INTEGER),
            "ci_high_percent": _nullable(INTEGER),
        },
        "count of total cases, as a whole percentage, with its Wilson 95% confidence interval "
        "(fractions and whole percentages; null when total is 0). Always a count of cases.",
    ),
    "WeightedShare": _object(
        {
            "estimate": FRACTION,
            "percent": INTEGER,
            "variance": {"type": "number", "minimum": 0},
            "effective_cases": {"type": "number", "minimum": 0},
            "cases": INTEGER,
            "ci_low": FRACTION,
            "ci_high": FRACTION,
            "ci_low_percent": INTEGER,
            "ci_high_percent": INTEGER,
        },
        "A stratified (weighted) estimate of a share of the force's cases: sum of W_h p_h "
        "with W_h = N_h / N, and a Wilson 95% interval at the effective sample size "
        "p(1 - p) / variance (see the README, Findings rules).",
    ),
    "WeightedHeadline": _object(
        {
            "text": STRING,
            "strata": INTEGER,
            "cases": INTEGER,
            "grades": _object(
                {
                    "good": _ref("WeightedShare"),
                    "requires_improvement": _ref("WeightedShare"),
                    "inadequate": _ref("WeightedShare"),
                }
            ),
        },
        "The headline's grades weighted for a sample drawn at unequal fractions per stratum.",
    ),
    "GradeBreakdown": _object(
        {
            "key": STRING,
            "label": STRING,
            "cases": INTEGER,
            "graded": INTEGER,
            "ungraded": INTEGER,
            "provisional": {
                **BOOLEAN,
                "description": (
                    "true when any counted grade is not yet moderated or rests on an "
                    "unverified threshold the inspection has not confirmed"
                ),
            },
            "grades": _object(
                {
                    "good": _ref("Share"),
                    "requires_improvement": _ref("Share"),
                    "inadequate": _ref("Share"),
                }
            ),
        }
    ),
    "WorkProgress": _object(
        {
            "case_type": STRING,
            "label": STRING,
            "kind": {"enum": ["case", "dip_sample"]},
            "sampled": INTEGER,
            "in_progress": INTEGER,
            "submitted": INTEGER,
            "moderated": INTEGER,
        }
    ),
    "Summary": _object(
        {
            "inspection": _ref("Inspection"),
            "headline": {
                **STRING,
                "examples": [
                    "24 cases audited: 6 good (25%), 5 requires improvement (21%), "
                    "13 inadequate (54%)"
                ],
            },
            "provisional": BOOLEAN,
            "unmoderated": INTEGER,
            "unconfirmed": {
                **INTEGER,
                "description": (
                    "counted grades resting on an unverified threshold the inspection has "
                    "not confirmed"
                ),
            },
            "provisional_grades": {
                **INTEGER,
                "description": "counted grades not yet moderated or resting on such a threshold",
            },
            "total": _ref("GradeBreakdown"),
            "weighted": {
                "oneOf": [_ref("WeightedHeadline"), {"type": "null"}],
                "description": "null when every stratum was sampled at the same fraction",
            },
            "by_case_type": _array(_ref("GradeBreakdown")),
            "progress": _array(_ref("WorkProgress")),
        }
    ),
    "QuestionFinding": _object(
        {
            "code": STRING,
            "section": STRING,
            "text": STRING,
            "answer_type": STRING,
            "graded": BOOLEAN,
            "critical": BOOLEAN,
            "recommendation_codes": _array(STRING),
            "met": INTEGER,
            "partly_met": INTEGER,
            "not_met": INTEGER,
            "not_applicable": INTEGER,
            "applicable": INTEGER,
            "summary": {**STRING, "examples": ["met in 1 of 5 applicable cases"]},
            "met_share": {
                "oneOf": [_ref("Share"), {"type": "null"}],
                "description": "the share of applicable cases fully met, with its interval; "
                "null for a question not graded or with no applicable case",
            },
            "answers": {
                "oneOf": [_ref("AnswerFigures"), {"type": "null"}],
                "description": "every other kind of answer in figures; null for a graded "
                "yes/no question (its figures are the outcome counts)",
            },
        }
    ),
    "AnswerFigures": _object(
        {
            "kind": {"enum": ["yes_no", "frequencies", "number", "elapsed", "answered"]},
            "answered": INTEGER,
            "not_applicable": INTEGER,
            "text": {**STRING, "examples": ["Secure accommodation in 3 of 5 cases"]},
            "values": _array(
                _object({"value": STRING, "label": STRING, "cases": INTEGER, "of": INTEGER})
            ),
            "median": _nullable(STRING),
            "low": _nullable(STRING),
            "high": _nullable(STRING),
            "median_value": _nullable(NUMBER),
            "low_value": _nullable(NUMBER),
            "high_value": _nullable(NUMBER),
            "within": _nullable(INTEGER),
            "partly_within": _nullable(INTEGER),
            "timed": _nullable(INTEGER),
        },
        "A question's answers in figures: a frequency table (choices, checklists, ungraded "
        "yes/no), median and range (numbers; timeliness checks in minutes, with the cases "
        "within target), or the cases that answered (text, dates). No interval.",
    ),
    "QuestionSetFindings": _object(
        {
            "question_set_id": INTEGER,
            "case_type": STRING,
            "case_type_name": STRING,
            "kind": {"enum": ["case", "dip_sample"]},
            "version": INTEGER,
            "title": STRING,
            "cases": INTEGER,
            "questions": _array(_ref("QuestionFinding")),
        }
    ),
    "Findings": _object(
        {"inspection_id": INTEGER, "question_sets": _array(_ref("QuestionSetFindings"))}
    ),
    "LinkedQuestion": _object(
        {
            "case_type": STRING,
            "question_id": STRING,
            "text": STRING,
            "met": INTEGER,
            "partly_met": INTEGER,
            "not_met": INTEGER,
            "applicable": INTEGER,
            "summary": STRING,
            "use": {"enum": ["compared", "new_evidence", "now_only", "no_cases"]},
            "baseline_met": _nullable(INTEGER),
            "baseline_partly_met": _nullable(INTEGER),
            "baseline_not_met": _nullable(INTEGER),
            "baseline_applicable": _nullable(INTEGER),
            "now_rate": _nullable(FRACTION),
            "baseline_rate": _nullable(FRACTION),
            "now_text": STRING,
            "baseline_text": STRING,
            "change_text": STRING,
        },
        "A linked question: its counts over cases now and at the baseline (null: not asked), "
        "its rates (partly met counts half) and how it enters the figures: compared (in the "
        "change), new_evidence (beside it), now_only (in the rate now; nothing compared), "
        "no_cases.",
    ),
    "WeakAnswer": _object(
        {
            "reference": _nullable(STRING),
            "case_type": STRING,
            "question_id": STRING,
            "outcome": {"enum": ["not_met", "partly_met"]},
            "note": STRING,
        }
    ),
    "RecommendationProgress": _object(
        {
            "code": STRING,
            "kind": {"enum": ["recommendation", "area_for_improvement"]},
            "chapter": STRING,
            "timescale": STRING,
            "text": STRING,
            "sub_points": _array(STRING),
            "met": INTEGER,
            "partly_met": INTEGER,
            "not_met": INTEGER,
            "applicable": INTEGER,
            "now_rate": _nullable(FRACTION),
            "baseline_rate": _nullable(FRACTION),
            "change": _nullable({"type": "number", "minimum": -1, "maximum": 1}),
            "now_percent": _nullable({"type": "number", "minimum": 0, "maximum": 100}),
            "baseline_percent": _nullable({"type": "number", "minimum": 0, "maximum": 100}),
            "change_points": _nullable({"type": "number", "minimum": -100, "maximum": 100}),
            "now_text": STRING,
            "baseline_text": STRING,
            "change_text": STRING,
            "now_cases": INTEGER,
            "baseline_cases": _nullable(INTEGER),
            "min_cases": INTEGER,
            "baseline_entered": BOOLEAN,
            "compared_questions": INTEGER,
            "new_evidence_questions": INTEGER,
            "baseline_computed": BOOLEAN,
            "baseline_source": STRING,
            "suggested": _object(
                {
                    "judgement": {"enum": [*PROGRESS_VALUES, "insufficient_evidence"]},
                    "label": STRING,
                    "reason": STRING,
                }
            ),
            "judgement": _object(
                {
                    "value": {"enum": PROGRESS_VALUES},
                    "label": STRING,
                    "narrative": STRING,
                    "judged_by": _nullable(STRING),
                    "judged_at": _nullable({"type": "string", "format": "date-time"}),
                }
            ),
            "questions": _array(_ref("LinkedQuestion")),
            "weak_answers": _array(_ref("WeakAnswer")),
        },
        "Progress on one recommendation, like for like. now_rate and baseline_rate are the "
        "means of the compared questions' case-level rates (fractions, unrounded); change is "
        "now_rate - baseline_rate. now_percent, baseline_percent and change_points are the "
        "numbers the pages, exports and charts show (rates rounded down, the change towards "
        "zero, to a tenth), and the *_text fields their words. met, partly_met, not_met and "
        "applicable are answers pooled over every linked question, for reference only: no "
        "rate is worked out from them.",
    ),
    "Recommendations": _object(
        {
            "inspection_id": INTEGER,
            "baseline": {
                "oneOf": [_object({"id": INTEGER, "title": STRING}), {"type": "null"}],
            },
            "baseline_audited_cases": INTEGER,
            "min_cases": INTEGER,
            "recommendations": _array(_ref("RecommendationProgress")),
        }
    ),
    "Figure": _object(
        {
            "value": NUMBER,
            "value_text": STRING,
            "unit": STRING,
            "as_of": DATE,
            "text": {
                **STRING,
                "examples": ["48 medium-priority cases not yet visited (9 September 2022)"],
            },
        },
        "A figure quoted as evidence: a number, what it counts, and the day it was true on.",
    ),
    "EvidenceEntry": _object(
        {
            "id": INTEGER,
            "kind": {"enum": EVIDENCE_KINDS},
            "kind_label": STRING,
            "date": DATE,
            "source": STRING,
            "description": STRING,
            "figures": _array(_ref("Figure")),
            "recommendations": _array(STRING),
            "chapters": _array(STRING),
        },
        "One entry of the evidence log; recommendations are codes.",
    ),
    "EvidenceLog": _object({"inspection_id": INTEGER, "entries": _array(_ref("EvidenceEntry"))}),
    "Action": _object(
        {
            "id": INTEGER,
            "recommendation": STRING,
            "chapter": STRING,
            "timescale": STRING,
            "description": STRING,
            "owner": STRING,
            "status": {"enum": ACTION_STATUSES},
            "status_label": STRING,
            "due": _nullable(DATE),
            "due_reason": STRING,
            "overdue": BOOLEAN,
            "updates": _array(
                _object(
                    {"date": DATE, "text": STRING, "status": {"enum": [*ACTION_STATUSES, None]}}
                )
            ),
        },
        "One action of the force's plan. due is worked out from the recommendation's timescale "
        "and the report's publication date (null, with the reason, when it cannot be); overdue "
        "is true for an open action past its due date.",
    ),
    "ActionPlan": _object(
        {
            "inspection_id": INTEGER,
            "published_on": _nullable(DATE),
            "actions": _array(_ref("Action")),
        }
    ),
}


def _json_response(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


_ERRORS = {
    "401": _json_response("Error", "Not signed in and no valid API token"),
}
_INSPECTION_ERRORS = {
    **_ERRORS,
    "404": _json_response("Error", "No such inspection, or you are not a member of it"),
}
_INSPECTION_ID = {
    "name": "inspection_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}


def _inspection_get(summary: str, schema: str, operation_id: str) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [_INSPECTION_ID],
            "responses": {"200": _json_response(schema, summary), **_INSPECTION_ERRORS},
        }
    }


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "auditapp findings API",
            "version": API_VERSION,
            "description": (
                "Read-only figures of the inspections you are a member of: the same as the "
                "findings pages. Authenticate with a signed-in session or a personal API token "
                "(create one under /api/tokens) sent as 'Authorization: Bearer <token>'. "
                "Figures that include grades not yet moderated, or resting on an unverified "
                "threshold the inspection has not confirmed, are marked provisional."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerToken": []}, {"session": []}],
        "paths": {
            "/api/inspections": {
                "get": {
                    "operationId": "listInspections",
                    "summary": "The inspections you are a member of",
                    "responses": {
                        "200": _json_response("InspectionList", "Your inspections"),
                        **_ERRORS,
                    },
                }
            },
            "/api/inspections/{inspection_id}/summary": _inspection_get(
                "Headline, grades overall and by case type, and progress",
                "Summary",
                "getSummary",
            ),
            "/api/inspections/{inspection_id}/findings": _inspection_get(
                "Outcome counts per question", "Findings", "getFindings"
            ),
            "/api/inspections/{inspection_id}/recommendations": _inspection_get(
                "Progress on the baseline inspection's recommendations",
                "Recommendations",
                "getRecommendations",
            ),
            "/api/inspections/{inspection_id}/evidence": _inspection_get(
                "The evidence log: documents examined, interviews, focus groups, force data",
                "EvidenceLog",
                "getEvidence",
            ),
            "/api/inspections/{inspection_id}/action-plan": _inspection_get(
                "The force's actions on the recommendations followed up",
                "ActionPlan",
                "getActionPlan",
            ),
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
