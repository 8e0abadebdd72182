"""Routes of the moderation area."""

from auditapp.moderation import bp  # noqa: F401
