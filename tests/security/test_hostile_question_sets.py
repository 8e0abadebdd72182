"""Hostile question-set files: nested aliases and bidirectional characters are refused at once.

Issue 20, point 7: a 5.6 KB file of nested aliases ("billion laughs") reached 2.3 GB of memory,
because the expanded value was copied into a validation message. Point 9: U+202E was accepted.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from auditapp.extensions import db
from auditapp.models import QuestionSet
from tests.unit.test_question_set_yaml_safety import billion_laughs


def _import(app: Flask, path: Path) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["question-sets", "import", str(path)])
    return result.exit_code, result.output


def test_the_billion_laughs_file_is_refused_quickly_on_the_command_line(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    started = time.perf_counter()

    code, output = _import(app, path)

    assert time.perf_counter() - started < 5
    assert code != 0
    assert (
        "laughs.yaml: line 5, column 7: not valid YAML: the aliases (*name) here expand" in output
    )
    assert len(output) < 500
    assert db.session.scalar(select(func.count()).select_from(QuestionSet)) == 0


@pytest.mark.parametrize("character", ["\x00", "\u202e", "\u2066", "\u200f"])
def test_a_control_or_bidirectional_character_is_refused_naming_line_and_column(
    app: Flask, tmp_path: Path, character: str
) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(f"case_type: da\ntitle: Abuse{character}\n", encoding="utf-8")

    code, output = _import(app, path)

    assert code != 0
    assert (
        f"set.yaml: line 2, column 13: control or bidirectional character U+{ord(character):04X}"
        in output
    )
    assert "Traceback" not in output
