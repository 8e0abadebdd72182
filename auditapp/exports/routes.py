"""Routes of the exports area."""

from auditapp.exports import bp  # noqa: F401
