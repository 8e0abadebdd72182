"""Enumerations stored as short strings (portable between SQLite and PostgreSQL)."""

from enum import StrEnum


class GlobalRole(StrEnum):
    """A user's role across the whole application."""

    ADMIN = "admin"
    USER = "user"


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


class RecommendationKind(StrEnum):
    """Recommendations and areas for improvement are both followed up."""

    RECOMMENDATION = "recommendation"
    AREA_FOR_IMPROVEMENT = "area_for_improvement"

    @property
    def label(self) -> str:
        """Text shown to users."""
        return (
            "Recommendation"
            if self is RecommendationKind.RECOMMENDATION
            else "Area for improvement"
        )


class CaseStatus(StrEnum):
    """Where a case is in the audit: draft -> submitted -> moderated."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    MODERATED = "moderated"

    @property
    def label(self) -> str:
        """Text shown to users."""
        return self.value.capitalize()


class ModerationAction(StrEnum):
    """What a lead decided about a submitted case."""

    AGREE = "agree"
    CHANGE = "change"
    RETURN = "return"


class SecondAuditStatus(StrEnum):
    """Progress of a blind second audit."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RESOLVED = "resolved"


class ProgressJudgement(StrEnum):
    """A lead's judgement of progress on a recommendation (IRP scale, or not assessed)."""

    NOT_ASSESSED = "not_assessed"
    NO_MEANINGFUL_PROGRESS = "no_meaningful_progress"
    INSUFFICIENT_PROGRESS = "insufficient_progress"
    REASONABLE_PROGRESS = "reasonable_progress"
    GOOD_PROGRESS = "good_progress"

    @property
    def label(self) -> str:
        """Text shown to users."""
        return self.value.replace("_", " ").capitalize()
