"""Who may open an inspection's set-up pages: its leads and global admins."""

from __future__ import annotations

from auditapp.models import Inspection, InspectionRole
from auditapp.permissions import load_inspection


def load_for_setup(inspection_id: int) -> Inspection:
    """Set-up pages: the inspection's leads and global admins (404 others, 403 other roles)."""
    inspection, _ = load_inspection(inspection_id, InspectionRole.LEAD, allow_admin=True)
    return inspection
