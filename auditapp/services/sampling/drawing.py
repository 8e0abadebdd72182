"""Draw samples from an inspection's case list (one step for every type), undo a draw, and
change the sample by hand."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select

from auditapp.domain.sampling import (
    SampleRequest,
    SamplingError,
    describe_draw,
    draw_sample,
    draw_stratified,
    new_seed,
    parse_request,
)
from auditapp.domain.statuses import is_opened
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseType,
    Inspection,
    SampleDraw,
    User,
)
from auditapp.services.audit_log import record_event
from auditapp.services.case_list_mapping import inspection_case_types
from auditapp.services.inspections import chosen_question_set_id
from auditapp.services.sampling.case_lists import answered_case_ids, cases_of


def give_question_set(inspection: Inspection, case: Case) -> None:
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
        give_question_set(inspection, case)
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
    case_types = {ct.id: ct for ct in inspection_case_types(inspection) if ct.id in wanted}
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
    return draw_all(
        inspection, {case_type_id: requested}, by=by, seed=seed, stratify_by=stratify_by
    )[0]


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
    answered = answered_case_ids([c.id for c in cases])
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


def add_to_sample(inspection: Inspection, case_ids: list[int], *, by: User) -> int:
    """Put cases in the sample by hand; returns how many were added."""
    added = 0
    for case in cases_of(inspection, case_ids):
        if case.in_sample:
            continue
        case.in_sample = True
        case.sample_draw_id = None  # chosen by hand, not drawn
        give_question_set(inspection, case)
        added += 1
        record_event(
            "add", "sample", user=by, entity_id=case.id, inspection_id=inspection.id,
            case_id=case.id, field="in_sample", old=False, new=True,
        )  # fmt: skip
    db.session.flush()
    return added


def remove_from_sample(inspection: Inspection, case_ids: list[int], *, by: User) -> int:
    """Take cases out of the sample; refused for cases already answered or submitted."""
    cases = cases_of(inspection, case_ids)
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
