"""The demo command loads accounts, inspections and the question-set library, twice safely."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import CaseType, Inspection, QuestionSet, User
from auditapp.services.demo import DEMO_PASSWORD


def test_demo_loads_accounts_inspections_and_library_and_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Inspection.id))),
        db.session.scalar(select(func.count(QuestionSet.id))),
    )
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts == (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Inspection.id))),
        db.session.scalar(select(func.count(QuestionSet.id))),
    )
    emails = set(db.session.scalars(select(User.email)))
    assert {
        "admin@demo.test",
        "lead@demo.test",
        "auditor1@demo.test",
        "auditor2@demo.test",
    } <= emails
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    assert lead is not None and lead.check_password(DEMO_PASSWORD)
    slugs = set(db.session.scalars(select(CaseType.slug)))
    assert {"domestic-abuse", "missing-child", "police-protection"} <= slugs


def test_demo_is_refused_in_production(app: Flask) -> None:
    app.config["LOAD_DEMO_DATA_ALLOWED"] = False
    try:
        result = app.test_cli_runner().invoke(args=["demo"])
    finally:
        app.config["LOAD_DEMO_DATA_ALLOWED"] = True
    assert result.exit_code != 0
    assert "never loaded in production" in result.output
