"""What an export download is called, and the audit-log entry each export leaves."""

from __future__ import annotations

from auditapp.extensions import db
from auditapp.models import Inspection, User
from auditapp.services.audit_log import record_event
from auditapp.services.exports.tables import FORMATS, ExportError


def record_export(
    user: User | None, inspection: Inspection, export_format: str, what: str = "all"
) -> None:
    """Put the export in the audit log: who (user), when (now), what format and table."""
    if export_format not in FORMATS:
        raise ExportError(f"unknown format {export_format!r}")
    record_event(
        "export",
        "inspection",
        user=user,
        entity_id=inspection.id,
        inspection_id=inspection.id,
        field=export_format,
        new=what,
    )
    db.session.flush()


def download_name(inspection: Inspection, suffix: str) -> str:
    """A file name for a download, e.g. ``inspection-3-cases.csv``."""
    return f"inspection-{inspection.id}-{suffix}"
