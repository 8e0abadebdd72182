"""Question-set drafts: start, edit, review and publish as the next version (global admins).

Adding and changing questions, moves and the preview are in ``question_set_builder.py``.

Question sets belong to no inspection (an inspection only chooses which published version of
each case type it audits with), so there is no "inspection's draft set" a lead could own:
drafts, like imports, are for admins. A draft is never offered to an inspection or a case; see
``services/question_set_drafts.py``.
"""

from __future__ import annotations

from typing import Any

import yaml
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from auditapp.admin import bp
from auditapp.admin.question_set_draft_forms import (
    DraftActionForm,
    DraftSectionForm,
    NewDraftForm,
    UploadDraftForm,
)
from auditapp.domain.question_sets import Question, QuestionSetError, dump_question_set
from auditapp.domain.question_sets import QuestionSet as QuestionSetData
from auditapp.domain.question_sets.drafts import (
    problems_by_field,
    question_count,
    section_path,
)
from auditapp.extensions import db
from auditapp.models import Inspection, InspectionRole, QuestionSet, QuestionSetDraft
from auditapp.permissions import admin_required, load_inspection, load_question_set_draft
from auditapp.services import question_set_drafts as drafts
from auditapp.services.question_set_workbooks import XLSX_MIMETYPE, question_set_workbook

_QUESTION_FIELDS = ("text", "guidance", "type", "graded", "critical", "weight", "required")


def _load(draft_id: int) -> QuestionSetDraft:
    """The draft, for an admin or a lead of the draft's inspection (404/403 otherwise)."""
    return load_question_set_draft(draft_id)


def _show(draft: QuestionSetDraft) -> Response:
    return redirect(url_for("admin.show_question_set_draft", draft_id=draft.id))  # type: ignore[return-value]  # werkzeug's Response is Flask's base


def _refuse(draft: QuestionSetDraft, error: drafts.DraftError) -> Response:
    flash(str(error), "error")
    return _show(draft)


def _refuse_closed(draft: QuestionSetDraft) -> Response:
    """A published or discarded draft never changes: say so on its page."""
    return _refuse(draft, drafts.DraftError(drafts.closed_message(draft)))


def _draft_set(draft: QuestionSetDraft) -> tuple[QuestionSetData | None, list[str]]:
    """The draft as a set (None while empty) and, should it not be valid, its problems."""
    try:
        return drafts.draft_question_set(draft), []
    except QuestionSetError as error:
        return None, [str(problem) for problem in error.errors]


def _place_problems(form: Any, error: QuestionSetError, path: str | None, fields: Any) -> None:
    """Put each problem next to the field it concerns; the rest above the form."""
    placed = problems_by_field(error.errors, path or "-", fields)
    for name, messages in placed.items():
        if name:
            getattr(form, name).errors = [*getattr(form, name).errors, *messages]
        else:
            form.form_errors.extend(messages)


@bp.get("/question-sets/drafts")
@admin_required
def list_question_set_drafts() -> str:
    """The drafts being prepared, with the version each would become."""
    rows = [
        {
            "draft": draft,
            "name": draft.definition.get("case_type_name", draft.case_type_slug),
            "title": draft.definition.get("title", ""),
            "questions": question_count(draft.definition),
            "version": drafts.next_version(draft.case_type_slug),
        }
        for draft in drafts.open_drafts()
    ]
    return render_template("admin/list_question_set_drafts.html", rows=rows)


def _scope_url(inspection: Inspection) -> str:
    return url_for("inspections.choose_question_sets", inspection_id=inspection.id)


def _for_inspection(raw: str | None) -> Inspection | None:
    """The inspection a draft is started for (its leads may change it), checked: a lead of it
    or an admin. Without one, only an admin may start a draft (403)."""
    if raw and raw.isdigit():
        inspection, _ = load_inspection(int(raw), InspectionRole.LEAD, allow_admin=True)
        return inspection
    if not current_user.is_admin:
        abort(403)
    return None


@bp.route("/question-sets/drafts/new", methods=["GET", "POST"])
def new_question_set_draft() -> ResponseReturnValue:
    """Start a blank draft: a case type and a title, no questions yet (admins, or a lead for
    their inspection)."""
    inspection = _for_inspection(request.args.get("inspection_id"))
    form = NewDraftForm()
    if form.validate_on_submit():
        try:
            draft = drafts.create_blank_draft(
                case_type=form.case_type.data,
                case_type_name=form.case_type_name.data.strip(),
                title=form.title.data.strip(),
                kind="dip_sample" if form.kind.data == "dip_sample" else "case",
                by=current_user,
                inspection=inspection,
            )
        except QuestionSetError as error:
            db.session.rollback()
            form.form_errors.extend(problem.message for problem in error.errors)
        else:
            db.session.commit()
            flash("Draft started. Add its questions, or upload a file with them.", "success")
            return _show(draft)
    return render_template("admin/new_question_set_draft.html", form=form, inspection=inspection)


def _upload_page(form: UploadDraftForm, problems: list[str], **context: Any) -> str:
    if problems:
        form.file.errors = [f"The file was not used: {len(problems)} problem(s) found"]
    return render_template(
        "admin/upload_question_set_draft.html", form=form, problems=problems, **context
    )


@bp.route("/question-sets/drafts/upload", methods=["GET", "POST"])
@admin_required
def upload_question_set_draft() -> ResponseReturnValue:
    """Start a draft from a YAML or XLSX file; each problem is listed, nothing stored on error."""
    form = UploadDraftForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or "upload.yaml"
        try:
            draft = drafts.upload_draft(upload.read(), filename=filename, by=current_user)
        except QuestionSetError as error:
            db.session.rollback()
            problems = [str(problem) for problem in error.errors]
        else:
            db.session.commit()
            flash(f"Draft started from {filename}.", "success")
            return _show(draft)
    return _upload_page(form, problems, draft=None)


@bp.post("/question-sets/<int:question_set_id>/copy")
def copy_question_set(question_set_id: int) -> ResponseReturnValue:
    """Start a draft from a stored version; the version itself never changes (admins, or a
    lead for their inspection)."""
    inspection = _for_inspection(request.form.get("inspection_id"))
    row = db.get_or_404(QuestionSet, question_set_id)
    if not DraftActionForm().validate_on_submit():
        if inspection is not None:
            return redirect(_scope_url(inspection))
        return redirect(url_for("admin.show_question_set", question_set_id=row.id))
    draft = drafts.copy_version_to_draft(row, by=current_user, inspection=inspection)
    db.session.commit()
    flash(f"Draft started from {row.case_type.name} version {row.version}.", "success")
    return _show(draft)


@bp.get("/question-sets/drafts/<int:draft_id>")
def show_question_set_draft(draft_id: int) -> str:
    """A draft's sections and questions, with the links that change, review or discard it."""
    draft = _load(draft_id)
    qs, problems = _draft_set(draft)
    return render_template(
        "admin/show_question_set_draft.html",
        draft=draft,
        qs=qs,
        problems=problems,
        data=draft.definition,
        version=drafts.next_version(draft.case_type_slug),
        action_form=DraftActionForm(),
    )


@bp.route("/question-sets/drafts/<int:draft_id>/replace", methods=["GET", "POST"])
@admin_required
def replace_question_set_draft(draft_id: int) -> ResponseReturnValue:
    """Replace the draft's questions and settings with an uploaded file (same case type)."""
    draft = _load(draft_id)
    form = UploadDraftForm()
    problems: list[str] = []
    if not draft.is_open:
        return _refuse_closed(draft)
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or "upload.yaml"
        try:
            drafts.replace_draft(draft, upload.read(), filename=filename, by=current_user)
        except QuestionSetError as error:
            db.session.rollback()
            problems = [str(problem) for problem in error.errors]
        except drafts.DraftError as error:
            db.session.rollback()
            problems = [str(error)]
        else:
            db.session.commit()
            flash(f"Draft replaced with {filename}.", "success")
            return _show(draft)
    return _upload_page(form, problems, draft=draft)


def _question(draft: QuestionSetDraft, question_id: str) -> Question:
    """The draft's question by id, or 404."""
    qs, _ = _draft_set(draft)
    if qs is None:
        abort(404)
    try:
        return qs.question(question_id)
    except KeyError:
        abort(404)


@bp.post("/question-sets/drafts/<int:draft_id>/questions/<question_id>/remove")
def remove_question_set_draft_question(draft_id: int, question_id: str) -> ResponseReturnValue:
    """Remove a question from the draft; refused while another question refers to it."""
    draft = _load(draft_id)
    if not draft.is_open:
        return _refuse_closed(draft)
    _question(draft, question_id)
    if not DraftActionForm().validate_on_submit():
        return _show(draft)
    try:
        drafts.remove_draft_question(draft, question_id, by=current_user)
    except QuestionSetError as error:
        db.session.rollback()
        reasons = "; ".join(problem.message for problem in error.errors)
        flash(f"Question {question_id} was not removed: {reasons}", "error")
    else:
        db.session.commit()
        flash(f"Question {question_id} removed.", "success")
    return _show(draft)


@bp.route("/question-sets/drafts/<int:draft_id>/sections/<section_id>", methods=["GET", "POST"])
def rename_question_set_draft_section(draft_id: int, section_id: str) -> ResponseReturnValue:
    """Give a section of the draft a new title."""
    draft = _load(draft_id)
    if not draft.is_open:
        return _refuse_closed(draft)
    qs, _ = _draft_set(draft)
    section = next((s for s in qs.sections if s.id == section_id), None) if qs else None
    if section is None:
        abort(404)
    form = DraftSectionForm(data={"title": section.title})
    if form.validate_on_submit():
        try:
            drafts.rename_draft_section(draft, section_id, form.title.data.strip(), by=current_user)
        except QuestionSetError as error:
            db.session.rollback()
            _place_problems(form, error, section_path(draft.definition, section_id), ("title",))
        else:
            db.session.commit()
            flash("Section title saved.", "success")
            return _show(draft)
    return render_template(
        "admin/rename_question_set_draft_section.html", draft=draft, section=section, form=form
    )


@bp.get("/question-sets/drafts/<int:draft_id>/review")
def review_question_set_draft(draft_id: int) -> ResponseReturnValue:
    """What publishing would change from the latest version, and the button that publishes."""
    draft = _load(draft_id)
    if not draft.is_open:
        return _refuse_closed(draft)
    return render_template(
        "admin/review_question_set_draft.html",
        draft=draft,
        review=drafts.review_draft(draft),
        form=DraftActionForm(),
    )


@bp.post("/question-sets/drafts/<int:draft_id>/publish")
@admin_required
def publish_question_set_draft(draft_id: int) -> ResponseReturnValue:
    """Store the draft as the case type's next version; the draft is frozen from then on."""
    draft = _load(draft_id)
    if not DraftActionForm().validate_on_submit():
        return _show(draft)
    try:
        row = drafts.publish_draft(draft, by=current_user)
    except drafts.DraftError as error:
        db.session.rollback()
        return _refuse(draft, error)
    except QuestionSetError as error:
        db.session.rollback()
        flash(f"The draft was not published: {error.errors[0]}", "error")
        return _show(draft)
    db.session.commit()
    current_app.logger.info("question-set draft %s published as question set %s", draft.id, row.id)
    flash(
        f"Published {row.case_type.name} version {row.version}. Cases already audited keep "
        "the version they were audited against.",
        "success",
    )
    return redirect(url_for("admin.show_question_set", question_set_id=row.id))


@bp.post("/question-sets/drafts/<int:draft_id>/discard")
def discard_question_set_draft(draft_id: int) -> ResponseReturnValue:
    """Set the draft aside for good (kept, unchanged, as a record)."""
    draft = _load(draft_id)
    if not DraftActionForm().validate_on_submit():
        return _show(draft)
    try:
        drafts.discard_draft(draft, by=current_user)
    except drafts.DraftError as error:
        db.session.rollback()
        return _refuse(draft, error)
    db.session.commit()
    flash("Draft discarded.", "success")
    if not current_user.is_admin and draft.inspection_id is not None:
        return redirect(
            url_for("inspections.choose_question_sets", inspection_id=draft.inspection_id)
        )
    return redirect(url_for("admin.list_question_set_drafts"))


@bp.get("/question-sets/drafts/<int:draft_id>/export")
def export_question_set_draft_file(draft_id: int) -> ResponseReturnValue:
    """Download the draft as YAML, to edit and upload again."""
    draft = _load(draft_id)
    qs, _ = _draft_set(draft)
    # A blank draft is not a set yet: its settings as they are, to fill in.
    text = dump_question_set(qs) if qs is not None else yaml.safe_dump(draft.definition)
    return Response(
        text,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{_filename(draft)}.yaml"'},
    )


@bp.get("/question-sets/drafts/<int:draft_id>/spreadsheet")
def export_question_set_draft_workbook_file(draft_id: int) -> ResponseReturnValue:
    """Download the draft as an XLSX workbook (a draft with questions only)."""
    draft = _load(draft_id)
    qs, _ = _draft_set(draft)
    if qs is None:
        flash("A draft without questions has no spreadsheet yet: download the YAML.", "error")
        return _show(draft)
    return Response(
        question_set_workbook(qs),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{_filename(draft)}.xlsx"'},
    )


def _filename(draft: QuestionSetDraft) -> str:
    # The slug is checked by the schema ([a-z0-9-]), so it is safe in a header.
    return f"{draft.case_type_slug}-draft-{draft.id}"
