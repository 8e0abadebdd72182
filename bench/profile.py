"""Profile one figure of the benchmark with pyinstrument, on a review of 600 cases.

    python -m bench.profile dashboard|questions|recommendations|recommendations-page|form|save
        [--cases 600]

Builds a review and its baseline (2 inspections) in a temporary SQLite file (or a fresh
PostgreSQL database when DATABASE_URL names a server), warms up once, then profiles N runs and
writes the text report to artifacts/profile-<what>-<db>.txt.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from pyinstrument import Profiler

from bench import dataset as data
from bench.database import bench_config, fresh_database
from bench.pages import RECOMMENDATIONS, page_url, signed_in

ROOT = Path(__file__).resolve().parent.parent
WHAT = ("dashboard", "questions", "recommendations", "recommendations-page", "form", "save")


def _target(app: Any, what: str, built: data.Dataset) -> Callable[[], Any]:
    from auditapp.extensions import db
    from auditapp.models import Inspection
    from auditapp.services import findings

    one = built.inspection_ids[0]
    if what in ("dashboard", "questions", "recommendations"):
        func = {
            "dashboard": lambda: findings.dashboard(one),
            "questions": lambda: findings.question_findings(one),
            "recommendations": lambda: findings.recommendation_progress(
                db.session.get(Inspection, one)
            ),
        }[what]

        def run() -> Any:
            with app.app_context():
                return func()

        return run
    if what == "recommendations-page":
        lead = signed_in(app, built.lead_email)
        url = page_url(app, RECOMMENDATIONS, one)
        assert url, "no recommendation progress page"
        return lambda: lead.get(url)
    case_id = built.case_ids_by_inspection[one][-1]
    client = signed_in(app, built.auditor_of_case[case_id])
    if what == "form":
        return lambda: client.get(f"/audit/cases/{case_id}")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/").text)
    assert token
    seen: dict[str, str | None] = {"value": None}

    def save() -> Any:
        value = "no" if seen["value"] == "yes" else "yes"
        response = client.post(
            f"/audit/cases/{case_id}/answers/BQ05",
            json={"value": value, "base_value": seen["value"]},
            headers={"X-CSRFToken": token.group(1)},
        )
        assert response.status_code == 200, (response.status_code, response.get_data()[:300])
        seen["value"] = value
        return response

    return save


def main() -> int:
    """Build, warm up, profile, write the report."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("what", choices=list(WHAT))
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    kind = "postgresql" if server.startswith("postgresql") else "sqlite"
    with fresh_database(server if kind == "postgresql" else None) as url:
        from auditapp import create_app
        from auditapp.extensions import db

        app = create_app(bench_config(url))
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            built = data.build(2, args.cases, progress=False)
            data.make_drafts(built, 1, 1)
            db.session.remove()
        run = _target(app, args.what, built)
        run()
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.runs):
            run()
        profiler.stop()
        with app.app_context():
            db.engine.dispose()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    out = ROOT / "artifacts" / f"profile-{args.what}-{kind}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
