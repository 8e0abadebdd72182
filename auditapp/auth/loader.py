"""Flask-Login's user loader: the session id carries the user's session epoch."""

from __future__ import annotations

from auditapp.extensions import db
from auditapp.models import User


def load_user(session_id: str) -> User | None:
    """Return the user for a session id "id:epoch"; a stale epoch signs the session out."""
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_epoch != int(epoch) or not user.active:
        return None
    return user
