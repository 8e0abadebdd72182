"""Importing a case list: the upload page, a refused file's problems, and files too large."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from auditapp.extensions import db, login_manager
from auditapp.inspections import bp
from auditapp.inspections.access import load_for_setup
from auditapp.inspections.forms import UploadCaseListForm
from auditapp.services import case_import, case_import_problems


def _max_upload_text() -> str:
    return f"The file must be smaller than {current_app.config['MAX_UPLOAD_MB']} MB"


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> Any:
    """An upload over MAX_CONTENT_LENGTH: say so on the import page rather than a bare 413."""
    inspection_id = (request.view_args or {}).get("inspection_id")
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.endpoint != "inspections.import_cases" or inspection_id is None:
        return render_template(
            "errors/error.html", code=413, title="The file is too large", message=_max_upload_text()
        ), 413
    inspection = load_for_setup(inspection_id)
    form = UploadCaseListForm(formdata=None)
    form.file.errors = [_max_upload_text()]
    return render_template(
        "inspections/import_cases.html", inspection=inspection, form=form, **_no_problems()
    ), 413


def _no_problems() -> dict[str, Any]:
    return {"groups": [], "more_groups": 0, "problem_count": 0, "hints": []}


def _problem_list_folder() -> Path:
    return Path(current_app.instance_path) / "import-problems"


@bp.route("/<int:inspection_id>/import", methods=["GET", "POST"])
def import_cases(inspection_id: int) -> Any:
    """Upload the force's case list; every bad row is listed and nothing is stored on error."""
    inspection = load_for_setup(inspection_id)
    form = UploadCaseListForm()
    shown = _no_problems()
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or "case-list.csv"
        try:
            result = case_import.import_case_list(
                inspection, upload.read(), filename, by=current_user
            )
        except case_import.CaseListError as error:
            db.session.rollback()
            problems = error.problems
            groups = case_import_problems.group_problems(problems)
            page_groups = case_import_problems.PAGE_GROUPS
            shown = {
                "groups": groups[:page_groups],
                "more_groups": max(0, len(groups) - page_groups),
                "problem_count": len(problems),
                "hints": error.hints,
            }
            case_import_problems.store_problems(
                _problem_list_folder(), inspection.id, current_user.id, problems
            )
            form.file.errors = [
                f"The case list was not imported: fix the {len(problems):,} "
                f"problem{'s' if len(problems) != 1 else ''} below and upload it again"
            ]
            current_app.logger.info("case list refused for inspection %s", inspection.id)
        else:
            db.session.commit()
            current_app.logger.info(
                "%s cases imported into inspection %s", result.count, inspection.id
            )
            flash(result.summary() + ".", "success")
            return redirect(url_for("inspections.show_sampling", inspection_id=inspection.id))
    status = 400 if form.errors else 200
    return render_template(
        "inspections/import_cases.html", inspection=inspection, form=form, **shown
    ), status


@bp.get("/<int:inspection_id>/import/problems.csv")
def download_import_problems(inspection_id: int) -> Any:
    """Every problem in the uploader's latest refused case list, as a CSV file."""
    inspection = load_for_setup(inspection_id)
    path = case_import_problems.stored_problems(
        _problem_list_folder(), inspection.id, current_user.id
    )
    if path is None:
        flash("There is no list of problems to download: upload the case list again.", "info")
        return redirect(url_for("inspections.import_cases", inspection_id=inspection.id))
    return send_file(
        path,
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"case-list-problems-inspection-{inspection.id}.csv",
    )
