"""`flask cases import FILE --inspection ID`: the same import as the browser upload."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from auditapp.extensions import db
from auditapp.models import Inspection
from auditapp.services.accounts import find_user_by_email
from auditapp.services.case_import import CaseListError, import_case_list

cases_cli = AppGroup("cases", help="Import case lists.")


@cases_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--inspection", "inspection_id", type=int, required=True, help="Inspection id.")
@click.option("--by", "by_email", default=None, help="Email of the user to record as importer.")
@click.option(
    "--keep",
    "keep",
    multiple=True,
    metavar="COLUMN",
    help="An extra column to keep, confirming it holds no personal data (repeat for each). "
    "Columns not named are not imported.",
)
def import_command(
    file: str, inspection_id: int, by_email: str | None, keep: tuple[str, ...]
) -> None:
    """Import a CSV or XLSX case list: every row, or none when any row is invalid."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None:
        raise click.ClickException(f"There is no inspection {inspection_id}")
    by = None
    if by_email:
        by = find_user_by_email(by_email)
        if by is None:
            raise click.ClickException(f"There is no user with email {by_email}")
    path = Path(file)
    if path.stat().st_size > current_app.config["MAX_CONTENT_LENGTH"]:
        raise click.ClickException(
            f"{path.name} is larger than {current_app.config['MAX_UPLOAD_MB']} MB: "
            "split the case list"
        )
    try:
        result = import_case_list(inspection, path.read_bytes(), path.name, by=by, keep=keep)
    except CaseListError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"{path.name}: {problem}", err=True)
        for hint in error.hints:
            click.echo(hint, err=True)
        raise click.ClickException(
            f"Nothing imported: {len(error.problems)} problem(s) in {path.name}"
        ) from error
    try:
        db.session.commit()
    except SQLAlchemyError as error:
        # The error's text holds the rows' values: name the kind of error only.
        db.session.rollback()
        raise click.ClickException(
            f"Nothing imported: the database refused {path.name} ({type(error).__name__})"
        ) from None
    click.echo(f"{result.summary()} into {inspection.title} (inspection {inspection.id}).")
