"""Finding a case by its reference: what the search box of a case list matches."""

from __future__ import annotations

SEARCH_MAX = 64  # characters of a search kept; a reference is never longer


def search_text(raw: str | None) -> str:
    """The search as typed, trimmed and cut to SEARCH_MAX characters."""
    return (raw or "").strip()[:SEARCH_MAX]


def reference_matches(reference: str, search: str) -> bool:
    """True when the reference contains the search, ignoring case (an empty search matches)."""
    return search.casefold() in reference.casefold()
