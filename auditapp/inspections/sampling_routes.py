"""Choosing and giving out cases: drawing a sample, hand sampling, and assignment to auditors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from auditapp.domain.sampling import SamplingError, describe_draw, new_seed
from auditapp.extensions import db
from auditapp.inspections import bp
from auditapp.inspections.access import load_for_setup
from auditapp.inspections.forms import (
    AssignForm,
    CaseSelectionForm,
    DrawSampleForm,
    SizeHelpForm,
    UndoDrawForm,
    choices,
)
from auditapp.models import Inspection
from auditapp.services import case_list_mapping, inspection_members, sampling

# Shared by the pages ------------------------------------------------------------------------------


def _cases(n: int, what: str = "case") -> str:
    """ "1 case", "3 cases", "2 matching cases" (what: the words before "case")."""
    return f"{n} {what}{'' if n == 1 else 's'}"


def _save(change: Callable[[], str]) -> bool:
    """Run a change whose message is returned; commit and flash it, or roll back and say why."""
    try:
        message = change()
    except SamplingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(message, "success")
    return True


# Drawing a sample --------------------------------------------------------------------------------


def _draw_form_choices(form: DrawSampleForm, frames: list[sampling.SamplingFrame]) -> None:
    columns: dict[str, None] = {}
    for frame in frames:
        for column in frame.attribute_columns:
            columns.setdefault(column, None)
    form.stratify_by.choices = choices([("", "Do not stratify")] + [(c, c) for c in columns])


def _sizes_posted(frames: list[sampling.SamplingFrame]) -> dict[int, str]:
    """The size entered for each case type of the frames (fields size-<case type id>)."""
    return {f.case_type.id: request.form.get(f"size-{f.case_type.id}", "") for f in frames}


def _sampling_page(
    inspection: Inspection,
    draw_form: DrawSampleForm,
    status: int = 200,
    *,
    sizes: dict[int, str] | None = None,
    draw_error: str | None = None,
) -> Any:
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
    if draw_form.seed.data is None and not draw_form.seed.errors:
        draw_form.seed.data = new_seed()  # shown before the draw, recorded with it
    if sizes is None:
        sizes = {f.case_type.id: str(f.suggested) if f.suggested else "" for f in frames}
    return render_template(
        "inspections/show_sampling.html",
        inspection=inspection,
        frames=frames,
        sizes=sizes,
        draw_error=draw_error,
        batches=sampling.draw_batches(inspection),
        strata=sampling.stratum_rows(inspection),
        undo_form=UndoDrawForm(),
        draw_form=draw_form,
        help_form=help_form,
        margin_points=margin_points,
        chosen_size=chosen_size,
    ), status


@bp.get("/<int:inspection_id>/sampling")
def show_sampling(inspection_id: int) -> Any:
    """Frames and strata per case type, past draws, the size helper and the one-step draw."""
    inspection = load_for_setup(inspection_id)
    return _sampling_page(inspection, DrawSampleForm(formdata=None))


@bp.post("/<int:inspection_id>/sampling")
def draw_sample(inspection_id: int) -> Any:
    """Draw every case type given a size at once, with one seed: all or nothing."""
    inspection = load_for_setup(inspection_id)
    form = DrawSampleForm()
    frames = sampling.sampling_frames(inspection)
    _draw_form_choices(form, frames)
    sizes = _sizes_posted(frames)
    draw_error = None
    if form.validate_on_submit():
        try:
            draws = sampling.draw_all(
                inspection,
                sizes,
                by=current_user,
                seed=form.seed.data,
                stratify_by=form.stratify_by.data or None,
            )
        except SamplingError as error:
            db.session.rollback()
            draw_error = str(error)
        else:
            db.session.commit()
            lines = [
                describe_draw(d.sample_size, d.frame_size, d.case_type.name, d.seed) for d in draws
            ]
            top_up = " (top-up)" if any(d.top_up for d in draws) else ""
            flash(f"Drew{top_up} " + "; ".join(lines) + ".", "success")
            return redirect(url_for("inspections.show_sampling", inspection_id=inspection.id))
    return _sampling_page(inspection, form, 400, sizes=sizes, draw_error=draw_error)


@bp.post("/<int:inspection_id>/sampling/draws/<int:batch>/undo")
def undo_draw(inspection_id: int, batch: int) -> Any:
    """Undo a draw whose cases nobody has opened: exactly its cases leave the sample."""
    inspection = load_for_setup(inspection_id)
    form = UndoDrawForm()
    if not form.validate_on_submit():
        flash("The form had expired: try again.", "error")
    elif _save(
        lambda: (
            f"Undid draw {batch}: "
            f"{_cases(sampling.undo_draw(inspection, batch, by=current_user))} left the sample."
        )
    ):
        current_app.logger.info("draw %s of inspection %s undone", batch, inspection.id)
    return redirect(url_for("inspections.show_sampling", inspection_id=inspection.id))


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
    args = {k: v for k, v in _filters().items() if k != "page"}

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


def _filters() -> dict[str, Any]:
    """The list's filters and page from the query string, to keep them across a redirect.

    Keys starting with "_" are dropped: `url_for` reads `_external`, `_scheme` and `_anchor`
    as instructions, and a query string must never choose the scheme or host of a link.
    """
    return {k: v for k, v in request.args.items() if not k.startswith("_")}


def _case_type_filter() -> int | None:
    raw = request.args.get("case_type", "")
    return int(raw) if raw.isdigit() else None


def _status_filter() -> str:
    raw = request.args.get("status", "")
    return raw if raw in sampling.STATUS_FILTERS else ""


def _search() -> str:
    return request.args.get("q", "").strip()[:64]


def _stratum_filter() -> str:
    """The stratum filter's key (StratumRow.key, "<case type id>:<stratum>"), or ""."""
    return request.args.get("stratum", "")[:200]


def _filter_items(
    inspection: Inspection, case_type_id: int | None, show: str, options: dict[str, str]
) -> dict[str, Any]:
    """Select items for the case type and "show" filters (the case types in scope)."""
    case_types = case_list_mapping.inspection_case_types(inspection)
    return {
        "filter_items": [
            {"value": ct.id, "text": ct.name, "selected": ct.id == case_type_id}
            for ct in case_types
        ],
        "show_items": [
            {"value": key, "text": text, "selected": key == show} for key, text in options.items()
        ],
        "status_items": [{"value": "", "text": "Any status"}]
        + [
            {"value": key, "text": text, "selected": key == _status_filter()}
            for key, text in sampling.STATUS_FILTERS.items()
        ],
        "search": _search(),
        # Only strata of stratified draws: an unstratified type's one stratum is its case type.
        "stratum_items": [
            {
                "value": row.key,
                "text": f"{row.case_type}, {row.column}: {row.stratum}",
                "selected": row.key == _stratum_filter(),
            }
            for row in sampling.stratum_rows(inspection)
            if row.column
        ],
    }


@bp.route("/<int:inspection_id>/cases", methods=["GET", "POST"])
def list_cases(inspection_id: int) -> Any:
    """Every listed case, filterable; tick cases to add them to or take them out of the sample."""
    inspection = load_for_setup(inspection_id)
    form = CaseSelectionForm()
    if form.validate_on_submit():
        ids = form.case_ids.data or []

        def change() -> str:
            if form.action.data == "add":
                n = sampling.add_to_sample(inspection, ids, by=current_user)
                return f"Added {_cases(n)} to the sample."
            n = sampling.remove_from_sample(inspection, ids, by=current_user)
            return f"Took {_cases(n)} out of the sample."

        _save(change)
        return redirect(
            url_for("inspections.list_cases", inspection_id=inspection.id, **_filters())
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
        status=_status_filter(),
        search=_search(),
        stratum=_stratum_filter(),
        page=_page_number(),
        per_page=current_app.config["CASES_PER_PAGE"],
    )
    return render_template(
        "inspections/list_cases.html",
        inspection=inspection,
        form=form,
        listing=listing,
        cases=listing.items,
        status_words=sampling.status_words(listing.items),
        pagination=_pagination("inspections.list_cases", inspection, listing),
        **_filter_items(inspection, case_type_id, show, SHOW_FILTERS),
    )


# Assignment --------------------------------------------------------------------------------------

ASSIGN_FILTERS = {"sampled": "All sampled cases", "unassigned": "Not yet assigned"}


def _assign_show() -> str:
    return "unassigned" if request.args.get("show") == "unassigned" else "sampled"


def _matching_ids(inspection: Inspection) -> list[int]:
    """Every sampled case the page's filters (kept in the query string) match, on every page."""
    return sampling.matching_case_ids(
        inspection,
        case_type_id=_case_type_filter(),
        show=_assign_show(),
        status=_status_filter(),
        search=_search(),
        stratum=_stratum_filter(),
    )


def _assign(inspection: Inspection, form: AssignForm) -> str:
    """Carry out the assignment form's action; returns the message to show."""
    action, auditor_id = form.action.data, form.auditor_id.data
    if action in ("assign_matching", "balance_matching"):
        ids: list[int] | None = _matching_ids(inspection)
    elif action == "balance_all":
        ids = None  # every unassigned sampled case
    else:
        ids = form.case_ids.data or []
    if action in ("assign", "assign_matching"):
        n = sampling.assign_cases(inspection, ids or [], auditor_id, by=current_user)
        if action == "assign":
            return f"Assigned {_cases(n)}."
        return f"Assigned {n} of the {_cases(len(ids or []), 'matching case')}."
    n = sampling.balance_cases(inspection, ids, by=current_user)
    what = {"balance_matching": "matching case", "balance": "case"}.get(action, "unassigned case")
    return f"Shared {_cases(n, what)} across the auditors."


@bp.route("/<int:inspection_id>/assignment", methods=["GET", "POST"])
def assign_cases(inspection_id: int) -> Any:
    """Give sampled cases to auditors: ticked cases to one person, or balanced across auditors."""
    inspection = load_for_setup(inspection_id)
    people = inspection_members.assignable_members(inspection)
    form = AssignForm()
    form.auditor_id.choices = choices(
        [(None, "Nobody (unassign)")] + [(u.id, u.name) for u in people]
    )
    if form.validate_on_submit():
        _save(lambda: _assign(inspection, form))
        return redirect(
            url_for("inspections.assign_cases", inspection_id=inspection.id, **_filters())
        )
    case_type_id = _case_type_filter()
    show = "unassigned" if request.args.get("show") == "unassigned" else "sampled"
    listing = sampling.case_page(
        inspection,
        case_type_id=case_type_id,
        show=show,
        status=_status_filter(),
        search=_search(),
        stratum=_stratum_filter(),
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
        status_words=sampling.status_words(listing.items),
        pagination=_pagination("inspections.assign_cases", inspection, listing),
        people=people,
        loads=loads,
        **_filter_items(inspection, case_type_id, show, ASSIGN_FILTERS),
    )
