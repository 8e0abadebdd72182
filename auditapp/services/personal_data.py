"""The one check of free text for personal data, for every save: forms, JSON, services.

The rule is ``domain/personal_data.free_text_findings``; this module turns it into a refusal
(``PersonalDataInText``, raised before anything is saved or logged) and into the findings the
case form's as-typed warning shows (``findings_for``). The text itself is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditapp.domain.personal_data import free_text_findings, free_text_message


@dataclass
class PersonalDataInText(ValueError):
    """Free text that seems to hold personal data: the message says what, and asks to rephrase."""

    message: str

    def __str__(self) -> str:
        return self.message


def check_free_text(text: str | None, what: str = "note") -> None:
    """Refuse free text that seems to hold personal data (PersonalDataInText); None passes.

    ``what`` names the text in the message: "note", "comment", "reason", "narrative".
    """
    if not text:
        return
    message = free_text_message(text, what)
    if message is not None:
        raise PersonalDataInText(message)


def findings_for(text: str, what: str = "note") -> dict[str, Any]:
    """What looks personal in ``text``, as the as-typed warning reads it (JSON)."""
    findings = free_text_findings(text)
    return {
        "message": free_text_message(text, what),
        "findings": [
            {"kind": finding.kind, "start": finding.start, "end": finding.end}
            for finding in findings
        ],
    }
