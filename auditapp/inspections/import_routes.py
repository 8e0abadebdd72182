"""Importing a case list, in steps: upload, map the columns (with a preview of the first rows),
map the case-type labels, check your answers and import; plus the template to download, a
refused file's problems, and files too large.

Between steps the file stays on the server (`services.case_list_uploads`), known to the browser
only by a random name tied to the lead and the inspection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from auditapp.extensions import db, login_manager
from auditapp.inspections import bp
from auditapp.inspections.access import load_for_setup
from auditapp.inspections.forms import UploadCaseListForm
from auditapp.inspections.import_forms import (
    ConfirmImportForm,
    MapColumnsForm,
    chosen_labels,
    labels_form,
)
from auditapp.models import Inspection
from auditapp.services import (
    case_import,
    case_import_problems,
    case_list_mapping,
    case_list_templates,
    case_list_uploads,
)
from auditapp.services.case_import_problems import CaseListError
from auditapp.services.case_list_mapping import ColumnMapping
from auditapp.services.case_list_uploads import StoredUpload

PREVIEW_ROWS = 10


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


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "case-list-uploads"


def _shown_problems(inspection: Inspection, error: CaseListError) -> dict[str, Any]:
    """The first groups of problems for the page; the full list kept for download."""
    problems = error.problems
    groups = case_import_problems.group_problems(problems)
    page_groups = case_import_problems.PAGE_GROUPS
    case_import_problems.store_problems(
        _problem_list_folder(), inspection.id, current_user.id, problems
    )
    current_app.logger.info("case list refused for inspection %s", inspection.id)
    return {
        "groups": groups[:page_groups],
        "more_groups": max(0, len(groups) - page_groups),
        "problem_count": len(problems),
        "hints": error.hints,
    }


def _refusal(count: int) -> str:
    return (
        f"The case list was not imported: fix the {count:,} "
        f"problem{'s' if count != 1 else ''} below and upload it again"
    )


@bp.route("/<int:inspection_id>/import", methods=["GET", "POST"])
def import_cases(inspection_id: int) -> Any:
    """Step 1: upload the force's case list; a file that cannot be used is refused at once."""
    inspection = load_for_setup(inspection_id)
    form = UploadCaseListForm()
    shown = _no_problems()
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or "case-list.csv"
        data = upload.read()
        try:
            frame = case_import.read_table(data, filename)
            problems = case_import.upload_problems(frame)
            if problems:
                raise CaseListError(problems)
        except CaseListError as error:
            shown = _shown_problems(inspection, error)
            form.file.errors = [_refusal(len(error.problems))]
        else:
            stored = case_list_uploads.store_upload(
                _upload_folder(), inspection.id, current_user.id, data, filename
            )
            return redirect(
                url_for(
                    "inspections.map_case_list_columns",
                    inspection_id=inspection.id,
                    token=stored.token,
                )
            )
    status = 400 if form.errors else 200
    return render_template(
        "inspections/import_cases.html", inspection=inspection, form=form, **shown
    ), status


def _load_upload(inspection: Inspection, token: str) -> tuple[StoredUpload, pd.DataFrame] | None:
    """The lead's upload and its table, or None (flashed: upload again)."""
    upload = case_list_uploads.load_upload(_upload_folder(), token, inspection.id, current_user.id)
    frame = None
    if upload is not None:
        try:
            frame = case_import.read_table(upload.read(), upload.filename)
        except (CaseListError, OSError):
            frame = None
    if upload is None or frame is None:
        flash("The uploaded case list has expired or is not available: upload it again.", "info")
        return None
    return upload, frame


def _to_upload_page(inspection: Inspection) -> Any:
    return redirect(url_for("inspections.import_cases", inspection_id=inspection.id))


def _preview(frame: pd.DataFrame) -> dict[str, Any]:
    """The first rows as a GOV.UK table (text cells only; the template escapes them)."""
    headers = case_list_mapping.named_headers(frame)
    rows = [
        [{"text": str(value)} for value in row]
        for row in frame[headers].head(PREVIEW_ROWS).itertuples(index=False)
    ]
    return {
        "head": [{"text": header} for header in headers],
        "rows": rows,
        "caption": f"The first {min(PREVIEW_ROWS, len(frame))} of {len(frame):,} rows",
        "classes": "govuk-table--small-text-until-tablet",
    }


@bp.route("/<int:inspection_id>/import/<token>/columns", methods=["GET", "POST"])
def map_case_list_columns(inspection_id: int, token: str) -> Any:
    """Step 2: preview the first rows; choose the reference, case type and date columns, and
    the extra columns to keep (each confirmed as holding no personal data)."""
    inspection = load_for_setup(inspection_id)
    loaded = _load_upload(inspection, token)
    if loaded is None:
        return _to_upload_page(inspection)
    upload, frame = loaded
    headers = case_list_mapping.named_headers(frame)
    form = MapColumnsForm(headers)
    if request.method == "GET":
        chosen = upload.mapping or case_list_mapping.suggested_columns(headers)
        form.reference.data = chosen.get("reference", "")
        form.case_type.data = chosen.get("case_type", "")
        form.date.data = chosen.get("date", "")
        form.kept.data = list(upload.mapping.get("kept", []))  # never ticked for the lead
    if form.validate_on_submit():
        mapping = ColumnMapping(
            reference=form.reference.data,
            case_type=form.case_type.data,
            date=form.date.data,
            kept=tuple(form.kept.data or ()),
        )
        problems = case_list_mapping.mapping_problems(frame, mapping)
        labels = case_list_mapping.file_labels(frame, mapping.case_type)
        if problems:
            form.kept.errors = [str(problem) for problem in problems]
        elif len(labels) > case_list_mapping.MAX_LABELS:
            form.case_type.errors = [
                f"The column “{mapping.case_type}” has more than "
                f"{case_list_mapping.MAX_LABELS} different values: choose the column that "
                "holds the case type"
            ]
        else:
            previous = upload.mapping.get("labels", {})
            upload.mapping = {**mapping.to_dict(), "labels": previous}
            upload.save()
            return redirect(
                url_for(
                    "inspections.map_case_list_labels", inspection_id=inspection.id, token=token
                )
            )
    status = 400 if form.errors else 200
    return render_template(
        "inspections/map_case_list_columns.html",
        inspection=inspection,
        upload=upload,
        form=form,
        preview=_preview(frame),
    ), status


def _mapping(upload: StoredUpload) -> ColumnMapping | None:
    try:
        return ColumnMapping.from_dict(upload.mapping)
    except (KeyError, TypeError, ValueError):
        return None


@bp.route("/<int:inspection_id>/import/<token>/labels", methods=["GET", "POST"])
def map_case_list_labels(inspection_id: int, token: str) -> Any:
    """Step 3: the file's case-type labels to the inspection's case types (case-insensitive;
    remembered for the force and offered next time)."""
    inspection = load_for_setup(inspection_id)
    loaded = _load_upload(inspection, token)
    if loaded is None:
        return _to_upload_page(inspection)
    upload, frame = loaded
    mapping = _mapping(upload)
    columns_url = url_for(
        "inspections.map_case_list_columns", inspection_id=inspection.id, token=token
    )
    if mapping is None or case_list_mapping.mapping_problems(frame, mapping):
        return redirect(columns_url)
    labels = case_list_mapping.file_labels(frame, mapping.case_type)[: case_list_mapping.MAX_LABELS]
    case_types = case_list_mapping.inspection_case_types(inspection)
    chosen = dict(mapping.labels) or case_list_mapping.suggested_labels(
        inspection, [label.key for label in labels]
    )
    form = labels_form(labels, case_types, chosen)
    if form.validate_on_submit():
        chosen = chosen_labels(form, labels)
        case_list_mapping.remember_labels(inspection, chosen)
        db.session.commit()
        upload.mapping = {**mapping.to_dict(), "labels": chosen, "labels_done": True}
        upload.save()
        return redirect(
            url_for("inspections.check_case_list", inspection_id=inspection.id, token=token)
        )
    fields = [getattr(form, f"label_{n}") for n in range(len(labels))]
    status = 400 if form.errors else 200
    return render_template(
        "inspections/map_case_list_labels.html",
        inspection=inspection,
        upload=upload,
        form=form,
        fields=fields,
        mapping=mapping,
        columns_url=columns_url,
    ), status


@bp.route("/<int:inspection_id>/import/<token>/check", methods=["GET", "POST"])
def check_case_list(inspection_id: int, token: str) -> Any:
    """Step 4: check your answers (every row checked: new, unchanged, changed), then import,
    all or nothing."""
    inspection = load_for_setup(inspection_id)
    loaded = _load_upload(inspection, token)
    if loaded is None:
        return _to_upload_page(inspection)
    upload, frame = loaded
    mapping = _mapping(upload)
    if mapping is None or not upload.mapping.get("labels_done"):
        return redirect(
            url_for("inspections.map_case_list_labels", inspection_id=inspection.id, token=token)
        )
    form = ConfirmImportForm()
    checked = case_import.check_case_list(inspection, frame, mapping)
    shown = _no_problems()
    status = 200
    if not checked.problems and form.validate_on_submit():
        try:
            result = case_import.import_case_list(
                inspection, upload.read(), upload.filename, by=current_user, mapping=mapping
            )
        except CaseListError as error:
            db.session.rollback()
            checked.problems = error.problems
        else:
            db.session.commit()
            case_list_uploads.discard_upload(upload)
            current_app.logger.info(
                "%s cases imported into inspection %s", result.count, inspection.id
            )
            flash(result.summary() + ".", "success")
            return redirect(url_for("inspections.show_sampling", inspection_id=inspection.id))
    if checked.problems:
        shown = _shown_problems(inspection, CaseListError(checked.problems))
        status = 400
    elif form.errors:
        status = 400
    names = {ct.id: ct.name for ct in case_list_mapping.inspection_case_types(inspection)}
    return render_template(
        "inspections/check_case_list.html",
        inspection=inspection,
        upload=upload,
        form=form,
        mapping=mapping,
        checked=checked,
        label_names={label: names.get(ct_id, "") for label, ct_id in mapping.labels.items()},
        token=token,
        refusal=_refusal(len(checked.problems)) if checked.problems else "",
        **shown,
    ), status


def _template_response(data: bytes, inspection: Inspection, extension: str, mimetype: str) -> Any:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="case-list-template-inspection-{inspection.id}.{extension}"'
    )
    return response


@bp.get("/<int:inspection_id>/import/template.csv")
def download_case_list_template_csv(inspection_id: int) -> Any:
    """The case-list template as CSV (formula-safe)."""
    inspection = load_for_setup(inspection_id)
    return _template_response(
        case_list_templates.template_csv(inspection), inspection, "csv", "text/csv"
    )


@bp.get("/<int:inspection_id>/import/template.xlsx")
def download_case_list_template_xlsx(inspection_id: int) -> Any:
    """The case-list template as an XLSX workbook (formula-safe)."""
    inspection = load_for_setup(inspection_id)
    return _template_response(
        case_list_templates.template_xlsx(inspection),
        inspection,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


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
