"""Passing a one-time link on: by email when mail is configured, else shown once on the page
that made it (for the administrator or lead to pass on). Used by the admin pages and the
Members page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template, url_for

from auditapp.models import AccountLink, AccountLinkPurpose, User
from auditapp.services import account_links, mail

_SUBJECTS = {
    AccountLinkPurpose.INVITATION: "Your account for {service}: set your password",
    AccountLinkPurpose.PASSWORD_RESET: "Reset your password for {service}",
}


@dataclass(frozen=True)
class LinkDelivery:
    """A link just made: its address, until when it works, and whether it was emailed."""

    user: User
    url: str
    expires_at: datetime
    is_invitation: bool
    emailed: bool
    mail_configured: bool


def link_validity(purpose: AccountLinkPurpose) -> timedelta:
    """How long a new link of this kind works (config.py)."""
    key = "INVITATION_HOURS" if purpose is AccountLinkPurpose.INVITATION else "PASSWORD_RESET_HOURS"
    return timedelta(hours=int(current_app.config[key]))


def issue(user: User, purpose: AccountLinkPurpose, *, by: User) -> tuple[AccountLink, str]:
    """Make a link of this kind for the user, valid for the configured time."""
    return account_links.issue_link(user, purpose, by=by, valid_for=link_validity(purpose))


def link_url(token: str) -> str:
    """The full address of the link: PUBLIC_URL when set, else this request's host."""
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return str(public).rstrip("/") + url_for("auth.set_password", token=token)
    return url_for("auth.set_password", token=token, _external=True)


def deliver(link: AccountLink, token: str, *, by: User) -> LinkDelivery:
    """Email the link when mail is configured (after the caller has committed); the delivery
    says whether the message went, so the page can show the link when it did not."""
    purpose = AccountLinkPurpose(link.purpose)
    url = link_url(token)
    service = current_app.config["SERVICE_NAME"]
    configured = mail.mail_configured()
    emailed = False
    if configured:
        body = render_template(
            f"auth/email/{purpose.value}.txt",
            user=link.user,
            url=url,
            expires_at=link.expires_at,
            by=by,
            service=service,
        )
        subject = _SUBJECTS[purpose].format(service=service)
        emailed = mail.send_message(link.user.email, subject, body)
    return LinkDelivery(
        user=link.user,
        url=url,
        expires_at=link.expires_at,
        is_invitation=link.is_invitation,
        emailed=emailed,
        mail_configured=configured,
    )


def delivery_page(delivery: LinkDelivery, *, heading: str, back_url: str, back_text: str) -> str:
    """The page after making a link: where it went, or the link itself, shown this once."""
    return render_template(
        "auth/show_account_link.html",
        delivery=delivery,
        heading=heading,
        back_url=back_url,
        back_text=back_text,
    )
