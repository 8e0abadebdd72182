"""The question-set builder: add and change questions (every key of the format), reorder
sections, questions and options, remove sections, and preview the case form with answers tried.

Every change goes through ``services/question_set_drafts.py`` and so through
``question_set_from_data``, the one validation of every format; a refusal is shown next to the
field it concerns (the problem's path mapped to the form's field). Plain forms: each move is a
button in its own small form, so it works by keyboard and without JavaScript.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import SelectChoice

from auditapp.admin import bp
from auditapp.admin.question_set_builder_forms import (
    BLANK_OPTION_ROWS,
    NEW_SECTION,
    QuestionFormBase,
    field_groups,
    form_data,
    question_form_class,
    set_choices,
)
from auditapp.admin.question_set_draft_forms import DraftActionForm
from auditapp.admin.question_set_drafts import _draft_set, _load, _question, _refuse_closed, _show
from auditapp.audit.presenters import parse_posted, section_views
from auditapp.domain.grades import NOT_GRADED_YET
from auditapp.domain.question_set_builder import (
    DOWN,
    UP,
    question_from_cells,
    question_problems_by_field,
    with_question,
)
from auditapp.domain.question_sets import QuestionSet as QuestionSetData
from auditapp.domain.question_sets import QuestionSetError, load_recommendations
from auditapp.domain.question_sets.drafts import question_path
from auditapp.extensions import db
from auditapp.models import QuestionSetDraft
from auditapp.services import question_set_drafts as drafts
from auditapp.services.question_set_preview import try_answers

_STEPS = {"up": UP, "down": DOWN}


@cache
def _recommendations() -> tuple[tuple[str, str], ...]:
    """The baseline's recommendations (code, text), in the file's order."""
    return tuple((r.code, r.text) for r in load_recommendations().recommendations)


def _raw_question(draft: QuestionSetDraft, question_id: str) -> dict[str, Any]:
    for section in draft.definition.get("sections", []):
        for question in section.get("questions", []):
            if question.get("id") == question_id:
                return dict(question)
    abort(404)


def _label_option_rows(form: QuestionFormBase) -> None:
    for row, entry in enumerate(form.options, start=1):
        entry.value.label.text = f"Option {row}: value stored"
        entry["label"].label.text = f"Option {row}: label the auditor reads"
        entry.outcome.label.text = f"Option {row}: outcome (choice questions)"


def _build_form(
    draft: QuestionSetDraft, qs: QuestionSetData | None, raw: dict[str, Any], *, new: bool
) -> QuestionFormBase:
    rows = len(raw.get("options", [])) + BLANK_OPTION_ROWS
    if request.method == "POST":  # as many rows as were posted, so none is lost
        rows = max(rows, sum(1 for key in request.form if key.endswith("-value")))
    form_class = question_form_class(new=new, option_rows=rows)
    question = qs.question(raw["id"]) if qs is not None and raw.get("id") else None
    form = form_class(data=form_data(question, raw))
    others = [(q.id, q.text) for q in (qs.questions if qs else ()) if q.id != raw.get("id")]
    set_choices(form, questions=others, recommendations=_recommendations())
    _label_option_rows(form)
    return form


def _place(form: QuestionFormBase, placed: dict[str, list[str]]) -> None:
    """Put each message on its field: a column's, an option row's, or above the form."""
    for name, messages in placed.items():
        if name.startswith("options-") and name.count("-") == 2:
            _, row, part = name.split("-")
            entry = form.options[int(row)] if int(row) < len(form.options) else None
            target = entry.form[part] if entry is not None and part in entry.form else None
            if target is not None:
                target.errors = [*target.errors, *messages]
                continue
        if name and name != "options" and name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            form.form_errors.extend(messages)


def error_summary(form: QuestionFormBase) -> list[dict[str, str]]:
    """govukErrorSummary items, each linking to its field (option rows included)."""
    items = [{"text": message, "href": "#problems"} for message in form.form_errors]
    for field in form:
        if field.name == "options":
            for entry in field:
                for sub in entry:
                    items += [{"text": m, "href": f"#{sub.id}"} for m in sub.errors]
        elif field.errors and isinstance(field.errors, list):
            items += [{"text": str(m), "href": f"#{field.id}"} for m in field.errors]
    return items


def _save_question(
    draft: QuestionSetDraft, form: QuestionFormBase, question_id: str, *, new: bool
) -> bool:
    """Read the form as one questions-sheet row and store it; False (messages placed) if not."""
    cells = {**form.cells(), "id": question_id}
    question, cell_problems = question_from_cells(cells)
    if cell_problems:
        placed: dict[str, list[str]] = {}
        for column, message in cell_problems:
            placed.setdefault(column, []).append(message)
        _place(form, placed)
        return False
    options, rows = form.option_data()
    if options:
        question["options"] = options
    section_id = section_title = ""
    if new:
        is_new_section = form["section"].data == NEW_SECTION
        section_id = form["new_section_id"].data if is_new_section else form["section"].data
        section_title = (form["new_section_title"].data or "").strip()
    try:
        drafts.save_draft_question(
            draft, question, replacing=None if new else question_id, section_id=section_id,
            section_title=section_title, by=current_user,
        )  # fmt: skip
    except QuestionSetError as error:
        db.session.rollback()
        changed = with_question(
            draft.definition, question, replacing=None if new else question_id,
            section_id=section_id, section_title=section_title,
        )  # fmt: skip
        path = question_path(changed, question_id) or "-"
        _place(form, question_problems_by_field(error.errors, path, rows))
        return False
    db.session.commit()
    return True


def _question_page(
    template: str, draft: QuestionSetDraft, form: QuestionFormBase, **context: Any
) -> str:
    return render_template(
        template,
        draft=draft,
        form=form,
        summary=error_summary(form) if form.errors or form.form_errors else [],
        groups=field_groups(form),
        **context,
    )


@bp.route("/question-sets/drafts/<int:draft_id>/questions/<question_id>", methods=["GET", "POST"])
def edit_question_set_draft_question(draft_id: int, question_id: str) -> ResponseReturnValue:
    """Change every part of a question: text, type, options, condition, check, grading."""
    draft = _load(draft_id)
    if not draft.is_open:
        return _refuse_closed(draft)
    question = _question(draft, question_id)
    qs, _ = _draft_set(draft)
    form = _build_form(draft, qs, _raw_question(draft, question_id), new=False)
    if form.validate_on_submit() and _save_question(draft, form, question_id, new=False):
        flash(f"Question {question_id} saved.", "success")
        return _show(draft)
    move_form = DraftActionForm()
    return _question_page(
        "admin/edit_question_set_draft_question.html",
        draft,
        form,
        question=question,
        remove_form=move_form,
    )


def _section_choices(qs: QuestionSetData | None) -> list[SelectChoice]:
    sections = [SelectChoice(s.id, s.title) for s in qs.sections] if qs is not None else []
    return [*sections, SelectChoice(NEW_SECTION, "A new section, last")]


@bp.route("/question-sets/drafts/<int:draft_id>/add-question", methods=["GET", "POST"])
def add_question_set_draft_question(draft_id: int) -> ResponseReturnValue:
    """Add a question, of any type, at the end of a section or of a new section."""
    draft = _load(draft_id)
    if not draft.is_open:
        return _refuse_closed(draft)
    qs, _ = _draft_set(draft)
    form = _build_form(draft, qs, {"type": "yes_no"}, new=True)
    form["section"].choices = _section_choices(qs)
    if request.method == "GET" and request.args.get("section") == NEW_SECTION:
        form["section"].data = NEW_SECTION
    if form.validate_on_submit():
        question_id = form["id"].data
        if _save_question(draft, form, question_id, new=True):
            flash(f"Question {question_id} added.", "success")
            return _show(draft)
    return _question_page("admin/add_question_set_draft_question.html", draft, form)


def _step() -> int:
    step = _STEPS.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    return step


def _move(draft: QuestionSetDraft, what: str, run: Any) -> ResponseReturnValue:
    """Run one move (or removal) of the draft; a refusal is flashed on the draft's page."""
    if not draft.is_open:
        return _refuse_closed(draft)
    if not DraftActionForm().validate_on_submit():
        return _show(draft)
    try:
        run()
    except LookupError:
        db.session.rollback()
        flash(f"{what} cannot move further that way.", "error")
    except QuestionSetError as error:
        db.session.rollback()
        reasons = "; ".join(problem.message for problem in error.errors)
        flash(f"{what} was not changed: {reasons}", "error")
    else:
        db.session.commit()
        flash(f"{what} changed.", "success")
    return _show(draft)


@bp.post("/question-sets/drafts/<int:draft_id>/sections/<section_id>/move")
def move_question_set_draft_section(draft_id: int, section_id: str) -> ResponseReturnValue:
    """Move a section one place up or down."""
    draft = _load(draft_id)
    step = _step()
    return _move(
        draft,
        f"The order of section {section_id}",
        lambda: drafts.move_draft_section(draft, section_id, step, by=current_user),
    )


@bp.post("/question-sets/drafts/<int:draft_id>/sections/<section_id>/remove")
def remove_question_set_draft_section(draft_id: int, section_id: str) -> ResponseReturnValue:
    """Remove a section and its questions; refused while another question refers to them."""
    draft = _load(draft_id)
    return _move(
        draft,
        f"Section {section_id}",
        lambda: drafts.remove_draft_section(draft, section_id, by=current_user),
    )


@bp.post("/question-sets/drafts/<int:draft_id>/questions/<question_id>/move")
def move_question_set_draft_question(draft_id: int, question_id: str) -> ResponseReturnValue:
    """Move a question one place up or down in its section."""
    draft = _load(draft_id)
    step = _step()
    return _move(
        draft,
        f"The order of question {question_id}",
        lambda: drafts.move_draft_question(draft, question_id, step, by=current_user),
    )


@bp.post("/question-sets/drafts/<int:draft_id>/questions/<question_id>/options/<option_value>/move")
def move_question_set_draft_option(
    draft_id: int, question_id: str, option_value: str
) -> ResponseReturnValue:
    """Move one of a question's options one place up or down."""
    draft = _load(draft_id)
    step = _step()
    response = _move(
        draft,
        f"The order of the options of {question_id}",
        lambda: drafts.move_draft_option(draft, question_id, option_value, step, by=current_user),
    )
    if draft.is_open:
        return redirect(
            url_for(
                "admin.edit_question_set_draft_question",
                draft_id=draft.id,
                question_id=question_id,
                _anchor="options",
            )
        )
    return response


@bp.route("/question-sets/drafts/<int:draft_id>/preview", methods=["GET", "POST"])
def preview_question_set_draft(draft_id: int) -> ResponseReturnValue:
    """The case form as an auditor will see it; answers tried are graded, never saved."""
    draft = _load(draft_id)
    qs, problems = _draft_set(draft)
    if qs is None:
        flash(
            "There is nothing to preview: "
            + ("fix the problems listed first." if problems else "add a question first."),
            "error",
        )
        return _show(draft)
    tried = request.method == "POST" and DraftActionForm().validate_on_submit()
    posted = parse_posted(request.form, qs) if tried else None
    state = try_answers(qs, posted)
    return render_template(
        "admin/preview_question_set_draft.html",
        draft=draft,
        qs=qs,
        state=state,
        tried=tried,
        sections=section_views(state, posted=posted, errors=state.errors),
        form=DraftActionForm(),
        ungraded=NOT_GRADED_YET,
        errors_list=[
            {"text": f"{qid}: {message}", "href": f"#answer-{qid}"}
            for qid, message in state.errors.items()
        ],
    )
