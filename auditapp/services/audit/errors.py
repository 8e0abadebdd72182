"""The reasons an audit action is refused, as exceptions the views turn into messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditapp.domain.question_sets import AnswerError
from auditapp.permissions import NotVisible


class AuditFormError(Exception):
    """A user-facing reason why an audit action cannot be done."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class RoundNotFound(NotVisible):
    """No such case in the user's inspections, or no second audit of it (a 404)."""


class CaseLocked(AuditFormError):
    """The case (or second audit) is submitted: read-only until a lead returns it."""


class GradeProposalError(AuditFormError):
    """A proposed grade without a reason, or a grade the case cannot have."""


class ConcernError(AuditFormError):
    """An urgent-concern action that does not fit the concern's state."""


class UnknownQuestion(AuditFormError):
    """The question is not in the case's question set."""


@dataclass(eq=False)
class AnswerConflict(AuditFormError):
    """Someone changed this answer after the user last saw it: both values, so the user chooses."""

    question_id: str
    field: str  # "value" or "note"
    yours: str | None
    theirs: str | None
    theirs_label: str
    yours_label: str
    theirs_by: str | None
    theirs_at: datetime | None
    version: int

    def __post_init__(self) -> None:
        super().__init__(
            f"Someone else changed the {'answer' if self.field == 'value' else 'note'} "
            f"to {self.question_id} while you were editing"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of a 409 response."""
        return {
            "error": "conflict",
            "message": self.message,
            "question_id": self.question_id,
            "field": self.field,
            "version": self.version,
            "yours": {"value": self.yours, "label": self.yours_label},
            "theirs": {
                "value": self.theirs,
                "label": self.theirs_label,
                "by": self.theirs_by,
                "at": self.theirs_at.isoformat() if self.theirs_at else None,
            },
        }


@dataclass(eq=False)
class SubmitBlocked(AuditFormError):
    """Required questions are unanswered (or a derived check cannot be worked out)."""

    problems: list[tuple[str, str]]

    def __post_init__(self) -> None:
        super().__init__(f"{len(self.problems)} questions need an answer before you submit")


class PersonalDataRefused(AnswerError):
    """A note (``field`` "note") or a text answer ("value") that seems to hold personal data."""

    def __init__(self, message: str, field: str):
        self.field = field
        super().__init__(message)
