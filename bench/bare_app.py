"""The floor of the answer-save figure: a bare Flask route that writes one row.

No sign-in, no CSRF, no ORM: one JSON POST, one INSERT, one COMMIT, on the same database kind
as the app, served by gunicorn with the same settings. ``BENCH_BARE_DATABASE_URL`` names it.

    gunicorn bench.bare_app:app
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func
from sqlalchemy.engine import Engine

from auditapp.database import configure_engine_events

metadata = MetaData()
rows = Table(
    "bench_bare_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, nullable=False),
    Column("question_code", String(32), nullable=False),
    Column("value", String(200)),
    Column("saved_at", DateTime(timezone=True), server_default=func.now()),
)


def make_engine(url: str) -> Engine:
    """An engine with the app's own SQLite settings (WAL, busy timeout) where they apply."""
    engine = create_engine(url, pool_pre_ping=True)
    configure_engine_events(engine)
    return engine


def create_app(url: str | None = None) -> Flask:
    """The bare app: POST /rows inserts one row and answers its id."""
    engine = make_engine(url or os.environ["BENCH_BARE_DATABASE_URL"])
    application = Flask(__name__)

    @application.post("/rows")
    def write_row() -> tuple[dict[str, Any], int]:
        data = request.get_json(force=True)
        with engine.begin() as connection:
            new_id = connection.execute(
                rows.insert().values(
                    case_id=int(data["case_id"]),
                    question_code=str(data["question_code"]),
                    value=str(data["value"]),
                )
            ).inserted_primary_key[0]
        return {"id": new_id}, 200

    @application.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return application


def create_table(url: str) -> None:
    """Create the bare table (once, before the server's workers start)."""
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


app = create_app() if "BENCH_BARE_DATABASE_URL" in os.environ else None
