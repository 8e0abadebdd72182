"""The moderation queue: the cases a lead moderates, filtered, counted, policy's cases first."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from auditapp.domain.moderation import PolicyProgress
from auditapp.domain.statuses import AUDITED_STATUSES
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, CaseType, SecondAudit, SecondAuditStatus, User
from auditapp.services.moderation.decisions import first_grade


class QueueStatus(StrEnum):
    """Where a case stands for moderation; the queue's status filter (ALL lists every one)."""

    SUBMITTED = CaseStatus.SUBMITTED.value
    MODERATED = CaseStatus.MODERATED.value
    RETURNED = "returned"  # a draft again, with the lead's comment
    ALL = "all"

    @property
    def label(self) -> str:
        """Return the words a lead reads, e.g. "Awaiting moderation"."""
        return _QUEUE_STATUS_LABELS[self]


_QUEUE_STATUS_LABELS = {
    QueueStatus.SUBMITTED: "Awaiting moderation",
    QueueStatus.MODERATED: "Moderated",
    QueueStatus.RETURNED: "Returned to auditor",
    QueueStatus.ALL: "All",
}
# The status filter's choices (value: words), in the order the filter lists them.
STATUS_FILTERS = {str(status): status.label for status in QueueStatus}


def moderation_status(case: Case) -> QueueStatus | None:
    """Where the case stands for moderation; None for a draft never submitted."""
    if case.status == CaseStatus.SUBMITTED:
        return QueueStatus.SUBMITTED
    if case.status == CaseStatus.MODERATED:
        return QueueStatus.MODERATED
    return QueueStatus.RETURNED if case.returned_comment else None


def moderation_status_words(case: Case) -> str:
    """The case's status as a lead reads it ("Awaiting moderation", or "Draft")."""
    status = moderation_status(case)
    return status.label if status else CaseStatus.DRAFT.label


@dataclass(frozen=True)
class QueueFilters:
    """What the lead filtered the queue by (None = any)."""

    case_type: str | None = None
    auditor_id: int | None = None
    grade: str | None = None
    status: QueueStatus = QueueStatus.SUBMITTED


@dataclass(frozen=True)
class QueueRow:
    """One case in the moderation queue."""

    case: Case
    case_type_name: str
    auditor_name: str
    first_grade: str | None
    policy_reasons: tuple[str, ...]
    second_audit_status: str | None

    @property
    def status(self) -> QueueStatus | None:
        """Where the case stands for moderation."""
        return moderation_status(self.case)

    @property
    def second_audit_words(self) -> str | None:
        """The second audit's progress in words ("in progress"), None when there is none."""
        status = self.second_audit_status
        return SecondAuditStatus(status).label.lower() if status else None


@dataclass(frozen=True)
class QueueCounts:
    """How many cases are in each state, before filtering."""

    submitted: int
    moderated: int
    returned: int


def _status_clause(status: QueueStatus) -> Any:
    returned = (Case.status == CaseStatus.DRAFT) & Case.returned_comment.is_not(None)
    if status == QueueStatus.MODERATED:
        return Case.status == CaseStatus.MODERATED
    if status == QueueStatus.RETURNED:
        return returned
    if status == QueueStatus.ALL:
        return Case.status.in_(AUDITED_STATUSES) | returned
    return Case.status == CaseStatus.SUBMITTED


def moderation_queue(
    inspection_id: int, filters: QueueFilters, progress: PolicyProgress
) -> list[QueueRow]:
    """The cases a lead moderates, filtered, those the policy requires first."""
    query = (
        select(
            Case,
            CaseType.name.label("case_type_name"),
            User.name.label("auditor_name"),
            SecondAudit.status.label("second_audit_status"),
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(User, User.id == Case.auditor_id)
        .outerjoin(SecondAudit, SecondAudit.case_id == Case.id)
        .where(Case.inspection_id == inspection_id, _status_clause(filters.status))
    )
    if filters.case_type:
        query = query.where(CaseType.slug == filters.case_type)
    if filters.auditor_id:
        query = query.where(Case.auditor_id == filters.auditor_id)
    if filters.grade:
        query = query.where(
            func.coalesce(Case.proposed_grade, Case.computed_grade) == filters.grade
        )
    rows = [
        QueueRow(
            case=row.Case,
            case_type_name=row.case_type_name,
            auditor_name=row.auditor_name or "Unassigned",
            first_grade=first_grade(row.Case),
            policy_reasons=progress.reasons.get(row.Case.id, ()),
            second_audit_status=row.second_audit_status,
        )
        for row in db.session.execute(query)
    ]
    rows.sort(key=lambda row: (not row.policy_reasons, row.case.reference))
    return rows


def queue_counts(inspection_id: int) -> QueueCounts:
    """Cases awaiting moderation, moderated, and returned to their auditor."""
    returned = Case.returned_comment.is_not(None)
    rows = db.session.execute(
        select(Case.status, returned.label("returned"), func.count().label("cases"))
        .where(Case.inspection_id == inspection_id)
        .group_by(Case.status, returned)
    ).mappings()
    counts = dict.fromkeys((QueueStatus.SUBMITTED, QueueStatus.MODERATED, QueueStatus.RETURNED), 0)
    for row in rows:
        if row["status"] == CaseStatus.SUBMITTED:
            counts[QueueStatus.SUBMITTED] += row["cases"]
        elif row["status"] == CaseStatus.MODERATED:
            counts[QueueStatus.MODERATED] += row["cases"]
        elif row["returned"]:
            counts[QueueStatus.RETURNED] += row["cases"]
    return QueueCounts(
        submitted=counts[QueueStatus.SUBMITTED],
        moderated=counts[QueueStatus.MODERATED],
        returned=counts[QueueStatus.RETURNED],
    )


def filter_choices(inspection_id: int) -> dict[str, list[tuple[str, str]]]:
    """Options of the queue's filters: case types and auditors that have cases here."""
    case_types = db.session.execute(
        select(CaseType.slug, CaseType.name)
        .join(Case, Case.case_type_id == CaseType.id)
        .where(Case.inspection_id == inspection_id)
        .distinct()
        .order_by(CaseType.name)
    ).all()
    auditors = db.session.execute(
        select(User.id, User.name)
        .join(Case, Case.auditor_id == User.id)
        .where(Case.inspection_id == inspection_id)
        .distinct()
        .order_by(User.name)
    ).all()
    return {
        "case_type": [(row.slug, row.name) for row in case_types],
        "auditor": [(str(row.id), row.name) for row in auditors],
    }
