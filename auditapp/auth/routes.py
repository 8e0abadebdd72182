"""Sign-in, sign-out and password routes."""

from __future__ import annotations

from flask import Response as PageResponse
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded, RequestLimit
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from auditapp.auth import bp
from auditapp.auth.forms import ChangePasswordForm, LoginForm
from auditapp.auth.redirects import safe_next
from auditapp.auth.second_factor import require_enrolment_if_due, second_factor_step
from auditapp.extensions import db, limiter
from auditapp.services import accounts
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
        except accounts.WrongPasswordError as error:
            form.current_password.errors = [str(error)]
        except accounts.WeakPasswordError as error:
            form.new_password.errors = [str(error)]
        else:
            db.session.commit()
            login_user(current_user)  # the epoch changed: keep this session signed in
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
