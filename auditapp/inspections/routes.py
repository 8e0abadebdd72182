"""Inspection pages: overview, set-up, members, question sets, case list, sampling, assignment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from auditapp.domain.sampling import SamplingError, describe_draw
from auditapp.extensions import db, login_manager
from auditapp.inspections import bp
from auditapp.inspections.forms import (
    ROLE_HINTS,
    AddMemberForm,
    AssignForm,
    CaseSelectionForm,
    ConfirmForm,
    CreateInspectionForm,
    DrawSampleForm,
    EditInspectionForm,
    MemberRoleForm,
    QuestionSetChoicesForm,
    SizeHelpForm,
    UploadCaseListForm,
    choices,
)
from auditapp.inspections.links import hub_links
from auditapp.models import Case, CaseStatus, CaseType, Inspection, InspectionRole
from auditapp.permissions import admin_required, load_inspection
from auditapp.services import case_import, case_import_problems, inspections, sampling

LEAD = InspectionRole.LEAD


def _max_upload_text() -> str:
    return f"The file must be smaller than {current_app.config['MAX_UPLOAD_MB']} MB"


def _load_for_setup(inspection_id: int) -> Inspection:
    """Set-up pages: the inspection's leads and global admins (404 others, 403 other roles)."""
    inspection, _ = load_inspection(inspection_id, LEAD, allow_admin=True)
    return inspection


def _baseline_choices(inspection: Inspection | None) -> list[SelectChoice]:
    options = inspections.baseline_choices(current_user, inspection)
    return choices(
        [(None, "No earlier inspection")] + [(i.id, f"{i.title} ({i.force})") for i in options]
    )


# Overview and details ----------------------------------------------------------------------------


@bp.get("/")
def list_inspections() -> str:
    """Inspections the user can see (all, for an admin), with a way to create one."""
    return render_template(
        "inspections/list_inspections.html",
        inspections=inspections.visible_inspections(current_user),
    )


@bp.get("/<int:inspection_id>")
def show_inspection(inspection_id: int) -> str:
    """The inspection's hub: details, members, case types with progress, and links onward."""
    inspection, role = load_inspection(inspection_id, allow_admin=True)
    return render_template(
        "inspections/show_inspection.html",
        inspection=inspection,
        role=role,
        members=inspections.members(inspection),
        progress=inspections.inspection_progress(inspection),
        link_groups=hub_links(inspection, role, is_admin=current_user.is_admin),
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create_inspection() -> str | Response:
    """Admins create an inspection and name its lead; the lead then sets it up."""
    form = CreateInspectionForm()
    form.baseline_id.choices = _baseline_choices(None)
    if form.validate_on_submit():
        try:
            inspection = inspections.create_inspection(
                title=form.title.data or "",
                force=form.force.data or "",
                kind=form.kind.data or "",
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                baseline_id=form.baseline_id.data,
                lead_email=form.lead_email.data or "",
                by=current_user,
            )
        except inspections.InspectionSetupError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors = [str(error)]
        else:
            db.session.commit()
            current_app.logger.info("inspection %s created", inspection.id)
            flash(f"Created {inspection.title}.", "success")
            return redirect(url_for("inspections.show_inspection", inspection_id=inspection.id))
    return render_template("inspections/create_inspection.html", form=form)


@bp.route("/<int:inspection_id>/edit", methods=["GET", "POST"])
def edit_inspection(inspection_id: int) -> str | Response:
    """Change an inspection's details and its baseline."""
    inspection = _load_for_setup(inspection_id)
    form = EditInspectionForm(obj=inspection)
    form.baseline_id.choices = _baseline_choices(inspection)
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in inspections.DETAIL_FIELDS}
        try:
            changed = inspections.update_inspection(inspection, changes, by=current_user)
        except inspections.InspectionSetupError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors = [str(error)]
        else:
            db.session.commit()
            flash("Details saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("inspections.show_inspection", inspection_id=inspection.id))
    return render_template("inspections/edit_inspection.html", form=form, inspection=inspection)


# Members -----------------------------------------------------------------------------------------


def _members_page(inspection: Inspection, form: AddMemberForm, status: int = 200) -> Any:
    rows = []
    for membership in inspections.members(inspection):
        role_form = MemberRoleForm(formdata=None, prefix=f"m{membership.id}")
        role_form.role.data = membership.role
        rows.append((membership, role_form))
    return (
        render_template(
            "inspections/list_members.html",
            inspection=inspection,
            form=form,
            rows=rows,
            confirm_form=ConfirmForm(formdata=None),
            role_hints=ROLE_HINTS,
        ),
        status,
    )


@bp.get("/<int:inspection_id>/members")
def list_members(inspection_id: int) -> Any:
    """Members with their roles; add, change role, remove."""
    inspection = _load_for_setup(inspection_id)
    return _members_page(inspection, AddMemberForm(formdata=None))


@bp.post("/<int:inspection_id>/members")
def add_member(inspection_id: int) -> Any:
    """Add an existing user by email, in a role."""
    inspection = _load_for_setup(inspection_id)
    form = AddMemberForm()
    if form.validate_on_submit():
        try:
            membership = inspections.add_member(
                inspection, form.email.data or "", InspectionRole(form.role.data),
                by=current_user,
            )  # fmt: skip
        except inspections.InspectionSetupError as error:
            db.session.rollback()
            form.email.errors = [str(error)]
        else:
            db.session.commit()
            flash(
                f"Added {membership.user.name} as {InspectionRole(membership.role).label.lower()}.",
                "success",
            )
            return redirect(url_for("inspections.list_members", inspection_id=inspection.id))
    return _members_page(inspection, form, 400)


@bp.post("/<int:inspection_id>/members/<int:membership_id>/role")
def change_member_role(inspection_id: int, membership_id: int) -> Response:
    """Change one member's role (never leaving the inspection without a lead)."""
    inspection = _load_for_setup(inspection_id)
    form = MemberRoleForm(prefix=f"m{membership_id}")
    if not form.validate_on_submit():
        flash("Select a role.", "error")
        return redirect(url_for("inspections.list_members", inspection_id=inspection.id))
    try:
        membership = inspections.change_member_role(
            inspection, membership_id, InspectionRole(form.role.data), by=current_user
        )
    except LookupError:
        abort(404)
    except inspections.InspectionSetupError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            f"{membership.user.name} is now {InspectionRole(membership.role).label.lower()}.",
            "success",
        )
    return redirect(url_for("inspections.list_members", inspection_id=inspection.id))


@bp.post("/<int:inspection_id>/members/<int:membership_id>/remove")
def remove_member(inspection_id: int, membership_id: int) -> Response:
    """Remove a member (not the last lead, nor someone still holding cases)."""
    inspection = _load_for_setup(inspection_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user = inspections.remove_member(inspection, membership_id, by=current_user)
    except LookupError:
        abort(404)
    except inspections.InspectionSetupError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Removed {user.name} from the inspection.", "success")
    return redirect(url_for("inspections.list_members", inspection_id=inspection.id))


# Question sets -----------------------------------------------------------------------------------


@bp.route("/<int:inspection_id>/question-sets", methods=["GET", "POST"])
def choose_question_sets(inspection_id: int) -> str | Response:
    """The question-set version each case type is audited against in this inspection."""
    inspection = _load_for_setup(inspection_id)
    form = QuestionSetChoicesForm()
    options = inspections.question_set_choices(inspection)
    error = None
    if form.validate_on_submit():
        picked: dict[int, int] = {}
        for choice in options:
            value = request.form.get(f"case_type_{choice.case_type.id}", "")
            if value.isdigit():
                picked[choice.case_type.id] = int(value)
        try:
            changed = inspections.choose_question_sets(inspection, picked, by=current_user)
        except inspections.InspectionSetupError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            names = ", ".join(ct.name for ct in changed)
            flash(
                f"Question sets saved: {names}. Cases already sampled keep their version."
                if changed
                else "Nothing changed.",
                "success",
            )
            return redirect(url_for("inspections.show_inspection", inspection_id=inspection.id))
    rows = [
        {
            "case_type": choice.case_type,
            "chosen": choice.chosen,
            "items": [
                {
                    "value": row.id,
                    "text": f"Version {row.version}: {row.title}" + (" (latest)" if i == 0 else ""),
                    "selected": (choice.chosen.id if choice.chosen else choice.versions[0].id)
                    == row.id,
                }
                for i, row in enumerate(choice.versions)
            ],
        }
        for choice in options
    ]
    return render_template(
        "inspections/choose_question_sets.html",
        inspection=inspection,
        form=form,
        rows=rows,
        error=error,
    )


# Case list import --------------------------------------------------------------------------------


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
    inspection = _load_for_setup(inspection_id)
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
    inspection = _load_for_setup(inspection_id)
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
    inspection = _load_for_setup(inspection_id)
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


# Sampling ----------------------------------------------------------------------------------------


def _draw_form_choices(form: DrawSampleForm, frames: list[sampling.SamplingFrame]) -> None:
    form.case_type_id.choices = choices(
        [(None, "Select a case type")]
        + [(f.case_type.id, f"{f.case_type.name} ({f.unsampled} not yet sampled)") for f in frames]
    )
    columns: dict[str, None] = {}
    for frame in frames:
        for column in frame.attribute_columns:
            columns.setdefault(column, None)
    form.stratify_by.choices = choices([("", "Do not stratify")] + [(c, c) for c in columns])


def _sampling_page(inspection: Inspection, draw_form: DrawSampleForm, status: int = 200) -> Any:
    help_form = SizeHelpForm(request.args)
    margin_points = 10
    chosen_size = None
    if request.args and help_form.validate():
        margin_points = help_form.margin.data or 10
        chosen_size = help_form.check_size.data
    frames = sampling.sampling_frames(
        inspection, margin=margin_points / 100, chosen_size=chosen_size
    )
    _draw_form_choices(draw_form, frames)
    return render_template(
        "inspections/show_sampling.html",
        inspection=inspection,
        frames=frames,
        draw_form=draw_form,
        help_form=help_form,
        margin_points=margin_points,
        chosen_size=chosen_size,
    ), status


@bp.get("/<int:inspection_id>/sampling")
def show_sampling(inspection_id: int) -> Any:
    """Frames per case type, past draws with their seeds, the size helper and the draw form."""
    inspection = _load_for_setup(inspection_id)
    return _sampling_page(inspection, DrawSampleForm(formdata=None))


@bp.post("/<int:inspection_id>/sampling")
def draw_sample(inspection_id: int) -> Any:
    """Draw a reproducible random sample of one case type."""
    inspection = _load_for_setup(inspection_id)
    form = DrawSampleForm()
    _draw_form_choices(form, sampling.sampling_frames(inspection))
    if form.validate_on_submit():
        try:
            draw = sampling.draw_cases(
                inspection,
                form.case_type_id.data,  # type: ignore[arg-type]
                form.size.data or "",
                by=current_user,
                seed=form.seed.data,
                stratify_by=form.stratify_by.data or None,
            )
        except SamplingError as error:
            db.session.rollback()
            form.size.errors = [str(error)]
        else:
            db.session.commit()
            flash(
                "Drew "
                + describe_draw(draw.sample_size, draw.frame_size, draw.case_type.name, draw.seed)
                + ".",
                "success",
            )
            return redirect(url_for("inspections.show_sampling", inspection_id=inspection.id))
    return _sampling_page(inspection, form, 400)


# Cases and hand sampling -------------------------------------------------------------------------

SHOW_FILTERS = {
    "all": "All listed cases",
    "sampled": "In the sample",
    "unsampled": "Not in the sample",
}


def _page_number() -> int:
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() else 1


def _pagination(
    endpoint: str, inspection: Inspection, listing: Pagination
) -> dict[str, Any] | None:
    """govukPagination parameters for a case list, keeping its filters (None: one page)."""
    if listing.pages <= 1:
        return None
    args = {k: v for k, v in request.args.items() if k != "page"}

    def href(number: int) -> str:
        return url_for(endpoint, inspection_id=inspection.id, page=number, **args)

    # The first and last pages, and two either side of this one; a gap is an ellipsis (None).
    items: list[dict[str, Any]] = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": href(number), "current": number == listing.page}
        for number in listing.iter_pages(left_edge=1, left_current=2, right_current=3, right_edge=1)
    ]
    pagination: dict[str, Any] = {"items": items, "landmarkLabel": "Pages of cases"}
    if listing.has_prev:
        pagination["previous"] = {"href": href(listing.page - 1)}
    if listing.has_next:
        pagination["next"] = {"href": href(listing.page + 1)}
    return pagination


def _case_type_filter() -> int | None:
    raw = request.args.get("case_type", "")
    return int(raw) if raw.isdigit() else None


def _filter_items(
    inspection: Inspection, case_type_id: int | None, show: str, options: dict[str, str]
) -> dict[str, list[dict[str, object]]]:
    """Select items for the case type and "show" filters (case types with listed cases only)."""
    case_types = db.session.scalars(
        select(CaseType)
        .where(
            CaseType.id.in_(select(Case.case_type_id).where(Case.inspection_id == inspection.id))
        )
        .order_by(CaseType.name)
    )
    return {
        "filter_items": [
            {"value": ct.id, "text": ct.name, "selected": ct.id == case_type_id}
            for ct in case_types
        ],
        "show_items": [
            {"value": key, "text": text, "selected": key == show} for key, text in options.items()
        ],
    }


@bp.route("/<int:inspection_id>/cases", methods=["GET", "POST"])
def list_cases(inspection_id: int) -> Any:
    """Every listed case, filterable; tick cases to add them to or take them out of the sample."""
    inspection = _load_for_setup(inspection_id)
    form = CaseSelectionForm()
    if form.validate_on_submit():
        try:
            if form.action.data == "add":
                n = sampling.add_to_sample(inspection, form.case_ids.data or [], by=current_user)
                message = f"Added {n} case{'s' if n != 1 else ''} to the sample."
            else:
                n = sampling.remove_from_sample(
                    inspection, form.case_ids.data or [], by=current_user
                )
                message = f"Took {n} case{'s' if n != 1 else ''} out of the sample."
        except SamplingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(message, "success")
        return redirect(
            url_for("inspections.list_cases", inspection_id=inspection.id, **request.args)
        )
    if form.errors:
        flash("Choose whether to add or remove the selected cases.", "error")
    case_type_id = _case_type_filter()
    show = request.args.get("show", "all")
    show = show if show in SHOW_FILTERS else "all"
    listing = sampling.case_page(
        inspection,
        case_type_id=case_type_id,
        show=show,
        page=_page_number(),
        per_page=current_app.config["CASES_PER_PAGE"],
    )
    return render_template(
        "inspections/list_cases.html",
        inspection=inspection,
        form=form,
        listing=listing,
        cases=listing.items,
        pagination=_pagination("inspections.list_cases", inspection, listing),
        **_filter_items(inspection, case_type_id, show, SHOW_FILTERS),
    )


# Assignment --------------------------------------------------------------------------------------

ASSIGN_FILTERS = {"sampled": "All sampled cases", "unassigned": "Not yet assigned"}


@bp.route("/<int:inspection_id>/assignment", methods=["GET", "POST"])
def assign_cases(inspection_id: int) -> Any:
    """Give sampled cases to auditors: ticked cases to one person, or balanced across auditors."""
    inspection = _load_for_setup(inspection_id)
    people = inspections.assignable_members(inspection)
    form = AssignForm()
    form.auditor_id.choices = choices(
        [(None, "Nobody (unassign)")] + [(u.id, u.name) for u in people]
    )
    if form.validate_on_submit():
        ids = form.case_ids.data or []
        try:
            if form.action.data == "assign":
                n = sampling.assign_cases(inspection, ids, form.auditor_id.data, by=current_user)
                message = f"Assigned {n} case{'s' if n != 1 else ''}."
            elif form.action.data == "balance":
                n = sampling.balance_cases(inspection, ids, by=current_user)
                message = f"Shared {n} case{'s' if n != 1 else ''} across the auditors."
            else:
                n = sampling.balance_cases(inspection, None, by=current_user)
                message = f"Shared {n} unassigned case{'s' if n != 1 else ''} across the auditors."
        except SamplingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(message, "success")
        return redirect(
            url_for("inspections.assign_cases", inspection_id=inspection.id, **request.args)
        )
    case_type_id = _case_type_filter()
    show = "unassigned" if request.args.get("show") == "unassigned" else "sampled"
    listing = sampling.case_page(
        inspection,
        case_type_id=case_type_id,
        show=show,
        page=_page_number(),
        per_page=current_app.config["CASES_PER_PAGE"],
    )
    loads = sampling.auditor_loads(inspection, [u.id for u in people])
    return render_template(
        "inspections/assign_cases.html",
        inspection=inspection,
        form=form,
        listing=listing,
        cases=listing.items,
        pagination=_pagination("inspections.assign_cases", inspection, listing),
        people=people,
        loads=loads,
        draft=CaseStatus.DRAFT,
        **_filter_items(inspection, case_type_id, show, ASSIGN_FILTERS),
    )
