"""Assign sampled cases to auditors: to one auditor, or balanced across them by case type."""

from __future__ import annotations

from typing import cast

from sqlalchemy import func, select

from auditapp.domain.sampling import (
    SamplingError,
    balance_by_case_type,
)
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    Inspection,
    InspectionRole,
    Membership,
    User,
)
from auditapp.services import notifications
from auditapp.services.audit_log import record_event
from auditapp.services.sampling.case_lists import cases_of
from auditapp.services.sampling.drawing import give_question_set


def _assignable_ids(inspection: Inspection, *roles: InspectionRole) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.inspection_id == inspection.id, Membership.role.in_(roles))
            .order_by(User.name, User.id)
        )
    )


def _set_auditor(inspection: Inspection, case: Case, auditor_id: int | None, by: User) -> bool:
    if case.auditor_id == auditor_id:
        return False
    old = case.auditor_id
    case.auditor_id = auditor_id
    give_question_set(inspection, case)
    record_event(
        "assign" if auditor_id else "unassign", "case", user=by, entity_id=case.id,
        inspection_id=inspection.id, case_id=case.id, field="auditor_id", old=old, new=auditor_id,
    )  # fmt: skip
    notifications.case_assigned(case, auditor_id, by=by)
    return True


def _check_assignable(cases: list[Case]) -> None:
    not_sampled = [c.reference for c in cases if not c.in_sample]
    if not_sampled:
        raise SamplingError("Only sampled cases can be assigned: " + ", ".join(not_sampled))
    done = [c.reference for c in cases if c.status != CaseStatus.DRAFT]
    if done:
        raise SamplingError(
            "Submitted cases keep their auditor (a lead returns them first): " + ", ".join(done)
        )


def assign_cases(
    inspection: Inspection, case_ids: list[int], auditor_id: int | None, *, by: User
) -> int:
    """Give the selected sampled cases to one auditor or lead (None: unassign). Returns changes."""
    if auditor_id is not None and auditor_id not in _assignable_ids(
        inspection, InspectionRole.AUDITOR, InspectionRole.LEAD
    ):
        raise SamplingError("Cases can only be assigned to the inspection's auditors and leads")
    cases = cases_of(inspection, case_ids)
    _check_assignable(cases)
    changed = sum(_set_auditor(inspection, case, auditor_id, by) for case in cases)
    db.session.flush()
    return changed


def balance_cases(inspection: Inspection, case_ids: list[int] | None, *, by: User) -> int:
    """Share cases across the auditors, each case type evenly. None: every unassigned sampled case.

    Returns how many cases were assigned.
    """
    auditor_ids = _assignable_ids(inspection, InspectionRole.AUDITOR)
    if not auditor_ids:
        raise SamplingError("There is no auditor in this inspection: add one on the members page")
    if case_ids is None:
        cases = list(
            db.session.scalars(
                select(Case)
                .where(
                    Case.inspection_id == inspection.id,
                    Case.in_sample.is_(True),
                    Case.auditor_id.is_(None),
                )
                .order_by(Case.case_type_id, Case.reference)
            )
        )
        if not cases:
            raise SamplingError("Every sampled case already has an auditor")
    else:
        cases = cases_of(inspection, case_ids)
        _check_assignable(cases)
    held: dict[int, dict[int, int]] = {a: {} for a in auditor_ids}
    for auditor_id, type_id, count in db.session.execute(
        select(Case.auditor_id, Case.case_type_id, func.count(Case.id))
        .where(Case.inspection_id == inspection.id, Case.auditor_id.in_(auditor_ids))
        .where(Case.id.not_in([c.id for c in cases]))
        .group_by(Case.auditor_id, Case.case_type_id)
    ):
        held[cast(int, auditor_id)][type_id] = count  # the IN filter leaves no NULL auditor
    plan = balance_by_case_type([(c.id, c.case_type_id) for c in cases], held)
    changed = sum(_set_auditor(inspection, case, plan[case.id], by) for case in cases)
    db.session.flush()
    return changed


def auditor_loads(inspection: Inspection, user_ids: list[int]) -> dict[int, int]:
    """How many sampled cases of the inspection each of these users holds."""
    loads = dict.fromkeys(user_ids, 0)
    for auditor_id, count in db.session.execute(
        select(Case.auditor_id, func.count(Case.id))
        .where(
            Case.inspection_id == inspection.id,
            Case.in_sample.is_(True),
            Case.auditor_id.in_(user_ids),
        )
        .group_by(Case.auditor_id)
    ):
        loads[cast(int, auditor_id)] = count  # the IN filter leaves no NULL auditor
    return loads
