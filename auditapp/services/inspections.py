"""Inspection set-up: details, baseline, members and the question-set version per case type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import and_, func, select

from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    InspectionKind,
    InspectionQuestionSet,
    InspectionRole,
    Membership,
    QuestionSet,
    User,
)
from auditapp.services.accounts import find_user_by_email
from auditapp.services.audit_log import record_event

DETAIL_FIELDS = (
    "title",
    "force",
    "kind",
    "start_date",
    "end_date",
    "baseline_id",
    "progress_min_cases",
    "published_on",
)
# The fewest cases a progress suggestion may need (a bound on what a lead may enter).
MAX_PROGRESS_MIN_CASES = 1000


class InspectionSetupError(ValueError):
    """A set-up change that is refused, worded for the person who asked for it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MyInspection(NamedTuple):
    """An inspection the user is a member of, and their role in it."""

    inspection: Inspection
    role: InspectionRole


# Inspections newest first: latest start date first (undated last), then latest created.
NEWEST_FIRST = (Inspection.start_date.desc().nulls_last(), Inspection.id.desc())


def my_inspections(user: User) -> list[MyInspection]:
    """The inspections the user is a member of, newest first, with their role (one query)."""
    rows = db.session.execute(
        select(Inspection, Membership.role)
        .join(Membership, Membership.inspection_id == Inspection.id)
        .where(Membership.user_id == user.id)
        .order_by(*NEWEST_FIRST)
    ).all()
    return [MyInspection(row.Inspection, InspectionRole(row.role)) for row in rows]


def visible_inspections(user: User) -> list[Inspection]:
    """Inspections the user may see, newest first: all for an admin, else :func:`my_inspections`."""
    if user.is_admin:
        return list(db.session.scalars(select(Inspection).order_by(*NEWEST_FIRST)).all())
    return [mine.inspection for mine in my_inspections(user)]


class HomeInspection(NamedTuple):
    """An inspection on the home page, with the user's role (None: an admin, not a member)."""

    inspection: Inspection
    role: InspectionRole | None


def home_inspections(user: User) -> list[HomeInspection]:
    """The home page's inspections, newest first (one query): a member's own, or every
    inspection for an admin, with their role where they are a member."""
    if not user.is_admin:
        return [HomeInspection(mine.inspection, mine.role) for mine in my_inspections(user)]
    rows = db.session.execute(
        select(Inspection, Membership.role)
        .outerjoin(
            Membership,
            and_(Membership.inspection_id == Inspection.id, Membership.user_id == user.id),
        )
        .order_by(*NEWEST_FIRST)
    ).all()
    return [
        HomeInspection(row.Inspection, InspectionRole(row.role) if row.role else None)
        for row in rows
    ]


def baseline_choices(user: User, inspection: Inspection | None = None) -> list[Inspection]:
    """Inspections that may be the baseline: visible to the user, not this one or its reviews."""
    excluded: set[int] = set()
    if inspection is not None:
        excluded = {inspection.id} | _followers(inspection.id)
    options = [i for i in visible_inspections(user) if i.id not in excluded]
    # The current baseline stays on offer even if this user cannot see it (an admin linked it),
    # so saving other details never drops it silently.
    current = inspection.baseline if inspection is not None else None
    if current is not None and current not in options:
        options.append(current)
    return options


def _followers(inspection_id: int) -> set[int]:
    """Every inspection that follows this one up, directly or through others (no cycles)."""
    found: set[int] = set()
    frontier = {inspection_id}
    while frontier:
        frontier = (
            set(
                db.session.scalars(
                    select(Inspection.id).where(Inspection.baseline_id.in_(frontier))
                )
            )
            - found
        )
        found |= frontier
    return found


def _check_baseline(user: User, inspection: Inspection | None, baseline_id: int | None) -> None:
    if baseline_id is None:
        return
    if baseline_id not in {i.id for i in baseline_choices(user, inspection)}:
        raise InspectionSetupError("Choose an inspection you can see", field="baseline_id")


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InspectionSetupError("The end date must be on or after the start date", "end_date")


def add_membership(
    inspection: Inspection, user: User, role: InspectionRole, by: User
) -> Membership:
    """Add the user to the inspection in a role, and log it (the one place a membership is made)."""
    membership = Membership(inspection_id=inspection.id, user_id=user.id, role=role)
    db.session.add(membership)
    db.session.flush()
    record_event(
        "add", "membership", user=by, entity_id=membership.id, inspection_id=inspection.id,
        field="role", new=f"{user.email}: {role}",
    )  # fmt: skip
    return membership


def create_inspection(
    *,
    title: str,
    force: str,
    kind: str,
    start_date: date | None,
    end_date: date | None,
    baseline_id: int | None,
    lead_email: str,
    by: User,
) -> Inspection:
    """Create an inspection with its lead and the latest question set for every case type."""
    InspectionKind(kind)
    _check_dates(start_date, end_date)
    _check_baseline(by, None, baseline_id)
    lead = find_user_by_email(lead_email)
    if lead is None:
        raise InspectionSetupError(
            f"There is no user with email {lead_email.strip()}: an administrator creates the "
            "account first",
            field="lead_email",
        )
    inspection = Inspection(
        title=title.strip(),
        force=force.strip(),
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        baseline_id=baseline_id,
    )
    db.session.add(inspection)
    db.session.flush()
    record_event(
        "create", "inspection", user=by, entity_id=inspection.id, inspection_id=inspection.id,
        new=inspection.title,
    )  # fmt: skip
    add_membership(inspection, lead, InspectionRole.LEAD, by)
    _copy_baseline_scope(inspection, by)
    return inspection


def _copy_baseline_scope(inspection: Inspection, by: User | None) -> None:
    """A follow-up starts with its baseline's case types and versions; any other, with none."""
    if inspection.baseline_id is None:
        return
    baseline = db.session.get_one(Inspection, inspection.baseline_id)
    choose_question_sets(
        inspection, {c.case_type_id: c.question_set_id for c in baseline.question_set_choices},
        by=by,
    )  # fmt: skip


def update_inspection(inspection: Inspection, changes: dict[str, Any], *, by: User) -> list[str]:
    """Change the inspection's details; returns the names of the fields that changed."""
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not inspection details: {sorted(unknown)}")
    if "kind" in changes:
        InspectionKind(changes["kind"])
    _check_dates(
        changes.get("start_date", inspection.start_date),
        changes.get("end_date", inspection.end_date),
    )
    if "baseline_id" in changes and changes["baseline_id"] != inspection.baseline_id:
        _check_baseline(by, inspection, changes["baseline_id"])
    if "progress_min_cases" in changes:
        _check_min_cases(changes["progress_min_cases"])
    changed = []
    for name in DETAIL_FIELDS:
        if name not in changes:
            continue
        new = changes[name].strip() if isinstance(changes[name], str) else changes[name]
        old = getattr(inspection, name)
        if new != old:
            setattr(inspection, name, new)
            changed.append(name)
            record_event(
                "update", "inspection", user=by, entity_id=inspection.id,
                inspection_id=inspection.id, field=name, old=old, new=new,
            )  # fmt: skip
    db.session.flush()
    return changed


def _check_min_cases(value: object) -> None:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 1 <= value <= MAX_PROGRESS_MIN_CASES
    ):
        raise InspectionSetupError(
            f"The fewest cases for a progress suggestion must be a whole number from 1 to "
            f"{MAX_PROGRESS_MIN_CASES:,}",
            field="progress_min_cases",
        )


# Question-set versions -------------------------------------------------------------------------


def _latest_by_case_type() -> dict[int, QuestionSet]:
    latest: dict[int, QuestionSet] = {}
    for row in db.session.scalars(select(QuestionSet).order_by(QuestionSet.version.desc())):
        latest.setdefault(row.case_type_id, row)
    return latest


@dataclass
class QuestionSetChoice:
    """One case type's chosen version and the versions on offer."""

    case_type: CaseType
    chosen: QuestionSet | None
    versions: list[QuestionSet] = field(default_factory=list)


def question_set_choices(inspection: Inspection) -> list[QuestionSetChoice]:
    """Each case type with question sets, its chosen version (None if unset) and the options."""
    chosen = {c.case_type_id: c.question_set for c in inspection.question_set_choices}
    case_types = db.session.scalars(select(CaseType).order_by(CaseType.kind, CaseType.name)).all()
    result = []
    for case_type in case_types:
        versions = sorted(case_type.question_sets, key=lambda r: r.version, reverse=True)
        if versions:
            result.append(QuestionSetChoice(case_type, chosen.get(case_type.id), versions))
    return result


def choose_question_sets(
    inspection: Inspection, choices: dict[int, int], *, by: User | None
) -> list[CaseType]:
    """Audit each case type (id -> question set id) with that version from now on.

    Cases already given a version keep it. Returns the case types whose choice changed.
    """
    current = {c.case_type_id: c for c in inspection.question_set_choices}
    changed = []
    for case_type_id, question_set_id in choices.items():
        row = db.session.get(QuestionSet, question_set_id)
        if row is None or row.case_type_id != case_type_id:
            raise InspectionSetupError("Choose one of the listed versions")
        choice = current.get(case_type_id)
        if choice is not None and choice.question_set_id == row.id:
            continue
        old = f"v{choice.question_set.version}" if choice is not None else None
        if choice is None:
            inspection.question_set_choices.append(
                InspectionQuestionSet(case_type_id=case_type_id, question_set_id=row.id)
            )
        else:
            choice.question_set_id = row.id
        changed.append(row.case_type)
        record_event(
            "choose", "question_set", user=by, entity_id=row.id, inspection_id=inspection.id,
            field=row.case_type.slug, old=old, new=f"v{row.version}",
        )  # fmt: skip
    db.session.flush()
    return changed


@dataclass
class ScopeChange:
    """What a scope save did: case types added, taken out, or given another version."""

    added: list[CaseType] = field(default_factory=list)
    removed: list[CaseType] = field(default_factory=list)
    changed: list[CaseType] = field(default_factory=list)
    unlisted: int = 0  # listed, never-sampled cases of removed types, taken off the list


def set_scope(inspection: Inspection, choices: dict[int, int], *, by: User) -> ScopeChange:
    """Make exactly these case types (id -> question set id) the inspection's scope.

    A type with sampled cases cannot leave the scope: refused, naming the type and the count,
    before anything changes. Listed cases of a type that leaves (none sampled) leave the list.
    """
    current = {c.case_type_id: c for c in inspection.question_set_choices}
    leaving = [current[ct] for ct in current if ct not in choices]
    if leaving:
        sampled = dict(
            db.session.execute(
                select(Case.case_type_id, func.count(Case.id))
                .where(
                    Case.inspection_id == inspection.id,
                    Case.in_sample.is_(True),
                    Case.case_type_id.in_([c.case_type_id for c in leaving]),
                )
                .group_by(Case.case_type_id)
            ).all()
        )
        for choice in sorted(leaving, key=lambda c: c.case_type.name):
            count = sampled.get(choice.case_type_id, 0)
            if count:
                raise InspectionSetupError(
                    f"{choice.case_type.name} cannot be taken out of scope: "
                    f"{count} {'case is' if count == 1 else 'cases are'} sampled"
                )
    result = ScopeChange()
    for case_type in choose_question_sets(inspection, choices, by=by):
        (result.changed if case_type.id in current else result.added).append(case_type)
    for choice in leaving:
        for case in db.session.scalars(
            select(Case).where(
                Case.inspection_id == inspection.id, Case.case_type_id == choice.case_type_id
            )
        ):
            db.session.delete(case)
            result.unlisted += 1
        result.removed.append(choice.case_type)
        record_event(
            "remove", "question_set", user=by, entity_id=choice.question_set_id,
            inspection_id=inspection.id, field=choice.case_type.slug,
            old=f"v{choice.question_set.version}",
        )  # fmt: skip
        inspection.question_set_choices.remove(choice)
    db.session.flush()
    return result


def chosen_question_set_id(inspection: Inspection, case_type_id: int) -> int | None:
    """The id of the version new cases of this type are audited against (latest if unset)."""
    for choice in inspection.question_set_choices:
        if choice.case_type_id == case_type_id:
            return choice.question_set_id
    latest = _latest_by_case_type().get(case_type_id)
    return latest.id if latest else None


# Progress ----------------------------------------------------------------------------------------


@dataclass
class CaseTypeProgress:
    """Counts for one case type of an inspection, as the overview shows them."""

    case_type: CaseType
    question_set: QuestionSet | None
    listed: int = 0
    sampled: int = 0
    assigned: int = 0
    draft: int = 0
    submitted: int = 0
    moderated: int = 0


def inspection_progress(inspection: Inspection) -> list[CaseTypeProgress]:
    """Listed / sampled / assigned / draft / submitted / moderated counts per case type.

    Draft, submitted and moderated count sampled cases only: unsampled cases are not audited.
    """
    rows = db.session.execute(
        select(
            Case.case_type_id,
            Case.in_sample,
            Case.auditor_id.is_not(None),
            Case.status,
            func.count(Case.id),
        )
        .where(Case.inspection_id == inspection.id)
        .group_by(Case.case_type_id, Case.in_sample, Case.auditor_id.is_not(None), Case.status)
    ).all()
    chosen = {c.case_type_id: c for c in inspection.question_set_choices}
    progress: dict[int, CaseTypeProgress] = {}

    def entry(case_type_id: int) -> CaseTypeProgress:
        if case_type_id not in progress:
            choice = chosen.get(case_type_id)
            progress[case_type_id] = CaseTypeProgress(
                case_type=db.session.get_one(CaseType, case_type_id),
                question_set=choice.question_set if choice else None,
            )
        return progress[case_type_id]

    for case_type_id in chosen:
        entry(case_type_id)
    for case_type_id, in_sample, assigned, status, count in rows:
        item = entry(case_type_id)
        item.listed += count
        if not in_sample:
            continue
        item.sampled += count
        if assigned:
            item.assigned += count
        if status == CaseStatus.DRAFT:
            item.draft += count
        elif status == CaseStatus.SUBMITTED:
            item.submitted += count
        elif status == CaseStatus.MODERATED:
            item.moderated += count
    return sorted(progress.values(), key=lambda p: (p.case_type.kind, p.case_type.name))
