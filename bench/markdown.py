"""The README's table of figures from benchmark JSON files, SQLite and PostgreSQL side by side.

    python -m bench.markdown SQLITE.json [MORE_SQLITE.json] -- PG.json [MORE_PG.json]

Later files replace the rows of earlier ones with the same name (a second pass of some
sections only).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.report import _fmt


def _rows(paths: list[str]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for path in paths:
        for row in json.loads(Path(path).read_text(encoding="utf-8"))["rows"]:
            rows[row["name"]] = row
    return rows


def _cell(row: dict[str, Any] | None) -> list[str]:
    if row is None:
        return ["not run", "", "", ""]
    if row["blocked"]:
        return ["blocked", "", "", row["blocked"]]
    ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-"
    met = {True: "met", False: "**not met**", None: "-"}[row["met"]]
    return [_fmt(row["value"], row["unit"]), _fmt(row["floor"], row["unit"]), ratio, met]


def main(argv: list[str]) -> int:
    """Print the table."""
    split = argv.index("--")
    sqlite, postgres = _rows(argv[:split]), _rows(argv[split + 1 :])
    names = list(dict.fromkeys([*sqlite, *postgres]))
    print("| figure | target | SQLite | floor | ratio | met? | PostgreSQL | floor | ratio | met? |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for name in names:
        any_row = sqlite.get(name) or postgres.get(name) or {}
        cells = [name, any_row.get("target") or "-"]
        cells += _cell(sqlite.get(name)) + _cell(postgres.get(name))
        print("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
