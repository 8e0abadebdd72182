"""Routes of the API."""

from auditapp.api import bp  # noqa: F401
