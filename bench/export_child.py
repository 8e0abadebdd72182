"""One export in a process of its own, so its peak memory is its own.

    python -m bench.export_child DATABASE_URL {app|floor} ID[,ID...] OUT_DIR

Prints one JSON line: seconds, peak resident memory (VmHWM) of this process, the resident
memory before the export started (imports, app, database connection), rows and bytes written.
``app`` writes each inspection's workbook with ``auditapp.services.exports.write_workbook``;
``floor`` reads the same answers table (one row per case and question) into one pandas frame
with one SQL query and writes it with pandas and the same writer (XlsxWriter, with the
export's workbook options: constant-memory mode).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import text

ANSWERS_SQL = """
    SELECT c.reference, ct.name AS case_type, q.code AS question_id, q.section_title AS section,
           q.text AS question_text, q.answer_type, a.value AS answer, o.outcome, a.note
    FROM "case" c
    JOIN case_type ct ON ct.id = c.case_type_id
    JOIN question q ON q.question_set_id = c.question_set_id
    LEFT JOIN answer a ON a.case_id = c.id AND a.audit_round = 1 AND a.question_code = q.code
    LEFT JOIN question_outcome o ON o.case_id = c.id AND o.audit_round = 1
         AND o.question_code = q.code
    WHERE c.inspection_id = :inspection_id
    ORDER BY ct.name, c.reference, q.position
"""


def _rss() -> int:
    """Peak resident memory of this process so far, in bytes: VmHWM, its own high-water mark.

    Not ru_maxrss: Linux carries the parent's peak across fork and exec into it, so a child
    of the (large) benchmark process would report the parent's memory.
    """
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _current_rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize()


def _floor(session: object, inspection_id: int, path: Path) -> int:
    """The answers table as one pandas frame, written by pandas with the app's writer."""
    from auditapp.services import exports

    connection = session.connection()  # type: ignore[attr-defined]
    frame = pd.read_sql(text(ANSWERS_SQL), connection, params={"inspection_id": inspection_id})
    options = dict(getattr(exports, "_WORKBOOK_OPTIONS", {"constant_memory": True}))
    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        frame.to_excel(writer, sheet_name="Answers", index=False)
    return len(frame)


def main(argv: list[str]) -> int:
    """Run the export named on the command line and print its figures as JSON."""
    database_url, mode, ids_text, out_dir = argv
    ids = [int(i) for i in ids_text.split(",")]
    from auditapp import create_app
    from auditapp.extensions import db
    from auditapp.models import Inspection
    from bench.database import bench_config

    app = create_app(bench_config(database_url))
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        if mode == "app":
            from auditapp.services.exports import write_workbook
        before = _current_rss()
        start = time.perf_counter()
        rows = 0
        size = 0
        for inspection_id in ids:
            path = Path(out_dir) / f"{mode}-{inspection_id}.xlsx"
            if mode == "app":
                written = write_workbook(db.session.get(Inspection, inspection_id), path)
                rows += sum(written.values())
            else:
                rows += _floor(db.session, inspection_id, path)
            size += path.stat().st_size
            path.unlink()
            db.session.expire_all()
        seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss": _rss(),
                "rss_before": before,
                "rows": rows,
                "bytes": size,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
