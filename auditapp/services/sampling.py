"""Draw samples from an inspection's case list, change them by hand, and assign sampled cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auditapp.domain.sampling import (
    SamplingError,
    balance_assignments,
    describe_draw,
    draw_sample,
    draw_stratified,
    format_margin,
    margin_of_error,
    new_seed,
    parse_request,
    sample_size,
)
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    InspectionRole,
    Membership,
    SampleDraw,
    User,
)
from auditapp.services.audit_log import record_event
from auditapp.services.inspections import chosen_question_set_id

__all__ = [
    "SamplingError",
    "add_to_sample",
    "assign_cases",
    "balance_cases",
    "draw_cases",
    "remove_from_sample",
    "sampling_frames",
]


def _give_question_set(inspection: Inspection, case: Case) -> None:
    # A case keeps the version it was first given: changing the inspection's choice later
    # must never move a case onto different questions.
    if case.question_set_id is None:
        case.question_set_id = chosen_question_set_id(inspection, case.case_type_id)


def draw_cases(
    inspection: Inspection,
    case_type_id: int,
    requested: str,
    *,
    by: User,
    seed: int | None = None,
    stratify_by: str | None = None,
) -> SampleDraw:
    """Draw a sample of one case type from its cases not yet sampled; record seed and frame.

    The frame is every listed case of the type that is not already in the sample, so a second
    draw adds to the first. Raises SamplingError with a message for the lead.
    """
    case_type = db.session.get(CaseType, case_type_id)
    if case_type is None:
        raise SamplingError("Choose a case type")
    request = parse_request(requested)
    frame = list(
        db.session.scalars(
            select(Case).where(
                Case.inspection_id == inspection.id,
                Case.case_type_id == case_type_id,
                Case.in_sample.is_(False),
            )
        )
    )
    if not frame:
        raise SamplingError(f"There are no unsampled {case_type.name} cases to draw from")
    size = request.size_for(len(frame))
    seed = new_seed() if seed is None else seed
    by_reference = {case.reference: case for case in frame}
    stratify_by = (stratify_by or "").strip() or None
    if stratify_by:
        if not any(stratify_by in (case.attributes or {}) for case in frame):
            raise SamplingError(f'No {case_type.name} case has a "{stratify_by}" column')
        drawn = draw_stratified(
            {ref: (case.attributes or {}).get(stratify_by) for ref, case in by_reference.items()},
            size,
            seed,
        )
    else:
        drawn = draw_sample(list(by_reference), size, seed)
    draw = SampleDraw(
        inspection_id=inspection.id,
        case_type_id=case_type_id,
        seed=seed,
        frame_size=len(frame),
        requested=str(request),
        sample_size=size,
        stratify_by=stratify_by,
        drawn_by_id=by.id,
    )
    db.session.add(draw)
    db.session.flush()
    for reference in drawn:
        case = by_reference[reference]
        case.in_sample = True
        case.sample_draw_id = draw.id
        _give_question_set(inspection, case)
    record_event(
        "draw", "sample", user=by, entity_id=draw.id, inspection_id=inspection.id,
        field=case_type.slug,
        new=describe_draw(size, len(frame), case_type.name, seed)
        + (f", stratified by {stratify_by}" if stratify_by else ""),
    )  # fmt: skip
    db.session.flush()
    return draw


def _cases(inspection: Inspection, case_ids: list[int]) -> list[Case]:
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


def add_to_sample(inspection: Inspection, case_ids: list[int], *, by: User) -> int:
    """Put cases in the sample by hand; returns how many were added."""
    added = 0
    for case in _cases(inspection, case_ids):
        if case.in_sample:
            continue
        case.in_sample = True
        case.sample_draw_id = None  # chosen by hand, not drawn
        _give_question_set(inspection, case)
        added += 1
        record_event(
            "add", "sample", user=by, entity_id=case.id, inspection_id=inspection.id,
            case_id=case.id, field="in_sample", old=False, new=True,
        )  # fmt: skip
    db.session.flush()
    return added


def remove_from_sample(inspection: Inspection, case_ids: list[int], *, by: User) -> int:
    """Take cases out of the sample; refused for cases already answered or submitted."""
    cases = _cases(inspection, case_ids)
    started = [c.reference for c in cases if c.in_sample and (c.answers or c.is_submitted)]
    if started:
        raise SamplingError("Cases already being audited stay in the sample: " + ", ".join(started))
    removed = 0
    for case in cases:
        if not case.in_sample:
            continue
        old_auditor = case.auditor_id
        case.in_sample = False
        case.sample_draw_id = None
        case.auditor_id = None
        removed += 1
        record_event(
            "remove", "sample", user=by, entity_id=case.id, inspection_id=inspection.id,
            case_id=case.id, field="in_sample", old=True, new=False,
        )  # fmt: skip
        if old_auditor is not None:
            record_event(
                "unassign", "case", user=by, entity_id=case.id, inspection_id=inspection.id,
                case_id=case.id, field="auditor_id", old=old_auditor, new=None,
            )  # fmt: skip
    db.session.flush()
    return removed


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
    _give_question_set(inspection, case)
    record_event(
        "assign" if auditor_id else "unassign", "case", user=by, entity_id=case.id,
        inspection_id=inspection.id, case_id=case.id, field="auditor_id", old=old, new=auditor_id,
    )  # fmt: skip
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
    cases = _cases(inspection, case_ids)
    _check_assignable(cases)
    changed = sum(_set_auditor(inspection, case, auditor_id, by) for case in cases)
    db.session.flush()
    return changed


def balance_cases(inspection: Inspection, case_ids: list[int] | None, *, by: User) -> int:
    """Share cases across the auditors, fewest cases first. None: every unassigned sampled case.

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
        cases = _cases(inspection, case_ids)
        _check_assignable(cases)
    loads = dict.fromkeys(auditor_ids, 0)
    for auditor_id, count in db.session.execute(
        select(Case.auditor_id, func.count(Case.id))
        .where(Case.inspection_id == inspection.id, Case.auditor_id.in_(auditor_ids))
        .where(Case.id.not_in([c.id for c in cases]))
        .group_by(Case.auditor_id)
    ):
        loads[cast(int, auditor_id)] = count  # the IN filter leaves no NULL auditor
    plan = balance_assignments([case.id for case in cases], loads)
    changed = sum(_set_auditor(inspection, case, plan[case.id], by) for case in cases)
    db.session.flush()
    return changed


# Sampling page figures -------------------------------------------------------------------------


@dataclass
class DrawLine:
    """A past draw as the page shows it."""

    draw: SampleDraw
    text: str


@dataclass
class SamplingFrame:
    """One case type of the inspection: its frame, sample, draws and the size helper's figures."""

    case_type: CaseType
    listed: int
    sampled: int
    unsampled: int
    needed: int
    margin_text: str
    chosen_size: int | None = None
    chosen_margin_text: str | None = None
    draws: list[DrawLine] = field(default_factory=list)
    attribute_columns: list[str] = field(default_factory=list)


def sampling_frames(
    inspection: Inspection, *, margin: float = 0.10, chosen_size: int | None = None
) -> list[SamplingFrame]:
    """Per case type: cases listed and sampled, size needed for the margin, margins achieved."""
    counts = db.session.execute(
        select(Case.case_type_id, Case.in_sample, func.count(Case.id))
        .where(Case.inspection_id == inspection.id)
        .group_by(Case.case_type_id, Case.in_sample)
    ).all()
    listed: dict[int, int] = {}
    sampled: dict[int, int] = {}
    for case_type_id, in_sample, count in counts:
        listed[case_type_id] = listed.get(case_type_id, 0) + count
        if in_sample:
            sampled[case_type_id] = sampled.get(case_type_id, 0) + count
    draws: dict[int, list[DrawLine]] = {}
    for draw in db.session.scalars(
        select(SampleDraw).where(SampleDraw.inspection_id == inspection.id).order_by(SampleDraw.id)
    ):
        text = describe_draw(draw.sample_size, draw.frame_size, draw.case_type.name, draw.seed)
        if draw.stratify_by:
            text += f", stratified by {draw.stratify_by}"
        draws.setdefault(draw.case_type_id, []).append(DrawLine(draw, text))
    columns: dict[int, dict[str, None]] = {}
    for case_type_id, attributes in db.session.execute(
        select(Case.case_type_id, Case.attributes).where(Case.inspection_id == inspection.id)
    ):
        for key in attributes or {}:
            columns.setdefault(case_type_id, {}).setdefault(key, None)
    frames = []
    for case_type_id, n in listed.items():
        case_type = db.session.get(CaseType, case_type_id)
        assert case_type is not None
        n_sampled = sampled.get(case_type_id, 0)
        frame = SamplingFrame(
            case_type=case_type,
            listed=n,
            sampled=n_sampled,
            unsampled=n - n_sampled,
            needed=sample_size(margin, n),
            margin_text=format_margin(margin_of_error(n_sampled, n)),
            draws=draws.get(case_type_id, []),
            attribute_columns=list(columns.get(case_type_id, {})),
        )
        if chosen_size is not None:
            frame.chosen_size = min(chosen_size, n)
            frame.chosen_margin_text = format_margin(margin_of_error(frame.chosen_size, n))
        frames.append(frame)
    return sorted(frames, key=lambda f: (f.case_type.kind, f.case_type.name))


# Case lists ------------------------------------------------------------------------------------

CASE_FILTERS = ("all", "sampled", "unsampled", "unassigned")


def case_page(
    inspection: Inspection,
    *,
    case_type_id: int | None = None,
    show: str = "all",
    page: int = 1,
    per_page: int,
) -> Pagination:
    """One page of the inspection's cases by case type and reference (db.paginate).

    `show` is one of CASE_FILTERS; "unassigned" means sampled cases without an auditor. A page
    past the end (cases removed since the link was made) shows the last page.
    """
    conditions = [Case.inspection_id == inspection.id]
    if case_type_id:
        conditions.append(Case.case_type_id == case_type_id)
    if show in ("sampled", "unassigned"):
        conditions.append(Case.in_sample.is_(True))
    elif show == "unsampled":
        conditions.append(Case.in_sample.is_(False))
    if show == "unassigned":
        conditions.append(Case.auditor_id.is_(None))
    cases = (
        select(Case)
        .where(*conditions)
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
