"""A refused case list's problems: grouped for the page, and the full list kept as a CSV download.

A file with 115,000 bad rows once made a 21.7 MB error page. The page now shows the first groups
(identical reasons together: "300 rows: case type "PPO" is not a known case type"), and the
whole list is written to a CSV file in the instance folder (one per inspection and uploader,
the latest refused file) for its uploader to download.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from auditapp.domain.spreadsheet_safety import neutralise

PAGE_GROUPS = 50  # groups shown on the page; the download holds every problem
ROWS_SHOWN = 10  # row numbers listed in one group before "and N more"
KEEP_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class ImportProblem:
    """One reason the file was refused: the spreadsheet row (None for the whole file) and why."""

    row: int | None
    message: str
    column: str | None = None
    # The row names a case type the app does not know: the refusal then lists the known ones.
    unknown_case_type: bool = False

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}" if self.row else self.message


class CaseListError(ValueError):
    """The file was refused; `problems` names each bad row and why. Nothing was stored.

    `hints` help fix them, e.g. the case types the app knows.
    """

    def __init__(self, problems: list[ImportProblem], hints: list[str] | None = None) -> None:
        super().__init__(f"{len(problems)} problem(s) in the case list")
        self.problems = problems
        self.hints = hints or []


class Problem(Protocol):
    """What a problem offers: its row (None for the whole file), column and message."""

    @property
    def row(self) -> int | None: ...

    @property
    def message(self) -> str: ...

    @property
    def column(self) -> str | None: ...


@dataclass(frozen=True)
class ProblemGroup:
    """One reason and the rows that have it ("300 rows: ...")."""

    message: str
    rows: tuple[int, ...]
    count: int
    whole_file: bool

    @property
    def where(self) -> str:
        """The rows in words: "Whole file", "4", "300 rows (4, 5, 9, ... and 290 more)"."""
        if self.whole_file:
            return "Whole file"
        if self.count == 1:
            return str(self.rows[0])
        shown = ", ".join(str(row) for row in self.rows)
        more = self.count - len(self.rows)
        return f"{self.count:,} rows ({shown}{f' and {more:,} more' if more else ''})"

    def __str__(self) -> str:
        where = f"Row {self.where}" if self.count == 1 and not self.whole_file else self.where
        return f"{where}: {self.message}"


def group_problems(problems: Sequence[Problem]) -> list[ProblemGroup]:
    """Identical reasons together, in order of first appearance."""
    rows: dict[tuple[bool, str], list[int]] = {}
    counts: dict[tuple[bool, str], int] = {}
    for problem in problems:
        key = (problem.row is None, problem.message)
        counts[key] = counts.get(key, 0) + 1
        listed = rows.setdefault(key, [])
        if problem.row is not None and len(listed) < ROWS_SHOWN:
            listed.append(problem.row)
    return [
        ProblemGroup(message, tuple(rows[(whole, message)]), counts[(whole, message)], whole)
        for whole, message in counts
    ]


def problems_csv(problems: Sequence[Problem]) -> bytes:
    """Every problem as a CSV file (row, column, problem), formula-safe, for Excel (UTF-8 BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Row", "Column", "Problem"])
    for problem in problems:
        writer.writerow(
            [
                problem.row or "Whole file",
                neutralise(problem.column or ""),
                neutralise(problem.message),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _file(directory: Path, inspection_id: int, user_id: int) -> Path:
    return directory / f"{inspection_id}-{user_id}.csv"


def store_problems(
    directory: Path, inspection_id: int, user_id: int, problems: Sequence[Problem]
) -> Path:
    """Keep the full list of the uploader's latest refused file; lists past a day are removed."""
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in directory.glob("*.csv"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:  # another worker removed it first
            continue
    path = _file(directory, inspection_id, user_id)
    partial = path.with_suffix(".part")
    partial.write_bytes(problems_csv(problems))
    partial.replace(path)  # a download never sees half a file
    return path


def stored_problems(directory: Path, inspection_id: int, user_id: int) -> Path | None:
    """The uploader's latest list for the inspection, or None (none, or older than a day)."""
    path = _file(directory, inspection_id, user_id)
    try:
        fresh = path.stat().st_mtime >= time.time() - KEEP_SECONDS
    except OSError:
        return None
    return path if fresh else None
