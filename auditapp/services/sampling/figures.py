"""What the sampling page shows: the draws made, the frames with their suggested sizes, and
frame and sample per stratum."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auditapp.domain.sampling import (
    BLANK_STRATUM,
    describe_draw,
    format_margin,
    margin_of_error,
    sample_size,
)
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    SampleDraw,
)

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
    case_type_id: int = 0

    @property
    def key(self) -> str:
        """What the case lists' stratum filter sends: "<case type id>:<stratum>"."""
        return f"{self.case_type_id}:{self.stratum}"

    @property
    def fraction(self) -> float | None:
        """The sampling fraction, sample / frame (None for an empty frame)."""
        return self.sample / self.frame if self.frame else None

    @property
    def fraction_text(self) -> str:
        """The fraction as a percentage to one place, e.g. "12.5%"."""
        return "" if self.fraction is None else f"{self.fraction * 100:.1f}%"


ALL_CASES = "All cases"  # the one stratum of a case type never stratified


def stratify_columns(inspection_id: int) -> dict[int, str]:
    """The column each case type's latest stratified draw used, by case type id."""
    column_of: dict[int, str] = {}
    for case_type_id, column in db.session.execute(
        select(SampleDraw.case_type_id, SampleDraw.stratify_by)
        .where(SampleDraw.inspection_id == inspection_id, SampleDraw.stratify_by.is_not(None))
        .order_by(SampleDraw.id)
    ):
        column_of[case_type_id] = column or ""  # the filter leaves no NULL
    return column_of


def stratum_of(attributes: dict[str, object] | None, column: str) -> str:
    """The stratum a case is in: its value in the column (blank: "(blank)"), or "All cases"."""
    if not column:
        return ALL_CASES
    value = (attributes or {}).get(column)
    stratum = str(value).strip() if value is not None and str(value).strip() else ""
    return stratum or BLANK_STRATUM


def stratum_rows(inspection: Inspection) -> list[StratumRow]:
    """Per case type, per stratum: cases listed (frame), sampled, and the sampling fraction.

    A type's strata are the values of the column its latest stratified draw used; a type never
    stratified is one stratum, "All cases". Ordered by case type, then stratum.
    """
    column_of = stratify_columns(inspection.id)
    counts: dict[tuple[str, str, str, int], list[int]] = {}
    for name, case_type_id, attributes, in_sample in db.session.execute(
        select(CaseType.name, Case.case_type_id, Case.attributes, Case.in_sample)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(Case.inspection_id == inspection.id)
    ):
        column = column_of.get(case_type_id, "")
        stratum = stratum_of(attributes, column)
        tally = counts.setdefault((name, column, stratum, case_type_id), [0, 0])
        tally[0] += 1
        tally[1] += 1 if in_sample else 0
    return [
        StratumRow(name, column, stratum, frame, sample, case_type_id)
        for (name, column, stratum, case_type_id), (frame, sample) in sorted(counts.items())
    ]


def stratum_case_ids(inspection: Inspection, key: str) -> tuple[int, list[int]] | None:
    """The case type and the ids of its cases in the stratum a filter key names (StratumRow.key).

    None when the key names no case type; the stratum of a case is worked out as stratum_rows
    works it out, so the filter and the table always agree.
    """
    type_part, _, stratum = key.partition(":")
    if not type_part.isdigit() or not stratum:
        return None
    case_type_id = int(type_part)
    column = stratify_columns(inspection.id).get(case_type_id, "")
    ids = [
        case_id
        for case_id, attributes in db.session.execute(
            select(Case.id, Case.attributes).where(
                Case.inspection_id == inspection.id, Case.case_type_id == case_type_id
            )
        )
        if stratum_of(attributes, column) == stratum
    ]
    return case_type_id, ids
