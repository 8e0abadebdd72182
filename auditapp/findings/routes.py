"""Routes of the findings area."""

from auditapp.findings import bp  # noqa: F401
