"""What an export download is called, and the audit-log entry each export leaves."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

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


# Words that name the kind of force rather than the force, left out of file names.
_FORCE_WORDS = frozenset({"constabulary", "police", "service", "force"})


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", ascii_text.lower())


def download_slug(force: str, title: str, when: date | None) -> str:
    """The start of every download's name, from the force, the inspection title and its month.

    "Cambridgeshire Constabulary", "Post-inspection review 2022", 5 September 2022 ->
    ``cambridgeshire-post-inspection-review-2022-09``: the force without a closing
    "constabulary" or "police", the title, then the year and month (a title ending in that
    year gives it once).
    """
    words = _words(force)
    while len(words) > 1 and words[-1] in _FORCE_WORDS:
        words.pop()
    title_words = _words(title)
    if when is not None:
        if title_words and title_words[-1] == f"{when:%Y}":
            title_words.pop()
        title_words += [f"{when:%Y}", f"{when:%m}"]
    return "-".join(words + title_words)[:120].strip("-") or "inspection"


def download_name(inspection: Inspection, suffix: str) -> str:
    """A file name for people, e.g. ``cambridgeshire-post-inspection-review-2022-09-cases.csv``."""
    when = inspection.start_date or (
        inspection.created_at.date() if inspection.created_at else None
    )
    return f"{download_slug(inspection.force, inspection.title, when)}-{suffix}"
