"""Sign-in, sign-out and password routes."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from auditapp.auth import bp
from auditapp.auth.forms import ChangePasswordForm, LoginForm
from auditapp.extensions import db
from auditapp.services import accounts
from auditapp.services.audit_log import record_event


def _safe_next(target: str | None) -> str:
    """Only follow relative paths on this site after sign-in (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("main.index")


TOO_MANY_ATTEMPTS = (
    "Too many failed sign-in attempts for this account or from this network. "
    "For your security, wait {minutes} minutes, then try again."
)


def too_many_attempts_response(form: LoginForm | None = None) -> Response:
    """The sign-in page with the lock-out message, status 429.

    The same page whether the limit hit was the account's, the address's, or the account is
    locked in the database: it does not tell anyone whether an account exists.
    """
    form = form or LoginForm()
    minutes = int(current_app.config.get("LOCKOUT_MINUTES", 15))
    form.password.errors = [TOO_MANY_ATTEMPTS.format(minutes=minutes)]
    page = render_template("auth/login.html", form=form)
    return Response(page, status=429, headers={"Retry-After": str(minutes * 60)})


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in with email and password (rate-limited per address and account: security.py)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        config = current_app.config
        try:
            user = accounts.authenticate(
                form.email.data or "",
                form.password.data or "",
                lockout_threshold=int(config.get("LOCKOUT_THRESHOLD", 5)),
                lockout=timedelta(minutes=int(config.get("LOCKOUT_MINUTES", 15))),
            )
        except accounts.AccountLockedError:
            db.session.commit()  # keep the count and the lock
            return too_many_attempts_response(form)
        if user is None:
            db.session.commit()
            form.password.errors = ["Enter a correct email address and password"]
        else:
            next_url = _safe_next(request.args.get("next"))
            session.clear()  # a fresh session at sign-in: no fixation
            login_user(user)
            session.permanent = True
            db.session.commit()
            return redirect(next_url)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out (POST with CSRF token, so no page can sign a user out)."""
    record_event("logout", "user", user=current_user, entity_id=current_user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change your own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data or "", form.new_password.data or ""
            )
        except accounts.AccountError as error:
            field = form.current_password if "current" in str(error).lower() else form.new_password
            field.errors = [str(error)]
        else:
            db.session.commit()
            login_user(current_user)  # the epoch changed: keep this session signed in
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
