"""Administration pages: question sets (global admins only). Accounts: admin/accounts.py."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from auditapp.admin import bp
from auditapp.admin.forms import UploadQuestionSetForm
from auditapp.domain.question_sets import QuestionSetError
from auditapp.extensions import db
from auditapp.models import CaseType, QuestionSet
from auditapp.permissions import admin_required
from auditapp.services.question_set_workbooks import (
    XLSX_MIMETYPE,
    export_question_set_workbook,
    import_question_set_workbook,
)
from auditapp.services.question_sets import (
    QuestionSetImportError,
    export_question_set,
    import_question_set,
    question_set_data,
)


@bp.get("/question-sets")
@admin_required
def list_question_sets() -> str:
    """Every case type with its question-set versions."""
    case_types = db.session.scalars(
        select(CaseType)
        .options(selectinload(CaseType.question_sets).selectinload(QuestionSet.questions))
        .order_by(CaseType.kind, CaseType.name)
    ).all()
    return render_template("admin/list_question_sets.html", case_types=case_types)


@bp.route("/question-sets/upload", methods=["GET", "POST"])
@admin_required
def upload_question_set() -> str | BaseResponse:
    """Import a question-set file (YAML or XLSX); each problem is listed, none stored on error."""
    form = UploadQuestionSetForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or "upload.yaml"
        try:
            if filename.lower().endswith(".xlsx"):
                data = upload.read()
                row = import_question_set_workbook(data, filename=filename, by=current_user)
            else:
                text = upload.read().decode("utf-8")
                row = import_question_set(text, filename=filename, by=current_user)
        except UnicodeDecodeError:
            problems = [f"{filename}: the file is not UTF-8 text"]
        except QuestionSetError as error:
            problems = [f"{problem}" for problem in error.errors]
        except QuestionSetImportError as error:
            problems = [str(error)]
        else:
            db.session.commit()
            flash(f"Imported {row.case_type.name} version {row.version}.", "success")
            return redirect(url_for("admin.show_question_set", question_set_id=row.id))
        db.session.rollback()
        form.file.errors = [f"The file was not imported: {len(problems)} problem(s) found"]
    return render_template("admin/upload_question_set.html", form=form, problems=problems)


@bp.get("/question-sets/<int:question_set_id>")
@admin_required
def show_question_set(question_set_id: int) -> str:
    """A question set's sections and questions as auditors see them."""
    row = db.get_or_404(QuestionSet, question_set_id)
    return render_template("admin/show_question_set.html", row=row, qs=question_set_data(row))


@bp.get("/question-sets/<int:question_set_id>/export")
@admin_required
def export_question_set_file(question_set_id: int) -> Response:
    """Download the set as YAML."""
    row = db.get_or_404(QuestionSet, question_set_id)
    filename = f"{row.case_type.slug}-v{row.version}.yaml"
    return Response(
        export_question_set(row),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/question-sets/<int:question_set_id>/spreadsheet")
@admin_required
def export_question_set_workbook_file(question_set_id: int) -> Response:
    """Download the set as an XLSX workbook (questions, options, settings, instructions)."""
    row = db.get_or_404(QuestionSet, question_set_id)
    filename = f"{row.case_type.slug}-v{row.version}.xlsx"
    return Response(
        export_question_set_workbook(row),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
