"""`flask concerns resend`: tell the leads again of urgent concerns nobody has acknowledged.

Run by a scheduler (cron or a systemd timer, every minute), not by a person: a reminder must go
out even when no lead has the app open, which is when it matters most.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from auditapp.extensions import db
from auditapp.services.audit.concerns import resend_unacknowledged

concerns_cli = AppGroup("concerns", help="Urgent concerns (a child at current risk).")


@concerns_cli.command("resend")
def resend_command() -> None:
    """Send again every urgent concern not acknowledged within URGENT_CONCERN_RESEND_MINUTES."""
    minutes = int(current_app.config["URGENT_CONCERN_RESEND_MINUTES"])
    # Emailed links are built as in a request: to PUBLIC_URL when set (set it in production).
    base_url = current_app.config.get("PUBLIC_URL") or "http://localhost/"
    with current_app.test_request_context(base_url=str(base_url)):
        due = resend_unacknowledged(timedelta(minutes=minutes))
        db.session.commit()  # the emails go after this commit
    current_app.logger.info("urgent concerns resent: %s", [case.id for case in due])
    click.echo(f"{len(due)} urgent concern(s) sent again to their leads.")
