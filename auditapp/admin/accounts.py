"""Accounts, for global admins: the list with search and filters, creating an account (with an
invitation link or a temporary password), changing a name, deactivating and reactivating,
unlocking, password links and second-factor resets. Every change is in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from auditapp.admin import bp
from auditapp.admin.forms import (
    FIRST_SIGN_IN_HINTS,
    ROLE_HINTS,
    AccountActionForm,
    ChangeUserNameForm,
    CreateAccountForm,
    ResetSecondFactorForm,
    UnlockUserForm,
)
from auditapp.auth import links
from auditapp.extensions import db
from auditapp.models import AccountLinkPurpose, GlobalRole, User
from auditapp.pagination import govuk_pagination
from auditapp.permissions import admin_required
from auditapp.services import account_links, accounts, inspections, mail, second_factor
from auditapp.services import sign_in_throttle as throttle
from auditapp.services.account_list import (
    ROLE_FILTERS,
    STATUS_FILTERS,
    AccountFilters,
    invited_user_ids,
    list_accounts,
)

USERS_PER_PAGE = 50


def _locked_emails() -> set[str]:
    return throttle.locked_emails(throttle.ThrottlePolicy.from_config(current_app.config))


def status_tags(user: User, *, locked: bool, invited: bool) -> list[dict[str, str]]:
    """govukTag parameters for an account's state: active or deactivated, and what else holds."""
    tags = [
        {"text": "Active", "classes": "govuk-tag--green"}
        if user.active
        else {"text": "Deactivated", "classes": "govuk-tag--grey"}
    ]
    if locked:
        tags.append({"text": "Locked", "classes": "govuk-tag--red"})
    if invited and user.last_login_at is None:
        tags.append({"text": "Invited", "classes": "govuk-tag--blue"})
    if user.must_change_password:
        tags.append({"text": "Temporary password", "classes": "govuk-tag--yellow"})
    return tags


def role_text(user: User) -> str:
    """How a global role reads on the page."""
    return "Administrator" if user.is_admin else "User"


def _page_number() -> int:
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


@bp.get("/")
@admin_required
def index() -> str:
    """Accounts, searched and filtered (role, status), a page at a time; links onwards."""
    filters = AccountFilters.from_args(request.args)
    locked = _locked_emails()
    listing = list_accounts(filters, locked, page=_page_number(), per_page=USERS_PER_PAGE)
    users: list[User] = list(listing.items)
    invited = invited_user_ids([u.id for u in users])
    rows = [
        (user, status_tags(user, locked=user.email in locked, invited=user.id in invited))
        for user in users
    ]
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "admin/index.html",
        rows=rows,
        listing=listing,
        filters=filters,
        role_filters=ROLE_FILTERS,
        status_filters=STATUS_FILTERS,
        role_text=role_text,
        pagination=govuk_pagination(
            listing, lambda n: url_for("admin.index", page=n, **args), "Pages of accounts"
        ),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def create_user() -> ResponseReturnValue:
    """Create an account, then pass on an invitation link or a temporary password (once)."""
    form = CreateAccountForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_account(
                form.email.data or "", form.name.data or "", GlobalRole(form.role.data),
                by=current_user,
            )  # fmt: skip
        except accounts.InvalidEmailError as error:
            db.session.rollback()
            form.email.errors = [str(error)]
        except accounts.InvalidNameError as error:
            db.session.rollback()
            form.name.errors = [str(error)]
        else:
            current_app.logger.info("user %s created by admin %s", user.id, current_user.id)
            if form.first_sign_in.data == "temporary":
                password = accounts.set_temporary_password(user, by=current_user)
                db.session.commit()
                return _temporary_password_page(user, password, "Account created")
            link, token = links.issue(user, AccountLinkPurpose.INVITATION, by=current_user)
            db.session.commit()
            delivery = links.deliver(link, token, by=current_user)
            return links.delivery_page(
                delivery,
                heading="Account created",
                back_url=url_for("admin.show_user", user_id=user.id),
                back_text=f"Go to {user.name}'s account",
            )
    status = 400 if form.errors else 200
    return (
        render_template(
            "admin/create_user.html",
            form=form,
            role_hints=ROLE_HINTS,
            first_sign_in_hints=FIRST_SIGN_IN_HINTS,
        ),
        status,
    )


def _temporary_password_page(user: User, password: str, heading: str) -> str:
    """The temporary password, shown this once (the page is never cached: security.py)."""
    return render_template(
        "admin/show_temporary_password.html", user=user, password=password, heading=heading
    )


@bp.get("/users/<int:user_id>")
@admin_required
def show_user(user_id: int) -> str:
    """One account: its details, memberships, and what an administrator can do with it."""
    user = db.get_or_404(User, user_id)
    locked = user.email in _locked_emails()
    invitation = account_links.pending_invitation(user)
    return render_template(
        "admin/show_user.html",
        user=user,
        tags=status_tags(user, locked=locked, invited=invitation is not None),
        locked=locked,
        invitation=invitation,
        role_text=role_text(user),
        has_second_factor=second_factor.confirmed_factor_of(user) is not None,
        memberships=inspections.my_inspections(user),
        link_text=_link_text(user),
        action_form=AccountActionForm(),
        unlock_form=UnlockUserForm(),
        reset_form=ResetSecondFactorForm(),
    )


def _link_purpose(user: User) -> AccountLinkPurpose:
    """Someone who never signed in gets a new invitation; anyone else a password reset."""
    if user.last_login_at is None:
        return AccountLinkPurpose.INVITATION
    return AccountLinkPurpose.PASSWORD_RESET


def _link_text(user: User) -> dict[str, str]:
    """The password-link button of an account page, and what it does."""
    mailed = mail.mail_configured()
    if _link_purpose(user) is AccountLinkPurpose.INVITATION:
        button = "Send a new invitation" if mailed else "Make a new invitation link"
        explanation = (
            f"{user.name} has not signed in yet. A new invitation replaces any earlier one."
        )
    else:
        button = "Send a password reset link" if mailed else "Make a password reset link"
        explanation = (
            f"A reset link lets {user.name} choose a new password; their current one works "
            "until they use it."
        )
    if not mailed:
        explanation += " Mail is not set up, so the link is shown to you to pass on."
    return {"button": button, "explanation": explanation}


def _back_to(user: User) -> Response:
    return redirect(url_for("admin.show_user", user_id=user.id))


@bp.route("/users/<int:user_id>/name", methods=["GET", "POST"])
@admin_required
def change_user_name(user_id: int) -> ResponseReturnValue:
    """Change someone's display name (logged)."""
    user = db.get_or_404(User, user_id)
    form = ChangeUserNameForm(data={"name": user.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            accounts.change_name(user, form.name.data or "", by=current_user)
        except accounts.InvalidNameError as error:
            form.name.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"The name is now {user.name}.", "success")
            return _back_to(user)
    status = 400 if form.errors else 200
    return render_template("admin/change_user_name.html", form=form, user=user), status


def _account_action(user_id: int) -> tuple[User, bool]:
    """The account a button acts on, and whether its form (CSRF token) is valid."""
    return db.get_or_404(User, user_id), AccountActionForm().validate_on_submit()


def _change_active_state(
    user_id: int, change: Callable[..., None], done: str, message: str
) -> Response:
    """Deactivate or reactivate through ``change``; logged; the outcome is flashed."""
    user, valid = _account_action(user_id)
    if valid:
        try:
            change(user, by=current_user)
        except accounts.AccountStateError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            current_app.logger.info("user %s %s by admin %s", user.id, done, current_user.id)
            flash(message.format(name=user.name), "success")
    return _back_to(user)


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate_user(user_id: int) -> Response:
    """Deactivate: no sign-in, sessions end, API tokens and links stop working (logged)."""
    return _change_active_state(
        user_id,
        accounts.deactivate_user,
        "deactivated",
        "{name}'s account is deactivated: they cannot sign in.",
    )


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def reactivate_user(user_id: int) -> Response:
    """Let a deactivated account sign in again (logged)."""
    return _change_active_state(
        user_id, accounts.reactivate_user, "reactivated", "{name}'s account is active again."
    )


@bp.post("/users/<int:user_id>/password-link")
@admin_required
def send_password_link(user_id: int) -> ResponseReturnValue:
    """A new invitation (never signed in) or a password reset link, emailed or shown once."""
    user, valid = _account_action(user_id)
    if not valid:
        return _back_to(user)
    purpose = _link_purpose(user)
    try:
        link, token = links.issue(user, purpose, by=current_user)
    except accounts.AccountStateError as error:
        flash(str(error), "error")
        return _back_to(user)
    db.session.commit()
    current_app.logger.info("%s link for user %s by admin %s", purpose, user.id, current_user.id)
    delivery = links.deliver(link, token, by=current_user)
    heading = "New invitation made" if link.is_invitation else "Password reset started"
    return links.delivery_page(
        delivery,
        heading=heading,
        back_url=url_for("admin.show_user", user_id=user.id),
        back_text=f"Back to {user.name}'s account",
    )


@bp.post("/users/<int:user_id>/temporary-password")
@admin_required
def set_temporary_password(user_id: int) -> ResponseReturnValue:
    """A new temporary password, shown once; the user must change it when they sign in."""
    user, valid = _account_action(user_id)
    if not valid:
        return _back_to(user)
    try:
        password = accounts.set_temporary_password(user, by=current_user)
    except accounts.AccountStateError as error:
        flash(str(error), "error")
        return _back_to(user)
    db.session.commit()
    current_app.logger.info("temporary password for user %s by admin %s", user.id, current_user.id)
    return _temporary_password_page(user, password, "Temporary password set")


@bp.post("/users/<int:user_id>/unlock")
@admin_required
def unlock_user(user_id: int) -> Response:
    """Let every address try to sign in to this account again (logged in the audit log)."""
    user = db.get_or_404(User, user_id)
    if UnlockUserForm().validate_on_submit():
        accounts.unlock(user, by=current_user)
        db.session.commit()
        current_app.logger.info("user %s unlocked by admin %s", user.id, current_user.id)
        flash(f"{user.email} can sign in again from every address.", "success")
    return _back_to(user)


@bp.post("/users/<int:user_id>/second-factor/reset")
@admin_required
def reset_second_factor(user_id: int) -> Any:
    """Remove a user's second factor (a lost phone); logged. They set up a new one."""
    user = db.get_or_404(User, user_id)
    form = ResetSecondFactorForm()
    if form.validate_on_submit():
        if second_factor.reset_second_factor(user, by=current_user):
            db.session.commit()
            flash(f"Two-step verification was reset for {user.email}.", "success")
        else:
            flash(f"{user.email} has no two-step verification to reset.", "info")
    return _back_to(user)
