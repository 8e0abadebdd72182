"""The force's action plan on each recommendation: actions, their owners, due dates and updates.

Auditors and leads record actions and dated updates; only a lead may record that the
inspectorate has verified an action (or change a verified one). Owners are roles ("Head of
Public Protection"), never names; free text that looks like personal data is refused, and its
versions are kept apart in the audit log (``free_text=True``) so a lead can redact them.
Due dates come from ``domain.action_plans.due_date``; ``actions_for_report`` is the one reader
the pages, API, exports and Word draft use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auditapp.domain.action_plans import LEAD_ONLY_STATUS, ActionStatus, due_date, is_overdue
from auditapp.extensions import db
from auditapp.models import (
    ActionPlanItem,
    ActionUpdate,
    Inspection,
    InspectionRole,
    Recommendation,
    User,
    utcnow,
)
from auditapp.permissions import NotAllowed, NotVisible, checked_role
from auditapp.services.audit_log import record_event
from auditapp.services.evidence_log import EDITORS, EvidenceError, refuse_personal_data

OWNER_MAX = 120
TEXT_MAX = 5000


class ActionPlanError(EvidenceError):
    """An action or update the plan cannot take; ``field`` names the form field at fault."""


@dataclass(frozen=True)
class ReportActionUpdate:
    """A dated update on an action."""

    given_on: date
    text: str
    status: ActionStatus | None


@dataclass(frozen=True)
class ReportAction:
    """One action as the pages, API, exports and Word draft show it."""

    id: int
    recommendation_id: int
    recommendation_code: str
    chapter: str
    timescale: str
    description: str
    owner: str
    status: ActionStatus
    due: date | None
    due_reason: str
    overdue: bool
    updates: tuple[ReportActionUpdate, ...]

    @property
    def status_label(self) -> str:
        """ "Not started", "Verified by the inspectorate"..."""
        return self.status.label


def _check_text(field: str, label: str, text: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionPlanError(f"Enter the {label.lower()}", field)
    if len(text) > limit:
        raise ActionPlanError(f"{label} must be {limit:,} characters or fewer", field)
    try:
        refuse_personal_data(text, label.lower(), field)
    except EvidenceError as refused:
        raise ActionPlanError(str(refused), field) from None
    return text


def _check_status_change(by: User, inspection: Inspection, old: str, new: str) -> None:
    """Only a lead sets "verified by the inspectorate", or moves an action away from it."""
    role = checked_role(by, inspection.id, *EDITORS)
    if LEAD_ONLY_STATUS in (old, new) and old != new and role is not InspectionRole.LEAD:
        raise NotAllowed("only a lead may record the inspectorate's verification")


def add_action(
    inspection: Inspection, by: User, recommendation: Recommendation, description: str, owner: str
) -> ActionPlanItem:
    """Add an action on a recommendation the inspection follows up (status: not started)."""
    checked_role(by, inspection.id, *EDITORS)
    if recommendation.inspection_id != (inspection.baseline_id or inspection.id):
        raise NotVisible("not a recommendation this inspection follows up")
    item = ActionPlanItem(
        inspection_id=inspection.id,
        recommendation_id=recommendation.id,
        description=_check_text("description", "Action", description, TEXT_MAX),
        owner=_check_text("owner", "Owner", owner, OWNER_MAX),
        created_by_id=by.id,
    )
    db.session.add(item)
    db.session.flush()
    record_event(
        "action_added", "action_plan_item", user=by, entity_id=item.id,
        inspection_id=inspection.id,
        new={"recommendation": recommendation.code, "action": item.description,
             "owner": item.owner, "status": item.status},
        free_text=True,
    )  # fmt: skip
    return item


def update_action(
    item: ActionPlanItem, inspection: Inspection, by: User, description: str, owner: str
) -> list[str]:
    """Change an action's wording or owner; returns the fields changed (each audit-logged)."""
    checked_role(by, inspection.id, *EDITORS)
    if item.status == LEAD_ONLY_STATUS:
        _check_status_change(by, inspection, item.status, ActionStatus.DONE)
    new = {
        "description": _check_text("description", "Action", description, TEXT_MAX),
        "owner": _check_text("owner", "Owner", owner, OWNER_MAX),
    }
    changed = []
    for name, value in new.items():
        old = getattr(item, name)
        if value != old:
            setattr(item, name, value)
            changed.append(name)
            record_event(
                "action_changed", "action_plan_item", user=by, entity_id=item.id,
                inspection_id=inspection.id, field=name, old=old, new=value, free_text=True,
            )  # fmt: skip
    db.session.flush()
    return changed


def add_update(
    item: ActionPlanItem,
    inspection: Inspection,
    by: User,
    given_on: date,
    text: str,
    status: str | None = None,
) -> ActionUpdate:
    """Add a dated update, optionally moving the action to a new status (lead rule applies)."""
    new_status = ActionStatus(status) if status else None
    if new_status is not None:
        _check_status_change(by, inspection, item.status, new_status)
    else:
        checked_role(by, inspection.id, *EDITORS)
    update = ActionUpdate(
        given_on=given_on,
        text=_check_text("text", "Update", text, TEXT_MAX),
        status=new_status if new_status is not None and new_status != item.status else None,
        created_by_id=by.id,
    )
    item.updates.append(update)
    if update.status is not None:
        record_event(
            "action_status_changed", "action_plan_item", user=by, entity_id=item.id,
            inspection_id=inspection.id, field="status", old=item.status, new=update.status,
        )  # fmt: skip
        item.status = update.status
    db.session.flush()
    record_event(
        "action_update_added", "action_plan_item", user=by, entity_id=item.id,
        inspection_id=inspection.id, new={"given_on": given_on.isoformat(), "text": update.text},
        free_text=True,
    )  # fmt: skip
    return update


def delete_action(item: ActionPlanItem, inspection: Inspection, by: User) -> None:
    """Delete an action and its updates (a verified one: leads only); the audit log keeps it."""
    if item.status == LEAD_ONLY_STATUS:
        _check_status_change(by, inspection, item.status, ActionStatus.DONE)
    checked_role(by, inspection.id, *EDITORS)
    record_event(
        "action_deleted", "action_plan_item", user=by, entity_id=item.id,
        inspection_id=inspection.id,
        old={"action": item.description, "owner": item.owner, "status": item.status},
        free_text=True,
    )  # fmt: skip
    db.session.delete(item)
    db.session.flush()


def action_of(inspection: Inspection, action_id: int) -> ActionPlanItem:
    """The inspection's action (NotVisible when it has none with this id)."""
    item = db.session.get(ActionPlanItem, action_id)
    if item is None or item.inspection_id != inspection.id:
        raise NotVisible(f"no action {action_id} in inspection {inspection.id}")
    return item


def actions_for_report(
    inspection: Inspection, *, today: date | None = None, recommendation_id: int | None = None
) -> list[ReportAction]:
    """The inspection's actions in recommendation order, with due dates and overdue flags.

    The one reader of the plan: pages, API, workbook, CSV and the Word draft all use it.
    """
    today = today or utcnow().date()
    query = (
        select(ActionPlanItem)
        .join(ActionPlanItem.recommendation)
        .where(ActionPlanItem.inspection_id == inspection.id)
        .options(
            selectinload(ActionPlanItem.updates),
            selectinload(ActionPlanItem.recommendation).selectinload(Recommendation.inspection),
        )
        .order_by(Recommendation.position, Recommendation.id, ActionPlanItem.id)
    )
    if recommendation_id is not None:
        query = query.where(ActionPlanItem.recommendation_id == recommendation_id)
    found = []
    for item in db.session.scalars(query):
        rec = item.recommendation
        due = due_date(rec.timescale, rec.inspection.published_on)
        found.append(
            ReportAction(
                id=item.id,
                recommendation_id=rec.id,
                recommendation_code=rec.code,
                chapter=rec.chapter,
                timescale=rec.timescale,
                description=item.description,
                owner=item.owner,
                status=ActionStatus(item.status),
                due=due.due,
                due_reason=due.reason,
                overdue=is_overdue(due.due, item.status, today),
                updates=tuple(
                    ReportActionUpdate(
                        u.given_on, u.text, ActionStatus(u.status) if u.status else None
                    )
                    for u in item.updates
                ),
            )
        )
    return found


def actions_by_recommendation(inspection: Inspection) -> dict[int, list[ReportAction]]:
    """The actions on each recommendation, by recommendation id."""
    found: dict[int, list[ReportAction]] = {}
    for action in actions_for_report(inspection):
        found.setdefault(action.recommendation_id, []).append(action)
    return found


def action_rows(inspection: Inspection) -> list[dict[str, Any]]:
    """The plan as export rows, one per action (its updates one a line)."""
    return [
        {
            "recommendation": a.recommendation_code,
            "chapter": a.chapter,
            "action": a.description,
            "owner": a.owner,
            "status": a.status_label,
            "timescale": a.timescale,
            "due": a.due,
            "due_reason": a.due_reason,
            "overdue": a.overdue,
            "updates": "\n".join(
                f"{u.given_on.isoformat()}: {u.text}"
                + (f" (status: {u.status.label})" if u.status else "")
                for u in a.updates
            ),
        }
        for a in actions_for_report(inspection)
    ]
