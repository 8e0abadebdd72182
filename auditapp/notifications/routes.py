"""The user's notifications: listed newest first; opening one marks it read and shows the case.

Only the recipient sees or opens a notification: anyone else's is 404.
"""

from __future__ import annotations

from flask import abort, g, redirect, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.extensions import db
from auditapp.notifications import bp
from auditapp.services import notifications


@bp.app_context_processor
def _unread_notifications() -> dict[str, object]:
    """`unread_notifications()` for the header: one count per request, only when asked for."""

    def unread_notifications() -> int:
        if "unread_notifications" not in g:
            g.unread_notifications = notifications.unread_count(current_user)
        return int(g.unread_notifications)

    return {"unread_notifications": unread_notifications}


@bp.get("")
def list_notifications() -> str:
    """The signed-in user's notifications, unread ones marked."""
    return render_template(
        "notifications/list_notifications.html",
        notifications=notifications.list_for(current_user),
        case_url=notifications.case_url,
    )


@bp.post("/<int:notification_id>/open")
def open_notification(notification_id: int) -> Response:
    """Mark the user's own notification read and go to its case (404 for anyone else's)."""
    notification = notifications.mark_read(current_user, notification_id)
    if notification is None:
        abort(404)
    url = notifications.case_url(notification)
    db.session.commit()
    return redirect(url)
