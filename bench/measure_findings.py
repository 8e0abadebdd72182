"""Findings computation (the findings service) against one SQL query per figure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditapp.extensions import db
from auditapp.models import Inspection
from bench import floors
from bench.dataset import Dataset
from bench.report import Row, blocked, median_time

TARGET_RATIO = 1.5


def _service_figures() -> dict[str, Callable[[int], Any]] | str:
    """The findings service's function for each figure, or why it cannot be measured."""
    try:
        from auditapp.services import findings
    except ImportError as error:
        return f"auditapp.services.findings not importable ({error})"
    missing = [
        name
        for name in ("dashboard", "question_findings", "recommendation_progress")
        if not hasattr(findings, name)
    ]
    if missing:
        return f"auditapp.services.findings has no {', '.join(missing)}"

    def progress(inspection_id: int) -> Any:
        return findings.recommendation_progress(db.session.get(Inspection, inspection_id))

    return {
        "grade distribution": findings.dashboard,
        "per-question counts": findings.question_findings,
        "recommendation evidence": progress,
    }


def _fresh(func: Callable[[], Any]) -> Callable[[], Any]:
    """Run with an empty identity map, as a new request would."""

    def run() -> Any:
        db.session.expire_all()
        result = func()
        db.session.rollback()
        return result

    return run


def measure(dataset: Dataset, repeat: int) -> list[Row]:
    """One 600-case inspection and all inspections, each figure beside its SQL floor."""
    one = dataset.inspection_ids[0]
    cases = len(dataset.case_ids_by_inspection[one])
    scopes = [
        (f"one inspection ({cases} cases)", [one], one, repeat),
        (
            f"all {len(dataset.inspection_ids)} inspections",
            dataset.inspection_ids,
            None,
            1,
        ),
    ]
    service = _service_figures()
    rows = []
    for scope, ids, floor_scope, n in scopes:
        for figure, floor in floors.FLOORS.items():
            name = f"findings: {figure}, {scope}"
            warmup = 1 if n > 1 else 0  # the national scope runs once, cold: it is long
            floor_time = median_time(
                _fresh(lambda f=floor, s=floor_scope: f(db.session, s)), n, warmup
            )
            if isinstance(service, str):
                row = blocked(name, "s", service, target_ratio=TARGET_RATIO)
                row.floor = floor_time
                rows.append(row)
                continue
            func = service[figure]
            value = median_time(_fresh(lambda f=func, i=ids: [f(x) for x in i]), n, warmup)
            note = ""
            if floor_scope is None and figure == "grade distribution":
                note = "national: the service is run per inspection (no national function)"
            rows.append(
                Row(name, value, "s", floor=floor_time, target_ratio=TARGET_RATIO, note=note)
            )
    return rows
