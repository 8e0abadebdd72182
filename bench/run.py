"""`make bench [SCALE=1]`: build the national data set in a fresh database, measure, report.

SCALE=1 is 40 inspections x 600 cases x ~40 answers (about a million answers); both counts
scale with the square root of SCALE, so SCALE=0.01 is 4 inspections x 60 cases. The database
is PostgreSQL when ``DATABASE_URL`` names a postgresql server (a new database is created and
dropped), SQLite otherwise (a temporary file).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from flask_migrate import upgrade

from bench import dataset as data
from bench import load, measure_exports, measure_findings, pages
from bench.database import bench_config, database_version, fresh_database
from bench.report import Row, blocked, machine, print_table, write_json

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("findings", "pages", "exports", "load")


def sizes(scale: float) -> tuple[int, int]:
    """Inspections and cases per inspection for a scale (1 = 40 x 600)."""
    factor = math.sqrt(scale)
    return max(2, round(40 * factor)), max(20, round(600 * factor))


def _guard(section: str, measure: Callable[[], list[Row]]) -> list[Row]:
    """Run one section; if the code it measures is broken, say so in the table and go on."""
    try:
        rows = measure()
        print(f"\n-- {section}:")
        print_table(rows)  # as it goes: a long run shows its figures before the end
        return rows
    except Exception as error:  # one broken section must not stop the run
        traceback.print_exc()
        return [blocked(f"{section}: section failed", "s", f"{type(error).__name__}: {error}")]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; the JSON goes to artifacts/bench-<db>.json."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "1")))
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--repeat", type=int, default=0, help="timed runs per figure (median)")
    parser.add_argument("--requests", type=int, default=0, help="saves per load client")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    inspections, cases = sizes(args.scale)
    server = os.environ.get("DATABASE_URL", "")
    kind = "postgresql" if server.startswith("postgresql") else "sqlite"
    requests_per_client = args.requests or (150 if args.scale >= 0.5 else 25)
    args.repeat = args.repeat or (5 if args.scale >= 0.5 else 3)
    started = time.perf_counter()

    with fresh_database(server if kind == "postgresql" else None) as url:
        version = database_version(url)
        print(
            f"auditapp benchmark: {version}, scale {args.scale:g} "
            f"({inspections} inspections x {cases} cases)",
            flush=True,
        )
        from auditapp import create_app
        from auditapp.extensions import db

        app = create_app(bench_config(url))
        rows: list[Row] = []
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            t0 = time.perf_counter()
            built = data.build(inspections, cases, progress=True)
            build_seconds = time.perf_counter() - t0
            print(f"built {built.answers:,} answers in {build_seconds:.1f} s", flush=True)
            if "findings" in only:
                rows += _guard("findings", lambda: measure_findings.measure(built, args.repeat))
                db.session.rollback()
            per_client = max(1, min(4, cases // load.CLIENTS))
            assignments = data.make_drafts(built, load.CLIENTS, per_client=per_client)
            if kind == "postgresql":
                with db.engine.connect() as connection:
                    connection.exec_driver_sql("ANALYZE")
                    connection.commit()
            db.session.remove()
        if "pages" in only:
            # No app context held open here: each test-client request pushes its own, as in
            # production (a shared one would keep `g`, and the signed-in user, across requests).
            rows += _guard("pages", lambda: pages.measure(app, built, args.repeat))
        if "exports" in only:
            rows += _guard("exports", lambda: measure_exports.measure(url, built))
        if "load" in only:
            with tempfile.TemporaryDirectory(prefix="auditapp-bench-load-") as workdir:
                bare_url = url
                if kind == "sqlite":
                    bare_url = f"sqlite:///{Path(workdir) / 'bare.sqlite'}"
                rows += _guard(
                    "load",
                    lambda: load.measure(
                        app,
                        url,
                        bare_url,
                        assignments,
                        data.BENCH_PASSWORD,
                        Path(workdir),
                        requests_per_client,
                        time_limit=60.0 if args.scale >= 0.5 else 10.0,
                    ),
                )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    print()
    table = print_table(rows)
    total = time.perf_counter() - started
    meta = {
        "database": version,
        "scale": args.scale,
        "inspections": inspections,
        "cases_per_inspection": cases,
        "answers": built.answers,
        "build_seconds": round(build_seconds, 1),
        "total_seconds": round(total, 1),
        "machine": machine(),
        "table": table,
    }
    path = args.out / f"bench-{kind}.json"
    write_json(path, rows, meta)
    print(f"\n{len(rows)} figures in {total:.0f} s; written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
