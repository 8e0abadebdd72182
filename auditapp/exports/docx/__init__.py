"""The Word draft of the report: the inspectorate's structure, written from the findings.

- ``content``: what the draft holds (sentences, each with its note);
- ``sentences``: the content built from the figure functions and the wording files;
- ``notes``: the numbered notes that trace each figure to its source and cases;
- ``images``: the report's SVG charts drawn as PNG for Word;
- ``builder``: the .docx file, with python-docx.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from auditapp.exports.docx.builder import DOCX_MIMETYPE, write_docx
from auditapp.exports.docx.content import Draft, Note, ReportItem, Sentence
from auditapp.exports.docx.sentences import build_draft, draft_wording
from auditapp.models import Inspection


def write_report_docx(
    inspection: Inspection,
    target: str | Path | IO[bytes],
    *,
    evidence: Sequence[ReportItem] | None = None,
    actions: Sequence[ReportItem] | None = None,
) -> None:
    """Write the inspection's Word draft; evidence and action items are placed when given."""
    write_docx(build_draft(inspection), target, evidence=evidence, actions=actions)


__all__ = [
    "DOCX_MIMETYPE",
    "Draft",
    "Note",
    "ReportItem",
    "Sentence",
    "build_draft",
    "draft_wording",
    "write_docx",
    "write_report_docx",
]
