"""Migration 0008: question-set drafts get a table of their own, and lose it on the way down."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from auditapp.extensions import db

# The revision before the drafts table (renumber with the migration if it moves).
BEFORE_DRAFTS = "0007"


def _columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def test_drafts_table_comes_and_goes_leaving_versions_alone(app: Flask) -> None:
    versions = _columns("question_set")
    assert {"status", "definition", "based_on_id", "published_id"} <= _columns("question_set_draft")
    downgrade(revision=BEFORE_DRAFTS)
    assert "question_set_draft" not in inspect(db.engine).get_table_names()
    assert _columns("question_set") == versions
    upgrade()
    assert "question_set_draft" in inspect(db.engine).get_table_names()
    # The versions table is not touched: a draft never lives among the immutable versions.
    assert _columns("question_set") == versions and "status" not in versions
