"""govukPagination parameters from a Flask-SQLAlchemy page of results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_sqlalchemy.pagination import Pagination


def govuk_pagination(
    listing: Pagination, href: Callable[[int], str], landmark_label: str
) -> dict[str, Any] | None:
    """The macro's parameters (None when everything fits on one page).

    The first and last pages, and two either side of this one; a gap is an ellipsis.
    """
    if listing.pages <= 1:
        return None
    items: list[dict[str, Any]] = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": href(number), "current": number == listing.page}
        for number in listing.iter_pages(left_edge=1, left_current=2, right_current=3, right_edge=1)
    ]
    pagination: dict[str, Any] = {"items": items, "landmarkLabel": landmark_label}
    if listing.has_prev:
        pagination["previous"] = {"href": href(listing.page - 1)}
    if listing.has_next:
        pagination["next"] = {"href": href(listing.page + 1)}
    return pagination
