"""`flask export INSPECTION_ID --format xlsx|csv|pdf|docx --out PATH`: exports for scripted use."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app

from auditapp.extensions import db
from auditapp.models import Inspection
from auditapp.services import exports as export_service


@click.command("export")
@click.argument("inspection_id", type=int)
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["xlsx", "csv", "pdf", "docx"]),
    default="xlsx",
    show_default=True,
    help="Workbook, CSV files (one per table), the PDF report or the Word draft of the report.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=True, path_type=Path),
    required=True,
    help="File to write; for csv a directory (one file per table) or a path ending in .zip.",
)
def export_command(inspection_id: int, export_format: str, out: Path) -> None:
    """Export an inspection's figures as a workbook, CSV files, the PDF report or a Word draft."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None:
        raise click.ClickException(f"No inspection {inspection_id}.")
    if export_format == "xlsx":
        written = export_service.write_workbook(inspection, out)
        detail = ", ".join(f"{name} {count}" for name, count in written.items())
        what = "all"
    elif export_format == "csv" and out.suffix.lower() == ".zip":
        written = export_service.write_csv_zip(inspection, out)
        detail = ", ".join(f"{name} {count}" for name, count in written.items())
        what = "all (zip)"
    elif export_format == "csv":
        if out.exists() and not out.is_dir():
            raise click.ClickException(f"{out} is a file: give a directory or a .zip path.")
        written = export_service.write_csv_directory(inspection, out)
        detail = ", ".join(f"{name}.csv {count}" for name, count in written.items())
        what = "all (directory)"
    elif export_format == "docx":
        from auditapp.exports.docx import write_report_docx
        from auditapp.exports.docx.beyond_case_files import action_items, evidence_items

        write_report_docx(
            inspection, out, evidence=evidence_items(inspection), actions=action_items(inspection)
        )
        detail = f"{out.stat().st_size:,} bytes"
        what = "report"
    else:
        # Rendering the report needs a request context for url_for (stylesheet, links).
        from auditapp.exports.report import render_report_pdf

        with current_app.test_request_context():
            out.write_bytes(render_report_pdf(inspection))
        detail = f"{out.stat().st_size:,} bytes"
        what = "report"
    # No signed-in user at the command line: the log names the operating-system account.
    export_service.record_export(
        None, inspection, export_format, f"{what} via command line by {getpass.getuser()}"
    )
    db.session.commit()
    click.echo(f"Exported inspection {inspection.id} as {export_format} to {out} ({detail}).")
