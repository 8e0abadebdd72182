"""Template globals and filters: labels, tags and dates come from Python, not templates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g
from govuk_frontend_wtf.main import WTFormsHelpers

from auditapp.domain.grades import grade_label, grade_tag
from auditapp.domain.grading import critical_words
from auditapp.domain.percentages import percent_text
from auditapp.domain.statuses import CaseStatus, ModerationAction, SecondAuditStatus
from auditapp.models.enums import InspectionKind, InspectionRole

_LONDON = ZoneInfo("Europe/London")


def format_datetime(value: datetime | None) -> str:
    """UK local time, e.g. 5 September 2022, 14:05."""
    if value is None:
        return ""
    return value.astimezone(_LONDON).strftime("%-d %B %Y, %H:%M")


def format_date(value: date | None) -> str:
    """e.g. 5 September 2022."""
    if value is None:
        return ""
    return value.strftime("%-d %B %Y")


def inspection_kind_label(kind: str) -> str:
    """Label of an inspection kind."""
    return InspectionKind(kind).label


def role_label(role: str | None) -> str:
    """Label of an inspection role."""
    return InspectionRole(role).label if role else "Administrator"


def register_template_helpers(app: Flask) -> None:
    """Expose helpers to every template."""
    WTFormsHelpers(app)
    # The one grade-to-tag helper lives with Grade; templates call it or the gradeTag macro.
    app.add_template_global(grade_tag)
    app.add_template_global(grade_label)
    app.add_template_global(critical_words)
    # Templates compare statuses with the enums (case.status == CaseStatus.DRAFT), never strings.
    for status_enum in (CaseStatus, SecondAuditStatus, ModerationAction):
        app.add_template_global(status_enum, status_enum.__name__)
    app.add_template_global(inspection_kind_label)
    app.add_template_global(role_label)
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    # Every percentage a template works out is rounded half up by the one function.
    app.add_template_filter(percent_text, "percent")

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {
            "service_name": app.config["SERVICE_NAME"],
            "csp_nonce": g.get("csp_nonce", ""),
        }
