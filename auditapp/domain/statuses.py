"""Where a case and its audits stand: case and second-audit statuses, and moderation actions."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case is in the audit: draft -> submitted -> moderated (returned: draft again)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    MODERATED = "moderated"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "Submitted"."""
        return self.value.capitalize()

    @property
    def is_audited(self) -> bool:
        """Return True for submitted and moderated cases: the cases the figures count."""
        return self in AUDITED_STATUSES


# The statuses of audited cases, in a fixed order so SQL built from them (``in_``) is stable.
# Members are strings, so a stored status string is found in it too.
AUDITED_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.MODERATED)


NOT_STARTED = "Not started"
IN_PROGRESS = "In progress"


def is_opened(status: str, answered: bool) -> bool:
    """Return True once a case has been opened: any answer saved, or a status beyond draft.

    A draw whose cases are all unopened can be undone; a case nobody has opened reads
    "Not started".
    """
    return answered or CaseStatus(status) is not CaseStatus.DRAFT


def case_progress_label(status: str, answered: bool) -> str:
    """The words for where a first audit stands: Not started, In progress, Submitted, Moderated.

    A draft is stored the same whether or not anyone has opened it; the words tell them apart.
    """
    if not is_opened(status, answered):
        return NOT_STARTED
    if CaseStatus(status) is CaseStatus.DRAFT:
        return IN_PROGRESS
    return CaseStatus(status).label


class SecondAuditStatus(StrEnum):
    """Progress of a blind second audit."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "In progress"."""
        return self.value.replace("_", " ").capitalize()


class ModerationAction(StrEnum):
    """What a lead decided about a submitted case."""

    AGREE = "agree"
    CHANGE = "change"
    RETURN = "return"

    @property
    def label(self) -> str:
        """Return the decision in words, e.g. "Returned to auditor"."""
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    ModerationAction.AGREE: "Agreed",
    ModerationAction.CHANGE: "Changed",
    ModerationAction.RETURN: "Returned to auditor",
}


class QuestionSetDraftStatus(StrEnum):
    """Where a question-set draft stands: being edited, published as a version, or discarded.

    Only a draft is ever changed; a published or discarded one is kept, unchanged, as history.
    """

    DRAFT = "draft"
    PUBLISHED = "published"
    DISCARDED = "discarded"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "Published"."""
        return self.value.capitalize()


class NotificationKind(StrEnum):
    """Why a user was told something about a case: in the app and, when configured, by email."""

    URGENT_CONCERN = "urgent_concern"
    CASE_RETURNED = "case_returned"
    CASE_ASSIGNED = "case_assigned"
    SECOND_AUDIT_REQUESTED = "second_audit_requested"

    @property
    def label(self) -> str:
        """The words a user reads, e.g. "Urgent concern"."""
        return _NOTIFICATION_LABELS[self]


_NOTIFICATION_LABELS = {
    NotificationKind.URGENT_CONCERN: "Urgent concern",
    NotificationKind.CASE_RETURNED: "Case returned",
    NotificationKind.CASE_ASSIGNED: "Case assigned",
    NotificationKind.SECOND_AUDIT_REQUESTED: "Second audit requested",
}
