"""Routes of the audit area."""

from auditapp.audit import bp  # noqa: F401
