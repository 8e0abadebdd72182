"""The dashboard's figures: grades overall, by case type and by auditor, and work progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditapp.domain.aggregation.grades import (
    CaseCount,
    GradeBreakdown,
    grade_breakdown,
    grade_distribution,
    headline,
    provisional_note,
)
from auditapp.domain.statuses import CaseStatus

NOT_ASSIGNED = "Not assigned"


@dataclass(frozen=True)
class WorkProgress:
    """Where the sampled cases of one case type are in the audit."""

    key: str
    label: str
    kind: str
    sampled: int
    in_progress: int
    submitted: int
    moderated: int


def work_progress(counts: Iterable[CaseCount], key: str, label: str, kind: str) -> WorkProgress:
    """How many of these sampled cases are drafts, submitted and moderated."""
    by_status: dict[str, int] = {}
    sampled = 0
    for row in counts:
        sampled += row.cases
        by_status[row.status] = by_status.get(row.status, 0) + row.cases
    return WorkProgress(
        key=key,
        label=label,
        kind=kind,
        sampled=sampled,
        in_progress=by_status.get(CaseStatus.DRAFT, 0),
        submitted=by_status.get(CaseStatus.SUBMITTED, 0),
        moderated=by_status.get(CaseStatus.MODERATED, 0),
    )


def auditor_labels(counts: Iterable[CaseCount]) -> dict[int | None, str]:
    """Each auditor's name, with the email where two auditors share it ("Not assigned": None).

    Two auditors can share a display name: telling them apart keeps their figures apart.
    """
    names: dict[int, str] = {}
    emails: dict[int, str | None] = {}
    for row in counts:
        if row.auditor_id is not None:
            names[row.auditor_id] = row.auditor_name or ""
            emails[row.auditor_id] = row.auditor_email
    ids_by_name: dict[str, set[int]] = {}
    for auditor_id, name in names.items():
        ids_by_name.setdefault(name, set()).add(auditor_id)
    labels: dict[int | None, str] = {None: NOT_ASSIGNED}
    for auditor_id, name in names.items():
        shared = len(ids_by_name[name]) > 1
        labels[auditor_id] = f"{name} ({emails[auditor_id]})" if shared else name or NOT_ASSIGNED
    return labels


@dataclass(frozen=True)
class DashboardFigures:
    """An inspection's headline, grades by case type and by auditor, and progress of the work."""

    headline: str
    provisional: bool
    unmoderated: int
    # Counted grades resting on an unconfirmed threshold, and all provisional ones (either).
    unconfirmed: int
    provisional_grades: int
    provisional_note: str
    overall: GradeBreakdown
    by_case_type: tuple[GradeBreakdown, ...]
    by_auditor: tuple[GradeBreakdown, ...]
    progress: tuple[WorkProgress, ...]
    progress_total: WorkProgress


def dashboard_figures(counts: Iterable[CaseCount]) -> DashboardFigures:
    """Every dashboard figure from the sampled cases' counts (one inspection's).

    Grades count audited cases of graded case types (dip samples are left out); progress
    counts every sampled case. Groups are sorted by name.
    """
    rows = list(counts)
    counted = [row for row in rows if row.counted]
    overall = grade_distribution(counted)["total"]
    labels = auditor_labels(rows)
    slugs = {row.case_type: row.case_type_slug for row in rows}
    auditor_keys = {labels[row.auditor_id]: row.auditor_id for row in rows}
    by_type = grade_distribution(counted, by=lambda row: row.case_type)
    by_auditor = grade_distribution(counted, by=lambda row: labels[row.auditor_id])
    types: dict[str, list[CaseCount]] = {}
    for row in rows:
        types.setdefault(row.case_type, []).append(row)
    return DashboardFigures(
        headline=headline(overall),
        provisional=overall.provisional,
        unmoderated=overall.unmoderated,
        unconfirmed=overall.unconfirmed,
        provisional_grades=overall.provisional_grades,
        provisional_note=provisional_note(overall),
        overall=grade_breakdown("total", "All audited cases", overall),
        by_case_type=tuple(
            grade_breakdown(slugs[name], name, tally) for name, tally in by_type.items()
        ),
        by_auditor=tuple(
            grade_breakdown(
                "" if auditor_keys[label] is None else str(auditor_keys[label]), label, tally
            )
            for label, tally in by_auditor.items()
        ),
        progress=tuple(
            work_progress(group, group[0].case_type_slug, name, group[0].kind)
            for name, group in sorted(types.items())
        ),
        progress_total=work_progress(rows, "all", "All sampled cases", "all"),
    )
