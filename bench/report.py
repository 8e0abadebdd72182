"""One figure of the benchmark beside its floor, the table they make, and its JSON file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """A measured figure, the floor measured in the same run, and the target it must meet.

    ``target_ratio`` (value / floor must not exceed it), ``target_max`` (value must not exceed
    it) and ``target_min_ratio`` (value / floor must reach it: throughput) are checked by
    :meth:`met`. A row with ``blocked`` set was not measured, and says why.
    """

    name: str
    value: float | None
    unit: str
    floor: float | None = None
    target_ratio: float | None = None
    target_max: float | None = None
    target_min_ratio: float | None = None
    note: str = ""
    blocked: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """value / floor, when both were measured."""
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    @property
    def target(self) -> str:
        """The target in words, e.g. "<= 1.5x floor"."""
        parts = []
        if self.target_ratio is not None:
            parts.append(f"<= {self.target_ratio:g}x floor")
        if self.target_min_ratio is not None:
            parts.append(f">= {self.target_min_ratio:.0%} of floor")
        if self.target_max is not None:
            parts.append(f"<= {_fmt(self.target_max, self.unit)}")
        return ", ".join(parts)

    @property
    def met(self) -> bool | None:
        """Whether every target of the row is met (None: no target, or not measured)."""
        if self.blocked or self.value is None:
            return None
        checks = []
        if self.target_ratio is not None:
            checks.append(self.ratio is not None and self.ratio <= self.target_ratio)
        if self.target_min_ratio is not None:
            checks.append(self.ratio is not None and self.ratio >= self.target_min_ratio)
        if self.target_max is not None:
            checks.append(self.value <= self.target_max)
        return all(checks) if checks else None

    def as_json(self) -> dict[str, Any]:
        """The row with its derived ratio, target and verdict."""
        data = asdict(self)
        data.update(ratio=self.ratio, target=self.target, met=self.met)
        return data


def blocked(name: str, unit: str, reason: str, **targets: float) -> Row:
    """A row that could not be measured in this run, with the reason."""
    return Row(name, None, unit, blocked=reason, **targets)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:,.1f} ms" if value < 10 else f"{value:,.1f} s"
    if unit == "B":
        return f"{value / 2**20:,.1f} MiB"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    return f"{value:,.3g} {unit}".strip()


def median_time(func: Callable[[], Any], repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``func`` over ``repeat`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_table(rows: list[Row]) -> str:
    """The table: name | value | floor | ratio | target | met?; notes and blocks below it."""
    header = ("name", "value", "floor", "ratio", "target", "met?")
    lines = []
    for row in rows:
        verdict = "BLOCKED" if row.blocked else {True: "met", False: "NOT MET", None: "-"}[row.met]
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        lines.append(
            (
                row.name,
                _fmt(row.value, row.unit),
                _fmt(row.floor, row.unit),
                ratio,
                row.target or "-",
                verdict,
            )
        )
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    for line in lines:
        out.append(" | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    notes = [f"  {r.name}: {r.blocked or r.note}" for r in rows if r.blocked or r.note]
    if notes:
        out.append("")
        out.append("Notes:")
        out.extend(notes)
    text = "\n".join(out)
    print(text, flush=True)
    return text


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    memory = None
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    cpu = platform.machine()
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "nproc": os.cpu_count(),
        "memory": memory,
        "arch": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_json(path: Path, rows: list[Row], meta: dict[str, Any]) -> None:
    """The whole table as JSON, with when, where and on what it was measured."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **meta,
        "rows": [row.as_json() for row in rows],
    }
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
