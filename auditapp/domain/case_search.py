"""Finding a case by its reference: what the search box of a case list matches."""

from __future__ import annotations

SEARCH_MAX = 64  # characters of a search kept; a reference is never longer


def search_text(raw: str | None) -> str:
    """The search as typed, trimmed and cut to SEARCH_MAX characters."""
    return (raw or "").strip()[:SEARCH_MAX]


def reference_matches(reference: str, search: str) -> bool:
    """True when the reference contains the search, ignoring case (an empty search matches)."""
    return search.casefold() in reference.casefold()


def search_count_text(
    shown: int, total: int, search: str, singular: str = "case", plural: str = "cases"
) -> str:
    """The count above a searched list: "24 cases", or "3 of 24 cases match 'DA-1'".

    The total stays in view so a search never hides how big the figure behind the list is.
    """
    noun = singular if total == 1 else plural
    if not search:
        return f"{total} {noun}"
    verb = "matches" if shown == 1 else "match"
    return f"{shown} of {total} {noun} {verb} '{search}'"
