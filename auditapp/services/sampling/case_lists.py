"""The inspection's case lists: filters, search, pages and the words for where each case stands."""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from auditapp.domain.sampling import SamplingError
from auditapp.domain.statuses import IN_PROGRESS, NOT_STARTED, case_progress_label
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    Inspection,
)
from auditapp.services.sampling.figures import stratum_case_ids

# Case lists ------------------------------------------------------------------------------------

CASE_FILTERS = ("all", "sampled", "unsampled", "unassigned")
# Where a case stands, as the lists filter it (the words: domain/statuses.case_progress_label).
STATUS_FILTERS = {
    "not_started": NOT_STARTED,
    "in_progress": IN_PROGRESS,
    CaseStatus.SUBMITTED.value: CaseStatus.SUBMITTED.label,
    CaseStatus.MODERATED.value: CaseStatus.MODERATED.label,
}


def _case_conditions(
    inspection: Inspection,
    *,
    case_type_id: int | None = None,
    show: str = "all",
    status: str = "",
    search: str = "",
    stratum: str = "",
) -> list[Any]:
    conditions: list[Any] = [Case.inspection_id == inspection.id]
    if case_type_id:
        conditions.append(Case.case_type_id == case_type_id)
    if stratum:
        # A key naming no case type matches nothing rather than everything.
        in_stratum = stratum_case_ids(inspection, stratum)
        conditions.append(Case.id.in_(in_stratum[1]) if in_stratum else false())
    if show in ("sampled", "unassigned"):
        conditions.append(Case.in_sample.is_(True))
    elif show == "unsampled":
        conditions.append(Case.in_sample.is_(False))
    if show == "unassigned":
        conditions.append(Case.auditor_id.is_(None))
    answered = Case.id.in_(select(Answer.case_id).where(Answer.audit_round == 1))
    if status == "not_started":
        conditions += [Case.status == CaseStatus.DRAFT, ~answered]
    elif status == "in_progress":
        conditions += [Case.status == CaseStatus.DRAFT, answered]
    elif status in STATUS_FILTERS:
        conditions.append(Case.status == status)
    search = search.strip()
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Case.reference.ilike(f"%{escaped}%", escape="\\"))
    return conditions


def case_page(
    inspection: Inspection,
    *,
    case_type_id: int | None = None,
    show: str = "all",
    status: str = "",
    search: str = "",
    stratum: str = "",
    page: int = 1,
    per_page: int,
) -> Pagination:
    """One page of the inspection's cases by case type and reference (db.paginate).

    `show` is one of CASE_FILTERS; "unassigned" means sampled cases without an auditor.
    `status` is a key of STATUS_FILTERS ("" for any); `search` finds references containing it,
    ignoring case; `stratum` is a StratumRow.key. A page past the end (cases removed since the
    link was made) shows the last.
    """
    cases = (
        select(Case)
        .where(
            *_case_conditions(
                inspection,
                case_type_id=case_type_id,
                show=show,
                status=status,
                search=search,
                stratum=stratum,
            )
        )
        .options(selectinload(Case.auditor), selectinload(Case.case_type))
        .order_by(Case.case_type_id, Case.reference)
    )
    listing = db.paginate(
        cases, page=max(page, 1), per_page=per_page, max_per_page=per_page, error_out=False
    )
    if listing.pages and listing.page > listing.pages:
        listing = db.paginate(
            cases, page=listing.pages, per_page=per_page, max_per_page=per_page, error_out=False
        )
    return listing


def matching_case_ids(
    inspection: Inspection,
    *,
    case_type_id: int | None = None,
    show: str = "sampled",
    status: str = "",
    search: str = "",
    stratum: str = "",
) -> list[int]:
    """Every case the filters match, on every page: what "assign all matching" acts on."""
    return list(
        db.session.scalars(
            select(Case.id)
            .where(
                *_case_conditions(
                    inspection,
                    case_type_id=case_type_id,
                    show=show,
                    status=status,
                    search=search,
                    stratum=stratum,
                )
            )
            .order_by(Case.case_type_id, Case.reference)
        )
    )


def status_words(cases: list[Case]) -> dict[int, str]:
    """Each case's status as the lists show it: Not started apart from In progress."""
    answered = answered_case_ids([c.id for c in cases])
    return {c.id: case_progress_label(c.status, c.id in answered) for c in cases}


def answered_case_ids(case_ids: list[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(
        db.session.scalars(select(Answer.case_id).where(Answer.case_id.in_(case_ids)).distinct())
    )


def cases_of(inspection: Inspection, case_ids: list[int]) -> list[Case]:
    if not case_ids:
        raise SamplingError("Select at least one case")
    cases = list(
        db.session.scalars(
            select(Case)
            .where(Case.inspection_id == inspection.id, Case.id.in_(case_ids))
            .order_by(Case.reference)
        )
    )
    if len(cases) != len(set(case_ids)):
        raise SamplingError("Some of the selected cases are not in this inspection")
    return cases
