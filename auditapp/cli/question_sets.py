"""`flask question-sets import FILE...` / `export CASE_TYPE VERSION [--format xlsx]` / `list`.

A file ending .xlsx is read and written as the spreadsheet the admin pages download and accept.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from auditapp.domain.question_sets import QuestionSetError
from auditapp.extensions import db
from auditapp.models import CaseType, QuestionSet
from auditapp.services.question_set_workbooks import (
    export_question_set_workbook,
    import_question_set_workbook,
)
from auditapp.services.question_sets import (
    QuestionSetImportError,
    export_question_set,
    find_question_set,
    import_question_set,
)

question_sets_cli = AppGroup("question-sets", help="Import, export and list question sets.")


@question_sets_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def import_command(files: tuple[str, ...]) -> None:
    """Import question-set files: all of them, or none when any is invalid."""
    problems: list[str] = []
    imported: list[str] = []
    for name in files:
        path = Path(name)
        try:
            if path.suffix.lower() == ".xlsx":
                row = import_question_set_workbook(path.read_bytes(), filename=path.name)
            else:
                row = import_question_set(path.read_text(encoding="utf-8"), filename=path.name)
        except (QuestionSetError, QuestionSetImportError) as error:
            problems.append(str(error))
        except UnicodeDecodeError:
            problems.append(f"{path.name}: not a UTF-8 text file")
        else:
            imported.append(f"{row.case_type.name} version {row.version} ({path.name})")
    if problems:
        db.session.rollback()
        raise click.ClickException("nothing was imported:\n" + "\n".join(problems))
    db.session.commit()
    for line in imported:
        click.echo(f"Imported {line}")


@question_sets_cli.command("export")
@click.argument("case_type")
@click.argument("version", type=int)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to a file, not stdout.")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["yaml", "xlsx"]),
    default="yaml",
    help="yaml (the default) or xlsx, the spreadsheet (needs --out).",
)
def export_command(case_type: str, version: int, out: str | None, file_format: str) -> None:
    """Export one stored question set as YAML or as a spreadsheet."""
    row = find_question_set(case_type, version)
    if row is None:
        raise click.ClickException(f"no question set {case_type} version {version}")
    if file_format == "xlsx":
        if not out:
            raise click.ClickException("--format xlsx writes a workbook: give --out FILE.xlsx")
        Path(out).write_bytes(export_question_set_workbook(row))
        click.echo(f"Wrote {out}")
        return
    text = export_question_set(row)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}")
    else:
        click.echo(text, nl=False)


@question_sets_cli.command("list")
def list_command() -> None:
    """List stored question sets."""
    rows = db.session.execute(
        select(CaseType.slug, QuestionSet.version, QuestionSet.title)
        .join(QuestionSet)
        .order_by(CaseType.slug, QuestionSet.version)
    ).all()
    for slug, version, title in rows:
        click.echo(f"{slug}\tv{version}\t{title}")
