"""The error the findings raise for a request they cannot satisfy."""

from __future__ import annotations


class FindingsError(ValueError):
    """A request the findings cannot satisfy (e.g. an unknown recommendation)."""
