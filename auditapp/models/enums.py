"""Enumerations stored as short strings (portable between SQLite and PostgreSQL).

Statuses, grades and judgements are domain concepts and live in ``auditapp.domain``; they are
imported here so the models (and older imports from this module) use the one definition.
"""

from enum import StrEnum

from auditapp.domain.recommendations import Progress as ProgressJudgement
from auditapp.domain.recommendations import RecommendationKind
from auditapp.domain.statuses import (
    CaseStatus,
    ModerationAction,
    NotificationKind,
    SecondAuditStatus,
)

__all__ = [
    "AccountLinkPurpose",
    "CaseStatus",
    "GlobalRole",
    "InspectionKind",
    "InspectionRole",
    "ModerationAction",
    "NotificationKind",
    "ProgressJudgement",
    "RecommendationKind",
    "SecondAuditStatus",
]


class GlobalRole(StrEnum):
    """A user's role across the whole application."""

    ADMIN = "admin"
    USER = "user"


class AccountLinkPurpose(StrEnum):
    """What a one-time link to set a password is for."""

    INVITATION = "invitation"  # a new account's first password
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of link; an administrator started it


class InspectionRole(StrEnum):
    """A member's role within one inspection."""

    LEAD = "lead"
    AUDITOR = "auditor"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        """Text shown to users."""
        return self.value.capitalize()


class InspectionKind(StrEnum):
    """What sort of inspection this is."""

    FULL = "full_inspection"
    POST_INSPECTION_REVIEW = "post_inspection_review"
    THEMATIC = "thematic"

    @property
    def label(self) -> str:
        """Text shown to users."""
        return {
            "full_inspection": "Full inspection",
            "post_inspection_review": "Post-inspection review",
            "thematic": "Thematic inspection",
        }[self.value]
