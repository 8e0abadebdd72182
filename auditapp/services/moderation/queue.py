"""The moderation queue: the cases a lead moderates, filtered, counted, policy's cases first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from auditapp.domain.moderation import PolicyProgress
from auditapp.extensions import db
from auditapp.models import Case, CaseStatus, CaseType, SecondAudit, User
from auditapp.services.moderation.decisions import first_grade

STATUS_FILTERS = {
    "submitted": "Awaiting moderation",
    "moderated": "Moderated",
    "returned": "Returned to auditor",
    "all": "All",
}


@dataclass(frozen=True)
class QueueFilters:
    """What the lead filtered the queue by (None = any)."""

    case_type: str | None = None
    auditor_id: int | None = None
    grade: str | None = None
    status: str = "submitted"


@dataclass(frozen=True)
class QueueRow:
    """One case in the moderation queue."""

    case: Case
    case_type_name: str
    auditor_name: str
    first_grade: str | None
    policy_reasons: tuple[str, ...]
    second_audit_status: str | None


@dataclass(frozen=True)
class QueueCounts:
    """How many cases are in each state, before filtering."""

    submitted: int
    moderated: int
    returned: int


def _status_clause(status: str) -> Any:
    if status == "moderated":
        return Case.status == CaseStatus.MODERATED
    if status == "returned":
        return (Case.status == CaseStatus.DRAFT) & Case.returned_comment.is_not(None)
    if status == "all":
        return Case.status.in_([CaseStatus.SUBMITTED, CaseStatus.MODERATED]) | (
            (Case.status == CaseStatus.DRAFT) & Case.returned_comment.is_not(None)
        )
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
    counts = {"submitted": 0, "moderated": 0, "returned": 0}
    for row in rows:
        if row["status"] == CaseStatus.SUBMITTED:
            counts["submitted"] += row["cases"]
        elif row["status"] == CaseStatus.MODERATED:
            counts["moderated"] += row["cases"]
        elif row["returned"]:
            counts["returned"] += row["cases"]
    return QueueCounts(**counts)


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
