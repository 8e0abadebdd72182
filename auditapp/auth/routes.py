"""Sign-in, sign-out, your account (name, password) and one-time password links."""

from __future__ import annotations

from flask import Response as PageResponse
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded, RequestLimit
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from auditapp.auth import bp
from auditapp.auth.forms import ChangeNameForm, ChangePasswordForm, LoginForm, SetPasswordForm
from auditapp.auth.redirects import safe_next
from auditapp.auth.second_factor import require_enrolment_if_due, second_factor_step
from auditapp.extensions import db, limiter
from auditapp.services import account_links, accounts, second_factor
from auditapp.services.sign_in_throttle import ThrottlePolicy


def _safe_next(target: str | None) -> str:
    """Only follow paths on this site after sign-in (no open redirect: see redirects.py)."""
    return safe_next(target, url_for("main.index"))


TOO_MANY_ATTEMPTS = (
    "Too many failed sign-in attempts for this account or from this network. "
    "For your security, wait {minutes} minutes, then try again."
)


def too_many_attempts_response(form: LoginForm | None = None) -> PageResponse:
    """The sign-in page with the lock-out message, status 429.

    The same page whether the limit hit was the account's, the address's, or the account is
    locked in the database: it does not tell anyone whether an account exists.
    """
    form = form or LoginForm()
    minutes = int(current_app.config["LOCKOUT_MINUTES"])
    form.password.errors = [TOO_MANY_ATTEMPTS.format(minutes=minutes)]
    page = render_template("auth/login.html", form=form)
    # A page, not text: werkzeug's own Response would send text/plain and show the source.
    return PageResponse(
        page, status=429, mimetype="text/html", headers={"Retry-After": str(minutes * 60)}
    )


# --- sign-in rate limit per address (Flask-Limiter; LOGIN_LIMIT_PER_ADDRESS in config.py) -----


def _limit_per_address() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


def _failed_sign_in(response: Response) -> bool:
    """A sign-in POST that did not redirect (a wrong password, a locked account) counts."""
    return response.status_code != 302


def _too_many_attempts(limit: RequestLimit) -> PageResponse:
    return too_many_attempts_response()


@bp.app_errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded) -> ResponseReturnValue:
    """A breached limit: the page its breach callback built (sign-in: the form, status 429)."""
    return error.response or too_many_attempts_response()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _limit_per_address,
    methods=["POST"],
    deduct_when=_failed_sign_in,
    on_breach=_too_many_attempts,
)
def login() -> str | Response:
    """Sign in with email and password; failures are limited per address and per
    email+address (sign_in_throttle.py), and answered alike whether the account exists."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.email.data or "",
                form.password.data or "",
                address=request.remote_addr or "",
                policy=ThrottlePolicy.from_config(current_app.config),
            )
        except accounts.AccountLockedError:
            db.session.commit()  # keep the count and the lock
            return too_many_attempts_response(form)
        if user is None:
            db.session.commit()
            form.password.errors = ["Enter a correct email address and password"]
        else:
            next_url = _safe_next(request.args.get("next"))
            if (code_step := second_factor_step(user, next_url)) is not None:
                db.session.commit()
                return code_step  # signed in only once the code is right
            session.clear()  # a fresh session at sign-in: no fixation
            login_user(user)
            session.permanent = True
            require_enrolment_if_due(user, next_url)
            db.session.commit()
            return redirect(next_url)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out (POST with CSRF token, so no page can sign a user out)."""
    accounts.sign_out(current_user)  # a copy of this session's cookie stops working too
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


# --- a temporary password must be changed first --------------------------------------------

# What a user with a temporary password may still open: the change itself, signing out, and
# the second-factor set-up. A second factor due as well (auth/second_factor.py) comes first,
# since that hook lets nothing else through; the password change follows, with no loop.
_OPEN_WHILE_PASSWORD_DUE = frozenset(
    {
        "auth.change_password",
        "auth.logout",
        "auth.set_password",
        "auth.set_up_second_factor",
        "static",
        "main.healthz",
    }
)


@bp.before_app_request
def _send_to_change_password_when_due() -> ResponseReturnValue | None:
    """A signed-in user with a temporary password reaches nothing else until they change it."""
    if request.endpoint in _OPEN_WHILE_PASSWORD_DUE or request.endpoint is None:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return None


# --- your account ----------------------------------------------------------------------------


@bp.get("/account")
@login_required
def show_account() -> str:
    """Your name, email, password, two-step verification and API tokens, with change links."""
    return render_template(
        "auth/show_account.html",
        has_second_factor=second_factor.confirmed_factor_of(current_user) is not None,
    )


@bp.route("/account/name", methods=["GET", "POST"])
@login_required
def change_name() -> str | Response:
    """Change your own display name (logged)."""
    form = ChangeNameForm(data={"name": current_user.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            accounts.change_name(current_user, form.name.data or "", by=current_user)
        except accounts.InvalidNameError as error:
            form.name.errors = [str(error)]
        else:
            db.session.commit()
            flash("Your name has been changed.", "success")
            return redirect(url_for("auth.show_account"))
    return render_template("auth/change_name.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    """Set a password through a one-time link (an invitation or a reset), then sign in."""
    try:
        link = account_links.usable_link(token)
    except account_links.AccountLinkError as error:
        status = 404 if str(error) == account_links.NOT_VALID else 410
        return render_template("auth/link_not_usable.html", message=str(error)), status
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = account_links.set_password_with_link(token, form.new_password.data or "")
        except accounts.WeakPasswordError as error:
            form.new_password.errors = [str(error)]
        except account_links.AccountLinkError as error:
            db.session.rollback()
            return render_template("auth/link_not_usable.html", message=str(error)), 410
        else:
            db.session.commit()
            current_app.logger.info("user %s set a password with a one-time link", user.id)
            if current_user.is_authenticated:
                logout_user()  # whoever was signed in here, the new password's owner signs in
            session.clear()
            flash(
                f"Your password is set. Sign in with your email address, {user.email}, and "
                "your new password.",
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, link=link)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change your own password (first, when it is a temporary one)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data or "", form.new_password.data or ""
            )
        except accounts.WrongPasswordError as error:
            form.current_password.errors = [str(error)]
        except accounts.WeakPasswordError as error:
            form.new_password.errors = [str(error)]
        else:
            db.session.commit()
            login_user(current_user)  # the epoch changed: keep this session signed in
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"))
    return render_template(
        "auth/change_password.html", form=form, must_change=current_user.must_change_password
    )
