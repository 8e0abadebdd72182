"""Exporting the workbook: time and peak memory, each in a fresh process, against the floor."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.dataset import Dataset
from bench.report import Row, blocked

ROOT = Path(__file__).resolve().parent.parent
NATIONAL_MEMORY_TARGET = 2**30  # 1 GiB


def _run(database_url: str, mode: str, ids: list[int]) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="auditapp-export-") as out:
        result = subprocess.run(  # noqa: S603 - our own fixed command line
            [
                sys.executable,
                "-m",
                "bench.export_child",
                database_url,
                mode,
                ",".join(map(str, ids)),
                out,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
    if result.returncode != 0:
        raise RuntimeError(f"export_child {mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _available() -> str:
    try:
        from auditapp.services import exports
    except ImportError as error:
        return f"auditapp.services.exports not importable ({error})"
    if not hasattr(exports, "write_workbook"):
        return "auditapp.services.exports has no write_workbook"
    return ""


def measure(database_url: str, dataset: Dataset) -> list[Row]:
    """Workbook of one inspection and of every inspection: seconds and peak memory."""
    one = dataset.inspection_ids[0]
    cases = len(dataset.case_ids_by_inspection[one])
    scopes = [
        (f"one inspection ({cases} cases)", [one], None),
        (
            f"national ({len(dataset.inspection_ids)} inspections, {dataset.answers:,} answers)",
            dataset.inspection_ids,
            NATIONAL_MEMORY_TARGET,
        ),
    ]
    missing = _available()
    rows = []
    for scope, ids, memory_target in scopes:
        floor = _run(database_url, "floor", ids)
        time_name = f"export workbook: time, {scope}"
        memory_name = f"export workbook: peak memory, {scope}"
        if missing:
            rows.append(blocked(time_name, "s", missing))
            rows[-1].floor = floor["seconds"]
            targets = {"target_max": memory_target} if memory_target else {}
            rows.append(blocked(memory_name, "B", missing, **targets))
            rows[-1].floor = floor["peak_rss"]
            continue
        app = _run(database_url, "app", ids)
        note = (
            f"{app['rows']:,} rows in all sheets, {app['bytes'] / 2**20:.1f} MiB written; "
            f"floor: the answers sheet alone ({floor['rows']:,} rows)"
        )
        rows.append(Row(time_name, app["seconds"], "s", floor=floor["seconds"], note=note))
        rows.append(
            Row(
                memory_name,
                app["peak_rss"],
                "B",
                floor=floor["peak_rss"],
                target_max=memory_target,
                note=(
                    "peak RSS of the exporting process (VmHWM), "
                    f"{app['rss_before'] / 2**20:.0f} MiB of it before the export began"
                ),
            )
        )
    return rows
