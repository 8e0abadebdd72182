"""Second-factor pages: set-up with a QR code, the sign-in code step, recovery codes, enforcement.

Sign-in with a second factor: the password check (routes.login) calls `second_factor_step`,
which keeps only "who, and where to go next" in the session, with no user signed in, and
sends the browser to the code step; a right code signs the user in there. A user who must
have a second factor and has none is signed in, marked, and can only reach the set-up page
(and sign out) until it is done.
"""

from __future__ import annotations

import time
from typing import Any

import segno
from flask import Response as PageResponse
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from auditapp.auth import bp, devices
from auditapp.auth.loader import load_user
from auditapp.auth.second_factor_forms import (
    ConfirmSecondFactorForm,
    RegenerateRecoveryCodesForm,
    SecondFactorCodeForm,
)
from auditapp.extensions import client_address, db, limiter
from auditapp.models import User
from auditapp.services import second_factor
from auditapp.services.second_factor_key import SecondFactorKeyError

PENDING_KEY = "second_factor_pending"  # {"user": "id:epoch", "next": url, "since": seconds}
ENROLMENT_DUE_KEY = "second_factor_due"  # the page to open once the set-up is done
# What a user who must set up a second factor may still open.
_OPEN_WHILE_DUE = frozenset(
    {
        "auth.set_up_second_factor",
        "auth.show_second_factor",
        "auth.logout",
        "static",
        "main.healthz",
    }
)
TOO_MANY_CODES = "Too many wrong codes. For your security, wait {minutes} minutes, then try again."
WRONG_CODE = "Enter a correct code: codes from your app can be used only once"


KEY_ERROR_MESSAGE = (
    "The service cannot check codes from authenticator apps just now: its key for two-step "
    "verification is missing or wrong. Nothing was changed. If you are signing in, you can "
    "use one of your recovery codes instead. Tell your administrator."
)


@bp.app_errorhandler(SecondFactorKeyError)
def _second_factor_key_error(error: SecondFactorKeyError) -> tuple[str, int]:
    """A missing or wrong SECOND_FACTOR_KEY: a page saying so (503), never a crash."""
    db.session.rollback()
    current_app.logger.error("two-step verification unavailable on %s: %s", request.path, error)
    page = render_template(
        "errors/error.html",
        code=503,
        title="Two-step verification is not working",
        message=KEY_ERROR_MESSAGE,
    )
    return page, 503


# --- called by the sign-in view -------------------------------------------------------------


def second_factor_step(user: User, next_url: str) -> Response | None:
    """After the right password: the redirect to the code step, or None to sign in now.

    None when the user has no second factor, or this device is remembered for them.
    """
    factor = second_factor.confirmed_factor_of(user)
    if factor is None or devices.is_remembered(user, factor):
        return None
    session.clear()  # nobody is signed in until the code is right
    session[PENDING_KEY] = {"user": user.get_id(), "next": next_url, "since": int(time.time())}
    return redirect(url_for("auth.verify_second_factor"))


def require_enrolment_if_due(user: User, next_url: str) -> None:
    """Just signed in: mark the session if this user must set up a second factor first."""
    rule = str(current_app.config["MFA_REQUIRED_FOR"])
    if second_factor.is_required(user, rule) and second_factor.confirmed_factor_of(user) is None:
        session[ENROLMENT_DUE_KEY] = next_url


@bp.before_app_request
def _send_to_enrolment_when_due() -> ResponseReturnValue | None:
    """A signed-in user who must set up a second factor reaches nothing else until done."""
    if ENROLMENT_DUE_KEY not in session or request.endpoint in _OPEN_WHILE_DUE:
        return None
    if not current_user.is_authenticated:
        session.pop(ENROLMENT_DUE_KEY, None)
        return None
    return redirect(url_for("auth.set_up_second_factor"))


def _pending_user() -> tuple[User, str] | None:
    """The user between password and code, and where they go next; None when expired."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    minutes = int(current_app.config["MFA_PENDING_MINUTES"])
    if time.time() - float(pending.get("since", 0)) > minutes * 60:
        session.pop(PENDING_KEY, None)
        return None
    user = load_user(str(pending.get("user", "")))
    if user is None:
        return None
    return user, str(pending.get("next") or url_for("main.index"))


def _sign_in(user: User) -> None:
    """The second step passed: a fresh session, signed in (as the password-only sign-in does)."""
    session.clear()
    login_user(user)
    session.permanent = True


# --- the code step's rate limits (Flask-Limiter; MFA_CODE_LIMIT in config.py) ----------------


def _code_limit() -> str:
    return str(current_app.config["MFA_CODE_LIMIT"])


def _address_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])


def _pending_account_key() -> str:
    pending = session.get(PENDING_KEY)
    user = pending.get("user") if isinstance(pending, dict) else None
    return f"second-factor:{str(user).partition(':')[0]}" if user else client_address()


def _wrong_code(response: Response) -> bool:
    return response.status_code != 302


def _too_many_codes(limit: RequestLimit | None = None) -> PageResponse:
    form = SecondFactorCodeForm()
    minutes = int(current_app.config["LOCKOUT_MINUTES"])
    form.code.errors = [TOO_MANY_CODES.format(minutes=minutes)]
    page = render_template("auth/verify_second_factor.html", form=form, remember_days=0)
    return PageResponse(page, status=429, headers={"Retry-After": str(minutes * 60)})


@bp.route("/second-factor/code", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_wrong_code, on_breach=_too_many_codes)
@limiter.limit(
    _code_limit,
    key_func=_pending_account_key,
    methods=["POST"],
    deduct_when=_wrong_code,
    on_breach=_too_many_codes,
)
def verify_second_factor() -> str | Response:
    """The sign-in's second step: a code from the app, or a recovery code (once each)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    pending = _pending_user()
    if pending is None:
        session.pop(PENDING_KEY, None)
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.login"))
    user, next_url = pending
    form = SecondFactorCodeForm()
    remember_days = int(current_app.config["MFA_REMEMBER_DAYS"])
    if form.validate_on_submit():
        method = second_factor.check_sign_in_code(user, form.code.data or "")
        if method is None:
            db.session.commit()  # keep the failure in the audit log
            form.code.errors = [WRONG_CODE]
        else:
            factor = second_factor.confirmed_factor_of(user)
            _sign_in(user)
            db.session.commit()
            response = redirect(next_url)
            if form.remember.data and factor is not None:
                devices.remember_device(response, user, factor)
            if method is second_factor.CodeMethod.RECOVERY_CODE and factor is not None:
                left = second_factor.unused_recovery_codes(factor)
                flash(f"You used a recovery code. You have {left} left.", "info")
            return response
    return render_template("auth/verify_second_factor.html", form=form, remember_days=remember_days)


# --- set-up and recovery codes ---------------------------------------------------------------


def qr_code_svg(uri: str) -> Markup:
    """The otpauth address as inline SVG markup (no inline style, so the CSP allows it)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff", svgclass="app-qr-code", title=None
    )
    labelled = svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code for your authenticator app" focusable="false" ',
        1,
    )
    return Markup(labelled)  # noqa: S704 - segno's own markup; the URI is encoded as modules


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@bp.route("/second-factor/set-up", methods=["GET", "POST"])
@login_required
def set_up_second_factor() -> str | Response:
    """Set up an authenticator app: QR code and key, confirmed with a first code."""
    if second_factor.confirmed_factor_of(current_user) is not None:
        return redirect(url_for("auth.show_second_factor"))
    if request.method == "GET":
        factor = second_factor.start_enrolment(current_user)  # the key shown stays until used
        db.session.commit()
    else:
        found = second_factor.factor_of(current_user)
        if found is None:  # a confirmation without a page that showed a key
            return redirect(url_for("auth.set_up_second_factor"))
        factor = found
    form = ConfirmSecondFactorForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(current_user, form.code.data or "")
        except second_factor.WrongCodeError as error:
            form.code.errors = [str(error)]
        else:
            db.session.commit()
            next_url = session.pop(ENROLMENT_DUE_KEY, None) or url_for("main.index")
            return _recovery_codes_page(codes, next_url, just_enrolled=True)
    uri = second_factor.provisioning_uri(factor, current_user, current_app.config["SERVICE_NAME"])
    return render_template(
        "auth/set_up_second_factor.html",
        form=form,
        qr_code=qr_code_svg(uri),
        secret=_grouped(second_factor.secret_of(factor)),
        due=ENROLMENT_DUE_KEY in session,
    )


def _recovery_codes_page(codes: list[str], next_url: str, *, just_enrolled: bool) -> PageResponse:
    """The new recovery codes, shown this once (the page is never cached: security.py)."""
    page = render_template(
        "auth/show_recovery_codes.html",
        codes=codes,
        next_url=next_url,
        just_enrolled=just_enrolled,
    )
    return PageResponse(page)


@bp.get("/second-factor")
@login_required
def show_second_factor() -> str | Response:
    """Whether two-step verification is on, recovery codes left, and new recovery codes."""
    factor = second_factor.confirmed_factor_of(current_user)
    if factor is None:
        return redirect(url_for("auth.set_up_second_factor"))
    return render_template(
        "auth/show_second_factor.html",
        form=RegenerateRecoveryCodesForm(),
        codes_left=second_factor.unused_recovery_codes(factor),
        confirmed_at=factor.confirmed_at,
    )


@bp.post("/second-factor/recovery-codes")
@login_required
def regenerate_recovery_codes() -> Any:
    """Replace the recovery codes and show the new ones once."""
    form = RegenerateRecoveryCodesForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.show_second_factor"))
    try:
        codes = second_factor.regenerate_recovery_codes(current_user)
    except second_factor.SecondFactorError:
        return redirect(url_for("auth.set_up_second_factor"))
    db.session.commit()
    return _recovery_codes_page(codes, url_for("auth.show_second_factor"), just_enrolled=False)
