"""Draw samples from an inspection's case list, change them by hand, and assign sampled cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auditapp.domain.sampling import (
    BLANK_STRATUM,
    SampleRequest,
    SamplingError,
    balance_by_case_type,
    describe_draw,
    draw_sample,
    draw_stratified,
    format_margin,
    margin_of_error,
    new_seed,
    parse_request,
    sample_size,
)
from auditapp.domain.statuses import IN_PROGRESS, NOT_STARTED, case_progress_label, is_opened
from auditapp.extensions import db
from auditapp.models import (
    Answer,
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
    "draw_all",
    "draw_batches",
    "draw_cases",
    "remove_from_sample",
    "sampling_frames",
    "stratum_rows",
    "undo_draw",
]


def _give_question_set(inspection: Inspection, case: Case) -> None:
    # A case keeps the version it was first given: changing the inspection's choice later
    # must never move a case onto different questions.
    if case.question_set_id is None:
        case.question_set_id = chosen_question_set_id(inspection, case.case_type_id)


def _next_batch(inspection: Inspection) -> int:
    last = db.session.scalar(
        select(func.max(SampleDraw.batch)).where(SampleDraw.inspection_id == inspection.id)
    )
    return (last or 0) + 1


def _draw_type(
    inspection: Inspection,
    case_type: CaseType,
    request: SampleRequest,
    *,
    by: User,
    seed: int,
    stratify_by: str | None,
    batch: int,
) -> SampleDraw:
    frame = list(
        db.session.scalars(
            select(Case).where(
                Case.inspection_id == inspection.id, Case.case_type_id == case_type.id
            )
        )
    )
    already_sampled = any(case.in_sample for case in frame)
    frame = [case for case in frame if not case.in_sample]
    if not frame:
        raise SamplingError(f"There are no unsampled {case_type.name} cases to draw from")
    try:
        size = request.size_for(len(frame))
    except SamplingError as error:
        raise SamplingError(f"{case_type.name}: {error}") from error
    by_reference = {case.reference: case for case in frame}
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
        case_type_id=case_type.id,
        seed=seed,
        frame_size=len(frame),
        requested=str(request),
        sample_size=size,
        stratify_by=stratify_by,
        batch=batch,
        top_up=already_sampled,
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
        new=("Top-up: " if already_sampled else "")
        + describe_draw(size, len(frame), case_type.name, seed)
        + (f", stratified by {stratify_by}" if stratify_by else ""),
    )  # fmt: skip
    return draw


def draw_all(
    inspection: Inspection,
    requested: Mapping[int, str],
    *,
    by: User,
    seed: int | None = None,
    stratify_by: str | None = None,
) -> list[SampleDraw]:
    """Draw every case type asked for at once, from its cases not yet sampled: all or nothing.

    `requested` maps a case type id to "5" or "10%"; blank entries are skipped. Every type
    drawn shares the seed and one batch number, by which the draw is undone. A type that
    already had sampled cases is drawn as a top-up. Raises SamplingError, naming the case type,
    before anything is flushed for a bad size, and the caller rolls back for any other refusal.
    """
    wanted = {ct: text.strip() for ct, text in requested.items() if (text or "").strip()}
    if not wanted:
        raise SamplingError("Enter how many cases to draw for at least one case type")
    case_types = {
        ct.id: ct
        for ct in db.session.scalars(select(CaseType).where(CaseType.id.in_(list(wanted))))
    }
    parsed: dict[int, SampleRequest] = {}
    for case_type_id, text in wanted.items():
        case_type = case_types.get(case_type_id)
        if case_type is None:
            raise SamplingError("Choose a case type")
        try:
            parsed[case_type_id] = parse_request(text)
        except SamplingError as error:
            raise SamplingError(f"{case_type.name}: {error}") from error
    seed = new_seed() if seed is None else seed
    stratify_by = (stratify_by or "").strip() or None
    batch = _next_batch(inspection)
    draws = [
        _draw_type(
            inspection, case_types[ct], request, by=by, seed=seed, stratify_by=stratify_by,
            batch=batch,
        )
        for ct, request in sorted(parsed.items(), key=lambda item: case_types[item[0]].name)
    ]  # fmt: skip
    db.session.flush()
    return draws


def draw_cases(
    inspection: Inspection,
    case_type_id: int,
    requested: str,
    *,
    by: User,
    seed: int | None = None,
    stratify_by: str | None = None,
) -> SampleDraw:
    """Draw a sample of one case type (a one-step draw of a single type)."""
    if db.session.get(CaseType, case_type_id) is None:
        raise SamplingError("Choose a case type")
    return draw_all(
        inspection, {case_type_id: requested}, by=by, seed=seed, stratify_by=stratify_by
    )[0]


def _answered_case_ids(case_ids: list[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(
        db.session.scalars(select(Answer.case_id).where(Answer.case_id.in_(case_ids)).distinct())
    )


def undo_draw(inspection: Inspection, batch: int, *, by: User) -> int:
    """Take out of the sample exactly the cases a one-step draw put there, and forget the draw.

    Refused (SamplingError, naming the cases) once any of them has been opened: an answer
    saved or a status beyond draft. Cases added or removed by hand since are left alone.
    Returns how many cases left the sample.
    """
    draws = list(
        db.session.scalars(
            select(SampleDraw).where(
                SampleDraw.inspection_id == inspection.id, SampleDraw.batch == batch
            )
        )
    )
    if not draws:
        raise SamplingError("That draw is not in this inspection")
    cases = list(
        db.session.scalars(
            select(Case)
            .where(Case.sample_draw_id.in_([d.id for d in draws]))
            .order_by(Case.reference)
        )
    )
    answered = _answered_case_ids([c.id for c in cases])
    opened = [c.reference for c in cases if is_opened(c.status, c.id in answered)]
    if opened:
        raise SamplingError(
            "This draw cannot be undone: these cases have been opened: " + ", ".join(opened)
        )
    for case in cases:
        old_auditor = case.auditor_id
        case.in_sample = False
        case.sample_draw_id = None
        case.auditor_id = None
        case.question_set_id = None  # never opened, so no answers hang on the version
        if old_auditor is not None:
            record_event(
                "unassign", "case", user=by, entity_id=case.id, inspection_id=inspection.id,
                case_id=case.id, field="auditor_id", old=old_auditor, new=None,
            )  # fmt: skip
    db.session.flush()
    for draw in draws:
        record_event(
            "undo", "sample", user=by, entity_id=draw.id, inspection_id=inspection.id,
            field=draw.case_type.slug,
            old=describe_draw(draw.sample_size, draw.frame_size, draw.case_type.name, draw.seed),
        )  # fmt: skip
        db.session.delete(draw)
    db.session.flush()
    return len(cases)


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
    started = [c.reference for c in cases if c.in_sample and is_opened(c.status, bool(c.answers))]
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
        cases = _cases(inspection, case_ids)
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


# Sampling page figures -------------------------------------------------------------------------


@dataclass
class DrawLine:
    """A past draw of one case type as the page shows it."""

    draw: SampleDraw
    text: str


@dataclass
class DrawBatch:
    """One of the lead's one-step draws: its lines per case type, and whether it can be undone."""

    batch: int
    lines: list[DrawLine]
    top_up: bool
    opened: int  # cases of the draw opened since: while 0, the draw can be undone

    @property
    def label(self) -> str:
        """ "Draw 1" or "Draw 2 (top-up)"."""
        return f"Draw {self.batch}" + (" (top-up)" if self.top_up else "")

    @property
    def can_undo(self) -> bool:
        """True while none of the draw's cases has been opened."""
        return self.opened == 0


def _draw_text(draw: SampleDraw) -> str:
    text = describe_draw(draw.sample_size, draw.frame_size, draw.case_type.name, draw.seed)
    if draw.stratify_by:
        text += f", stratified by {draw.stratify_by}"
    return ("Top-up: " if draw.top_up else "") + text


def draw_batches(inspection: Inspection) -> list[DrawBatch]:
    """The inspection's one-step draws, oldest first, with how many of their cases were opened."""
    answered = select(Answer.case_id).distinct().scalar_subquery()
    opened_by_draw: dict[int, int] = {}
    for draw_id, count in db.session.execute(
        select(Case.sample_draw_id, func.count(Case.id))
        .where(
            Case.inspection_id == inspection.id,
            Case.sample_draw_id.is_not(None),
            (Case.status != CaseStatus.DRAFT) | Case.id.in_(answered),
        )
        .group_by(Case.sample_draw_id)
    ):
        opened_by_draw[cast(int, draw_id)] = count
    batches: dict[int, DrawBatch] = {}
    for draw in db.session.scalars(
        select(SampleDraw)
        .where(SampleDraw.inspection_id == inspection.id)
        .options(selectinload(SampleDraw.case_type))
        .order_by(SampleDraw.batch, SampleDraw.id)
    ):
        batch = batches.setdefault(draw.batch, DrawBatch(draw.batch, [], False, 0))
        batch.lines.append(DrawLine(draw, _draw_text(draw)))
        batch.top_up = batch.top_up or draw.top_up
        batch.opened += opened_by_draw.get(draw.id, 0)
    return list(batches.values())


@dataclass
class SamplingFrame:
    """One case type of the inspection: its frame, sample, draws and the size helper's figures."""

    case_type: CaseType
    listed: int
    sampled: int
    unsampled: int
    needed: int
    margin_text: str
    suggested: int = 0
    suggested_margin_text: str = ""
    chosen_size: int | None = None
    chosen_margin_text: str | None = None
    draws: list[DrawLine] = field(default_factory=list)
    attribute_columns: list[str] = field(default_factory=list)


def sampling_frames(
    inspection: Inspection, *, margin: float = 0.10, chosen_size: int | None = None
) -> list[SamplingFrame]:
    """Per case type: cases listed and sampled, size needed for the margin, margins achieved.

    `suggested` is what the one-step form fills in: the cases still needed for the margin,
    no more than are left unsampled; `suggested_margin_text` is the margin the sample would
    then give.
    """
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
        draws.setdefault(draw.case_type_id, []).append(DrawLine(draw, _draw_text(draw)))
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
        needed = sample_size(margin, n)
        suggested = min(n - n_sampled, max(0, needed - n_sampled))
        frame = SamplingFrame(
            case_type=case_type,
            listed=n,
            sampled=n_sampled,
            unsampled=n - n_sampled,
            needed=needed,
            margin_text=format_margin(margin_of_error(n_sampled, n)),
            suggested=suggested,
            suggested_margin_text=format_margin(margin_of_error(n_sampled + suggested, n)),
            draws=draws.get(case_type_id, []),
            attribute_columns=list(columns.get(case_type_id, {})),
        )
        if chosen_size is not None:
            frame.chosen_size = min(chosen_size, n)
            frame.chosen_margin_text = format_margin(margin_of_error(frame.chosen_size, n))
        frames.append(frame)
    return sorted(frames, key=lambda f: (f.case_type.kind, f.case_type.name))


@dataclass(frozen=True)
class StratumRow:
    """Frame and sample of one stratum of one case type (the sampling page and the exports)."""

    case_type: str
    column: str  # the column stratified by; "" when the type was not stratified
    stratum: str  # the column's value ("(blank)" when empty); "All cases" when not stratified
    frame: int  # cases listed
    sample: int  # cases in the sample

    @property
    def fraction(self) -> float | None:
        """The sampling fraction, sample / frame (None for an empty frame)."""
        return self.sample / self.frame if self.frame else None

    @property
    def fraction_text(self) -> str:
        """The fraction as a percentage to one place, e.g. "12.5%"."""
        return "" if self.fraction is None else f"{self.fraction * 100:.1f}%"


def stratum_rows(inspection: Inspection) -> list[StratumRow]:
    """Per case type, per stratum: cases listed (frame), sampled, and the sampling fraction.

    A type's strata are the values of the column its latest stratified draw used; a type never
    stratified is one stratum, "All cases". Ordered by case type, then stratum.
    """
    column_of: dict[int, str] = {}
    for case_type_id, column in db.session.execute(
        select(SampleDraw.case_type_id, SampleDraw.stratify_by)
        .where(SampleDraw.inspection_id == inspection.id, SampleDraw.stratify_by.is_not(None))
        .order_by(SampleDraw.id)
    ):
        column_of[case_type_id] = column or ""  # the filter leaves no NULL
    counts: dict[tuple[str, str, str], list[int]] = {}
    for name, case_type_id, attributes, in_sample in db.session.execute(
        select(CaseType.name, Case.case_type_id, Case.attributes, Case.in_sample)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(Case.inspection_id == inspection.id)
    ):
        column = column_of.get(case_type_id, "")
        if column:
            value = (attributes or {}).get(column)
            stratum = str(value).strip() if value is not None and str(value).strip() else ""
            stratum = stratum or BLANK_STRATUM
        else:
            stratum = "All cases"
        tally = counts.setdefault((name, column, stratum), [0, 0])
        tally[0] += 1
        tally[1] += 1 if in_sample else 0
    return [
        StratumRow(name, column, stratum, frame, sample)
        for (name, column, stratum), (frame, sample) in sorted(counts.items())
    ]


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
) -> list[Any]:
    conditions: list[Any] = [Case.inspection_id == inspection.id]
    if case_type_id:
        conditions.append(Case.case_type_id == case_type_id)
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
    page: int = 1,
    per_page: int,
) -> Pagination:
    """One page of the inspection's cases by case type and reference (db.paginate).

    `show` is one of CASE_FILTERS; "unassigned" means sampled cases without an auditor.
    `status` is a key of STATUS_FILTERS ("" for any); `search` finds references containing it,
    ignoring case. A page past the end (cases removed since the link was made) shows the last.
    """
    cases = (
        select(Case)
        .where(
            *_case_conditions(
                inspection, case_type_id=case_type_id, show=show, status=status, search=search
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
) -> list[int]:
    """Every case the filters match, on every page: what "assign all matching" acts on."""
    return list(
        db.session.scalars(
            select(Case.id)
            .where(
                *_case_conditions(
                    inspection, case_type_id=case_type_id, show=show, status=status, search=search
                )
            )
            .order_by(Case.case_type_id, Case.reference)
        )
    )


def status_words(cases: list[Case]) -> dict[int, str]:
    """Each case's status as the lists show it: Not started apart from In progress."""
    answered = _answered_case_ids([c.id for c in cases])
    return {c.id: case_progress_label(c.status, c.id in answered) for c in cases}


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
