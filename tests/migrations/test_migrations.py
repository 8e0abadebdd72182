"""Migrations: upgrade from empty to head and back, and the head matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from auditapp.extensions import db
from auditapp.models import Base


def _diff() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_head_revision_matches_models(app: Flask) -> None:
    assert _diff() == []


def test_downgrade_to_base_and_upgrade_again(app: Flask) -> None:
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert {"case", "answer", "audit_event", "user"} <= set(inspect(db.engine).get_table_names())
    assert _diff() == []
