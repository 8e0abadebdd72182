"""`flask wording check [DIRECTORY]`: check the Word draft's sentence templates before use."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from auditapp.domain.report_wording import WordingError, load_wording
from auditapp.exports.docx.sentences import WORDING_DIRECTORY


@click.group("wording")
def wording_cli() -> None:
    """The Word draft's wording files."""


@wording_cli.command("check")
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
def check_command(directory: Path | None) -> None:
    """Check every wording file: each mistake is printed with its file and line."""
    configured = current_app.config.get("REPORT_WORDING_DIR")
    folder = directory or (Path(configured) if configured else WORDING_DIRECTORY)
    try:
        wording = load_wording(folder)
    except WordingError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) in {folder}") from error
    click.echo(f"{len(wording.templates)} templates in {folder} are sound.")
