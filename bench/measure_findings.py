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


Figure = Callable[[list[int]], Any]


def _service_figures() -> dict[str, tuple[Figure, Figure]] | str:
    """The findings service's functions for each figure: for one inspection and for all of
    them (each taking a list of inspection ids), or why they cannot be measured."""
    try:
        from auditapp.services import findings
    except ImportError as error:
        return f"auditapp.services.findings not importable ({error})"
    missing = [
        name
        for name in (
            "dashboard",
            "question_findings",
            "recommendation_progress",
            "national_findings",
            "national_question_findings",
        )
        if not hasattr(findings, name)
    ]
    if missing:
        return f"auditapp.services.findings has no {', '.join(missing)}"

    def progress(inspection_id: int) -> Any:
        return findings.recommendation_progress(db.session.get(Inspection, inspection_id))

    def each(func: Callable[[int], Any]) -> Figure:
        return lambda ids: [func(i) for i in ids]

    return {
        # The national grades are the national view's: every inspection from one query.
        "grade distribution": (each(findings.dashboard), findings.national_findings),
        # The national question counts are the national view's: all inspections together.
        "per-question counts": (
            each(findings.question_findings),
            findings.national_question_findings,
        ),
        "recommendation evidence": (each(progress),) * 2,
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
    if db.engine.dialect.name == "postgresql":
        # The data set was just bulk-loaded: without statistics PostgreSQL plans nested loops
        # that make the floors (and the service) several times slower than on a server where
        # autovacuum has analyzed the tables.
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    rows = []
    for scope, ids, floor_scope, n in scopes:
        for figure, floor in floors.FLOORS.items():
            name = f"findings: {figure}, {scope}"
            # The national scope runs once, cold, as it is long; but the national grades are a
            # small grouped query at any scale, so they get the warm-up of the one-inspection
            # figures (cold, a first call mostly times the statement's compilation).
            warmup = 1 if n > 1 or figure == "grade distribution" else 0
            floor_time = median_time(
                _fresh(lambda f=floor, s=floor_scope: f(db.session, s)), n, warmup
            )
            if isinstance(service, str):
                row = blocked(name, "s", service, target_ratio=TARGET_RATIO)
                row.floor = floor_time
                rows.append(row)
                continue
            national = floor_scope is None
            func = service[figure][national]
            value = median_time(_fresh(lambda f=func, i=ids: f(i)), n, warmup)
            note = ""
            if national:
                note = {
                    "grade distribution": "national: findings.national_findings, one query",
                    "per-question counts": (
                        "national: findings.national_question_findings, two queries"
                    ),
                }.get(figure, "national: the service is run per inspection")
            rows.append(
                Row(name, value, "s", floor=floor_time, target_ratio=TARGET_RATIO, note=note)
            )
    return rows
