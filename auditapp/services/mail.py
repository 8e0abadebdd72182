"""Outgoing mail: plain-text messages over SMTP (Flask-Mailman), only when MAIL_SERVER is set.

Sending never decides whether an action happens: callers commit first, then send, and say
what to do when a message could not go (an account link is shown to the administrator
instead). Messages hold no case content.
"""

from __future__ import annotations

import smtplib

from flask import current_app
from flask_mailman import EmailMessage


def mail_configured() -> bool:
    """True when an SMTP server is configured (MAIL_SERVER in config.py)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send_message(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; True when the SMTP server accepted it.

    False, and a warning in the log (without the message), when mail is not configured or the
    server refused it or could not be reached.
    """
    if not mail_configured():
        return False
    sender = str(current_app.config["MAIL_DEFAULT_SENDER"])
    message = EmailMessage(subject=subject, body=body, from_email=sender, to=[to])
    try:
        return bool(message.send() == 1)
    except (OSError, smtplib.SMTPException) as error:  # refused, unreachable, timed out
        current_app.logger.warning("mail not sent: %s", type(error).__name__)
        return False
