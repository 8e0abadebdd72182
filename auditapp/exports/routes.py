"""Routes of the exports area: the exports page and each download, for leads and admins only."""

from __future__ import annotations

import tempfile
from typing import IO

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.domain.report_wording import WordingError
from auditapp.exports import bp
from auditapp.exports.docx import DOCX_MIMETYPE, write_report_docx
from auditapp.exports.docx.beyond_case_files import action_items, evidence_items
from auditapp.exports.report import render_report_html, render_report_pdf
from auditapp.extensions import db
from auditapp.models import Inspection, InspectionRole
from auditapp.permissions import load_inspection
from auditapp.services import exports as export_service


def _load_for_export(inspection_id: int) -> Inspection:
    """404 for non-members (admins pass), 403 unless a lead of the inspection or an admin."""
    inspection, _ = load_inspection(inspection_id, InspectionRole.LEAD, allow_admin=True)
    return inspection


def _temporary_file() -> IO[bytes]:
    """A nameless temporary file: the export is written there, then streamed by send_file.

    It is deleted when closed, which send_file does once the response has been sent.
    """
    return tempfile.TemporaryFile()


def _logged(inspection: Inspection, export_format: str, what: str) -> None:
    export_service.record_export(current_user, inspection, export_format, what)
    db.session.commit()
    current_app.logger.info(
        "export inspection=%s format=%s table=%s user=%s",
        inspection.id,
        export_format,
        what,
        current_user.id,
    )


@bp.get("/<int:inspection_id>")
def show_exports(inspection_id: int) -> str:
    """The inspection's exports: the workbook, each CSV and the report."""
    inspection = _load_for_export(inspection_id)
    return render_template(
        "exports/show_exports.html",
        inspection=inspection,
        tables=list(export_service.TABLES.values()),
    )


@bp.get("/<int:inspection_id>/workbook.xlsx")
def download_workbook(inspection_id: int) -> Response:
    """Every table as one workbook, one sheet each."""
    inspection = _load_for_export(inspection_id)
    handle = _temporary_file()
    export_service.write_workbook(inspection, handle)
    handle.seek(0)
    _logged(inspection, "xlsx", "all")
    return send_file(
        handle,
        mimetype=export_service.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=export_service.download_name(inspection, "workbook.xlsx"),
    )


@bp.get("/<int:inspection_id>/csv/<name>.csv")
def download_csv(inspection_id: int, name: str) -> Response:
    """One table as a CSV file."""
    inspection = _load_for_export(inspection_id)
    if name not in export_service.TABLES:
        abort(404)
    handle = _temporary_file()
    export_service.write_csv(inspection, name, handle)
    handle.seek(0)
    _logged(inspection, "csv", name)
    return send_file(
        handle,
        mimetype="text/csv",
        as_attachment=True,
        download_name=export_service.download_name(inspection, f"{name}.csv"),
    )


@bp.get("/<int:inspection_id>/csv.zip")
def download_csv_zip(inspection_id: int) -> Response:
    """Every table as a CSV file, in one zip."""
    inspection = _load_for_export(inspection_id)
    handle = _temporary_file()
    export_service.write_csv_zip(inspection, handle)
    handle.seek(0)
    _logged(inspection, "csv", "all")
    return send_file(
        handle,
        mimetype="application/zip",
        as_attachment=True,
        download_name=export_service.download_name(inspection, "csv.zip"),
    )


@bp.get("/<int:inspection_id>/report")
def show_report(inspection_id: int) -> str:
    """The printable report as a web page (print it from the browser, or download the PDF)."""
    inspection = _load_for_export(inspection_id)
    html = render_report_html(inspection)
    _logged(inspection, "html", "report")
    return html


@bp.get("/<int:inspection_id>/report.pdf")
def download_report_pdf(inspection_id: int) -> Response:
    """The report as a PDF."""
    inspection = _load_for_export(inspection_id)
    handle = _temporary_file()
    handle.write(render_report_pdf(inspection))
    handle.seek(0)
    _logged(inspection, "pdf", "report")
    return send_file(
        handle,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=export_service.download_name(inspection, "report.pdf"),
    )


@bp.get("/<int:inspection_id>/report.docx")
def download_report_docx(inspection_id: int) -> Response:
    """The Word draft of the report: the inspectorate's structure, every figure noted."""
    inspection = _load_for_export(inspection_id)
    handle = _temporary_file()
    try:
        write_report_docx(
            inspection,
            handle,
            evidence=evidence_items(inspection),
            actions=action_items(inspection),
        )
    except WordingError as error:
        # A wording file edited by the inspectorate has a mistake: say where, write nothing.
        handle.close()
        current_app.logger.warning("report wording refused: %s", error)
        flash(f"The Word draft's wording files have a mistake: {error.problems[0]}", "error")
        return redirect(url_for("exports.show_exports", inspection_id=inspection.id))
    handle.seek(0)
    _logged(inspection, "docx", "report")
    return send_file(
        handle,
        mimetype=DOCX_MIMETYPE,
        as_attachment=True,
        download_name=export_service.download_name(inspection, "report-draft.docx"),
    )
