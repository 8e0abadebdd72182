"""Demo data: accounts and inspections for trying the app. Safe to load twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import (
    Case,
    GlobalRole,
    Inspection,
    InspectionKind,
    InspectionRole,
    Membership,
    User,
)
from auditapp.services.accounts import create_user, find_user_by_email
from auditapp.services.demo_evidence import load_demo_evidence
from auditapp.services.demo_report import load_demo_report
from auditapp.services.demo_second_audits import add_second_audits
from auditapp.services.inspections import choose_question_sets
from auditapp.services.question_sets import import_library

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential, never in production

DEMO_USERS: tuple[tuple[str, str, GlobalRole], ...] = (
    ("admin@demo.test", "Ada Admin", GlobalRole.ADMIN),
    ("lead@demo.test", "Lee Lead", GlobalRole.USER),
    ("auditor1@demo.test", "Alex Auditor", GlobalRole.USER),
    ("auditor2@demo.test", "Sam Auditor", GlobalRole.USER),
    ("observer@demo.test", "Olu Observer", GlobalRole.USER),
)

DEMO_FORCE = "Cambridgeshire Constabulary"
BASELINE_TITLE = "National child protection inspection 2021"
REVIEW_TITLE = "Post-inspection review 2022"


def _demo_user(email: str, name: str, role: GlobalRole) -> User:
    user = find_user_by_email(email)
    if user is None:
        user, _ = create_user(email, name, role, DEMO_PASSWORD)
    return user


def _inspection(title: str, **fields: object) -> Inspection:
    inspection = db.session.scalar(
        select(Inspection).where(Inspection.force == DEMO_FORCE, Inspection.title == title)
    )
    if inspection is None:
        inspection = Inspection(force=DEMO_FORCE, title=title, **fields)
        db.session.add(inspection)
        db.session.flush()
    return inspection


def _member(inspection: Inspection, user: User, role: InspectionRole) -> None:
    exists = db.session.scalar(
        select(Membership).where(
            Membership.inspection_id == inspection.id, Membership.user_id == user.id
        )
    )
    if exists is None:
        db.session.add(Membership(inspection=inspection, user=user, role=role))


def _scope_cases_types(inspection: Inspection) -> None:
    """Put the case types of the inspection's cases in its scope, with the version they use."""
    chosen = {c.case_type_id for c in inspection.question_set_choices}
    used = db.session.execute(
        select(Case.case_type_id, func.max(Case.question_set_id))
        .where(Case.inspection_id == inspection.id)
        .group_by(Case.case_type_id)
    ).all()
    choose_question_sets(
        inspection, {ct: qs for ct, qs in used if qs is not None and ct not in chosen}, by=None
    )


@dataclass(frozen=True)
class DemoData:
    """What the demo holds: its accounts' emails and its inspections' titles."""

    users: list[str]
    inspections: list[str]


def load_demo() -> DemoData:
    """Create (or find) the demo accounts and inspections; returns what was loaded."""
    users = {email: _demo_user(email, name, role) for email, name, role in DEMO_USERS}
    import_library(by=users["admin@demo.test"])
    baseline = _inspection(
        BASELINE_TITLE,
        kind=InspectionKind.FULL,
        start_date=date(2021, 7, 5),
        end_date=date(2021, 7, 16),
    )
    review = _inspection(
        REVIEW_TITLE,
        kind=InspectionKind.POST_INSPECTION_REVIEW,
        start_date=date(2022, 9, 5),
        end_date=date(2022, 9, 9),
        baseline_id=baseline.id,
    )
    for inspection in (baseline, review):
        _member(inspection, users["lead@demo.test"], InspectionRole.LEAD)
        _member(inspection, users["auditor1@demo.test"], InspectionRole.AUDITOR)
        _member(inspection, users["auditor2@demo.test"], InspectionRole.AUDITOR)
        _member(inspection, users["observer@demo.test"], InspectionRole.OBSERVER)
    db.session.flush()
    load_demo_report(baseline, review, users)
    load_demo_evidence(baseline, review, users)
    add_second_audits(
        review, users["lead@demo.test"], [users["auditor1@demo.test"], users["auditor2@demo.test"]]
    )
    for inspection in (baseline, review):
        _scope_cases_types(inspection)
    return DemoData(users=list(users), inspections=[baseline.title, review.title])
