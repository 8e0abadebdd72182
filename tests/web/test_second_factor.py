"""Second factor (TOTP): set-up, the sign-in code step, recovery codes, remembered devices,
the admin's reset and who must have one."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, text

from auditapp import create_app
from auditapp.extensions import db
from auditapp.models import AuditEvent, RecoveryCode, SecondFactor, User, utcnow
from auditapp.services import second_factor
from auditapp.services.second_factor_key import SecondFactorKeyError
from config import TestConfig
from tests import factories
from tests.conftest import AppClient

CODE_STEP = "/auth/second-factor/code"
SET_UP = "/auth/second-factor/set-up"
SECRET_RE = re.compile(r'id="secret-key"><code>([A-Z2-7 ]+)</code>')
RECOVERY_RE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def enrol(user: User) -> tuple[str, list[str]]:
    """Set up a second factor through the service, confirmed with a code from two minutes ago
    (so the current code is still unused); returns the secret and the recovery codes."""
    factor = second_factor.start_enrolment(user)
    earlier = utcnow() - timedelta(minutes=2)
    code = pyotp.TOTP(second_factor.secret_of(factor)).at(earlier)
    codes = second_factor.confirm_enrolment(user, code, now=earlier)
    db.session.commit()
    return second_factor.secret_of(factor), codes


def wrong_code(secret: str) -> str:
    """A 6-digit code that none of the accepted time steps produce."""
    totp = pyotp.TOTP(secret)
    now = utcnow()
    accepted = {totp.at(now + timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(c for c in ("123456", "654321", "111111") if c not in accepted)


def sign_in_with_password(client: AppClient, user: User, next_path: str = "") -> Any:
    client.refresh_csrf("/auth/login")
    query = f"?next={next_path}" if next_path else ""
    return client.post_form(
        f"/auth/login{query}", {"email": user.email, "password": factories.PASSWORD}
    )


def enter_code(client: AppClient, code: str, remember: bool = False) -> Any:
    data = {"code": code, **({"remember": "y"} if remember else {})}
    return client.post_form(CODE_STEP, data)


def sign_out(client: AppClient) -> None:
    client.refresh_csrf("/auth/password")
    assert client.post_form("/auth/logout").status_code == 302


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def enforced(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Admins and leads must have a second factor (the production default)."""
    monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR", "admins_and_leads")


# --- set-up -----------------------------------------------------------------------------------


def test_set_up_shows_qr_code_and_key_and_turns_on_only_after_a_right_code(
    login_as: Any, auditor: User
) -> None:
    c = login_as(auditor)
    page = c.get(SET_UP).get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # CSP: no inline style
    secret = SECRET_RE.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]  # the set-up page shows the key
    shown = second_factor.factor_of(auditor)
    assert shown is not None and second_factor.secret_of(shown) == secret

    c.refresh_csrf(SET_UP)
    refused = c.post_form(SET_UP, {"code": wrong_code(secret)})
    assert refused.status_code == 200
    assert "Enter the 6-digit code your authenticator app shows now" in refused.get_data(
        as_text=True
    )
    assert second_factor.confirmed_factor_of(auditor) is None

    done = c.post_form(SET_UP, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "Two-step verification is on" in text
    codes = RECOVERY_RE.findall(text)
    assert len(codes) == 10
    factor = second_factor.confirmed_factor_of(auditor)
    assert factor is not None
    stored = {row.code_hash for row in factor.recovery_codes}
    assert len(stored) == 10 and not stored & set(codes)  # only hashes are kept
    assert [e.entity_id for e in events("second_factor_enrolled")] == [str(auditor.id)]
    # Shown once: the set-up page now leads to the management page, which shows no codes.
    manage = c.get(SET_UP, follow_redirects=True).get_data(as_text=True)
    assert "Recovery codes left" in manage and codes[0] not in manage


def test_set_up_keeps_the_same_key_until_confirmed(login_as: Any, auditor: User) -> None:
    c = login_as(auditor)
    first = SECRET_RE.search(c.get(SET_UP).get_data(as_text=True)).group(1)  # type: ignore[union-attr]  # the page shows the key
    again = SECRET_RE.search(c.get(SET_UP).get_data(as_text=True)).group(1)  # type: ignore[union-attr]  # the page shows the key
    assert first == again


def test_set_up_needs_a_signed_in_user(client: AppClient) -> None:
    response = client.get(SET_UP)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- sign-in ----------------------------------------------------------------------------------


def test_sign_in_asks_for_a_code_and_the_half_signed_in_session_opens_nothing(
    client: AppClient, auditor: User, inspection: Any
) -> None:
    secret, _ = enrol(auditor)
    response = sign_in_with_password(client, auditor, f"/inspections/{inspection.id}")
    assert response.status_code == 302 and response.headers["Location"] == CODE_STEP
    for path in ("/", f"/inspections/{inspection.id}", "/auth/password", SET_UP, "/admin/"):
        opened = client.get(path)
        assert opened.status_code == 302, path
        assert "/auth/login" in opened.headers["Location"], path
    assert "Enter your security code" in client.get(CODE_STEP).get_data(as_text=True)

    client.refresh_csrf(CODE_STEP)
    signed_in = enter_code(client, pyotp.TOTP(secret).now())
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == f"/inspections/{inspection.id}"
    assert client.get(f"/inspections/{inspection.id}").status_code == 200


def test_code_step_without_a_password_first_sends_to_sign_in(client: AppClient) -> None:
    response = client.get(CODE_STEP)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")


def test_sign_in_with_a_recovery_code_works_once_only(client: AppClient, auditor: User) -> None:
    _, codes = enrol(auditor)
    sign_in_with_password(client, auditor)
    client.refresh_csrf(CODE_STEP)
    response = enter_code(client, codes[3].upper().replace("-", " "))  # typed loosely
    assert response.status_code == 302
    assert "You used a recovery code. You have 9 left." in client.get("/").get_data(as_text=True)
    assert [e.entity_id for e in events("recovery_code_used")] == [str(auditor.id)]
    sign_out(client)

    sign_in_with_password(client, auditor)
    client.refresh_csrf(CODE_STEP)
    again = enter_code(client, codes[3])
    assert again.status_code == 200
    assert "Enter a correct code" in again.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    used = db.session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None)))
    assert len(list(used)) == 1


def test_wrong_code_is_refused_logged_and_rate_limited(client: AppClient, auditor: User) -> None:
    secret, _ = enrol(auditor)
    sign_in_with_password(client, auditor)
    client.refresh_csrf(CODE_STEP)
    for _ in range(5):
        response = enter_code(client, wrong_code(secret))
        assert response.status_code == 200
        assert "Enter a correct code" in response.get_data(as_text=True)
    assert len(events("second_factor_failed")) == 5
    limited = enter_code(client, pyotp.TOTP(secret).now())  # even the right one, now
    assert limited.status_code == 429
    assert "Too many wrong codes" in limited.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_code_is_not_accepted_twice(client: AppClient, auditor: User) -> None:
    secret, _ = enrol(auditor)
    code = pyotp.TOTP(secret).now()
    sign_in_with_password(client, auditor)
    client.refresh_csrf(CODE_STEP)
    assert enter_code(client, code).status_code == 302
    sign_out(client)

    sign_in_with_password(client, auditor)
    client.refresh_csrf(CODE_STEP)
    replayed = enter_code(client, code)
    assert replayed.status_code == 200
    assert "codes from your app can be used only once" in replayed.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_service_refuses_a_used_time_step_and_an_earlier_one(auditor: User) -> None:
    secret, _ = enrol(auditor)
    factor = second_factor.confirmed_factor_of(auditor)
    assert factor is not None
    now = utcnow()
    totp = pyotp.TOTP(secret)
    assert second_factor.accept_code(factor, totp.at(now), now)
    assert not second_factor.accept_code(factor, totp.at(now), now)
    assert not second_factor.accept_code(factor, totp.at(now - timedelta(seconds=30)), now)
    assert not second_factor.accept_code(factor, totp.at(now - timedelta(minutes=5)), now)


# --- remembered devices -----------------------------------------------------------------------


def test_a_remembered_device_skips_the_code_until_the_factor_is_reset(
    client: AppClient, auditor: User, admin: User, login_as: Any
) -> None:
    secret, _ = enrol(auditor)
    sign_in_with_password(client, auditor)
    client.refresh_csrf(CODE_STEP)
    response = enter_code(client, pyotp.TOTP(secret).now(), remember=True)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if "auditapp_device=" in h)
    assert "HttpOnly" in cookie and "Path=/auth" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=2592000" in cookie  # 30 days
    sign_out(client)

    again = sign_in_with_password(client, auditor)
    assert again.status_code == 302 and again.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    sign_out(client)

    # The admin's reset and a new set-up forget the device: a new secret.
    admin_client = login_as(admin)
    admin_client.post_form(f"/admin/users/{auditor.id}/second-factor/reset")
    enrol(auditor)
    after_reset = sign_in_with_password(client, auditor)
    assert after_reset.headers["Location"] == CODE_STEP


def test_a_remembered_device_is_for_that_user_only(
    client: AppClient, auditor: User, second_auditor: User
) -> None:
    secret, _ = enrol(auditor)
    enrol(second_auditor)
    sign_in_with_password(client, auditor)
    client.refresh_csrf(CODE_STEP)
    enter_code(client, pyotp.TOTP(secret).now(), remember=True)
    sign_out(client)
    other = sign_in_with_password(client, second_auditor)
    assert other.headers["Location"] == CODE_STEP


def test_a_forged_device_cookie_is_ignored(client: AppClient, auditor: User) -> None:
    enrol(auditor)
    forged = URLSafeTimedSerializer("not-the-key", salt="auditapp-second-factor-device")
    value = forged.dumps({"user": auditor.id, "binding": "0" * 32})
    client.set_cookie("auditapp_device", value, path="/auth")
    response = sign_in_with_password(client, auditor)
    assert response.headers["Location"] == CODE_STEP


def test_device_cookie_is_secure_when_session_cookies_are(
    app: Flask, client: AppClient, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret, _ = enrol(auditor)
    sign_in_with_password(client, auditor)
    client.refresh_csrf(CODE_STEP)
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = enter_code(client, pyotp.TOTP(secret).now(), remember=True)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if "auditapp_device=" in h)
    assert "Secure" in cookie


# --- recovery codes and the admin's reset -----------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(login_as: Any, auditor: User) -> None:
    c = login_as(auditor)
    _, old_codes = enrol(auditor)
    c.refresh_csrf("/auth/second-factor")
    response = c.post_form("/auth/second-factor/recovery-codes")
    new_codes = RECOVERY_RE.findall(response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    factor = second_factor.confirmed_factor_of(auditor)
    assert factor is not None
    assert not second_factor.use_recovery_code(factor, old_codes[0])
    assert second_factor.use_recovery_code(factor, new_codes[0])
    assert len(events("recovery_codes_regenerated")) == 1


def test_admin_resets_a_second_factor_and_it_is_logged(
    login_as: Any, admin: User, auditor: User
) -> None:
    c = login_as(admin)
    enrol(auditor)
    page = c.get(f"/admin/users/{auditor.id}").get_data(as_text=True)
    assert f'action="/admin/users/{auditor.id}/second-factor/reset"' in page
    assert c.post(f"/admin/users/{auditor.id}/second-factor/reset").status_code == 400  # CSRF

    response = c.post_form(f"/admin/users/{auditor.id}/second-factor/reset")
    assert response.status_code == 302
    assert "Two-step verification was reset for auditor@example.test" in c.get(
        f"/admin/users/{auditor.id}"
    ).get_data(as_text=True)
    assert second_factor.factor_of(auditor) is None
    assert db.session.scalars(select(RecoveryCode)).all() == []
    (event,) = events("second_factor_reset")
    assert (event.user_id, event.entity_id) == (admin.id, str(auditor.id))


def test_only_admins_may_reset_a_second_factor(login_as: Any, lead: User, auditor: User) -> None:
    c = login_as(lead)
    enrol(auditor)
    response = c.post_form(f"/admin/users/{auditor.id}/second-factor/reset")
    assert response.status_code == 403
    assert second_factor.confirmed_factor_of(auditor) is not None


def test_a_reset_signs_the_user_out_everywhere(login_as: Any, admin: User, lead: User) -> None:
    lost_device = login_as(lead)
    enrol(lead)
    assert lost_device.get("/").status_code == 200
    second_factor.reset_second_factor(lead, by=admin)
    db.session.commit()
    response = lost_device.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_user_must_set_up_again_after_a_reset(
    enforced: None, client: AppClient, admin: User, lead: User, login_as: Any
) -> None:
    enrol(lead)
    second_factor.reset_second_factor(lead, by=admin)
    db.session.commit()
    response = sign_in_with_password(client, lead)
    assert response.status_code == 302  # no code step: nothing to check
    assert client.get("/").headers["Location"] == SET_UP


# --- who must have one ------------------------------------------------------------------------


@pytest.mark.usefixtures("enforced")
@pytest.mark.parametrize("who", ["admin", "lead"])
def test_admins_and_leads_reach_nothing_until_they_set_up(
    request: pytest.FixtureRequest, client: AppClient, inspection: Any, who: str
) -> None:
    user: User = request.getfixturevalue(who)
    sign_in_with_password(client, user, f"/inspections/{inspection.id}")
    for path in ("/", f"/inspections/{inspection.id}", "/admin/", "/auth/password"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == SET_UP, path
    page = client.get(SET_UP).get_data(as_text=True)
    assert "Your account needs two-step verification" in page
    secret = SECRET_RE.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]  # the set-up page shows the key
    client.refresh_csrf(SET_UP)
    done = client.post_form(SET_UP, {"code": pyotp.TOTP(secret).now()})
    assert f'href="/inspections/{inspection.id}"' in done.get_data(as_text=True)
    assert client.get(f"/inspections/{inspection.id}").status_code == 200
    assert client.post_form("/auth/logout").status_code == 302  # sign-out always works


@pytest.mark.usefixtures("enforced")
def test_auditors_are_not_made_to_set_up_by_default(client: AppClient, auditor: User) -> None:
    sign_in_with_password(client, auditor)
    assert client.get("/").status_code == 200


def test_everyone_must_set_up_when_configured(
    app: Flask, client: AppClient, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MFA_REQUIRED_FOR", "everyone")
    sign_in_with_password(client, auditor)
    assert client.get("/").headers["Location"] == SET_UP


def test_nobody_is_made_to_set_up_in_the_test_configuration(client: AppClient, admin: User) -> None:
    sign_in_with_password(client, admin)
    assert client.get("/admin/").status_code == 200


def test_who_must_have_a_second_factor(
    admin: User, lead: User, auditor: User, observer: User
) -> None:
    rule = second_factor.RequiredFor.ADMINS_AND_LEADS
    assert [second_factor.is_required(u, rule) for u in (admin, lead, auditor, observer)] == [
        True,
        True,
        False,
        False,
    ]
    assert second_factor.is_required(auditor, second_factor.RequiredFor.EVERYONE)
    assert not second_factor.is_required(admin, second_factor.RequiredFor.NOBODY)
    assert db.session.scalar(select(SecondFactor)) is None


def test_a_sign_in_waiting_for_its_code_expires(
    app: Flask, client: AppClient, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret, _ = enrol(auditor)
    monkeypatch.setitem(app.config, "MFA_PENDING_MINUTES", 0)
    sign_in_with_password(client, auditor)
    client.refresh_csrf("/auth/login")
    time.sleep(1.1)
    response = enter_code(client, pyotp.TOTP(secret).now())
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert client.get("/").status_code == 302


# --- the secret encrypted at rest (SECOND_FACTOR_KEY) --------------------------------------------


def stored_secret(user: User) -> str:
    """The second_factor row's secret column as the database holds it."""
    return str(
        db.session.execute(
            text("SELECT encrypted_secret FROM second_factor WHERE user_id = :id"), {"id": user.id}
        ).scalar_one()
    )


def sign_in_with_code(client: AppClient, user: User, code: str, remember: bool = False) -> Any:
    assert sign_in_with_password(client, user).headers["Location"] == CODE_STEP
    client.refresh_csrf(CODE_STEP)
    return enter_code(client, code, remember=remember)


def test_the_secret_is_stored_encrypted_and_codes_still_verify(
    app: Flask, client: AppClient, auditor: User
) -> None:
    secret, _ = enrol(auditor)
    stored = stored_secret(auditor)
    assert secret not in stored and secret.lower() not in stored.lower()
    assert Fernet(app.config["SECOND_FACTOR_KEY"]).decrypt(stored.encode()).decode() == secret
    assert sign_in_with_code(client, auditor, pyotp.TOTP(secret).now()).status_code == 302
    assert client.get("/").status_code == 200


def test_a_new_key_reads_old_secrets_through_the_fallbacks_until_rotated(
    app: Flask, client: AppClient, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret, _ = enrol(auditor)
    totp = pyotp.TOTP(secret)
    now = utcnow()
    signed_in = sign_in_with_code(client, auditor, totp.at(now - timedelta(seconds=30)), True)
    assert signed_in.status_code == 302  # and this device is remembered
    sign_out(client)
    old_key, new_key = app.config["SECOND_FACTOR_KEY"], Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "SECOND_FACTOR_KEY", new_key)
    monkeypatch.setitem(app.config, "SECOND_FACTOR_KEY_FALLBACKS", [old_key])
    other = app.test_client()
    assert sign_in_with_code(other, auditor, totp.at(now)).status_code == 302

    result = app.test_cli_runner().invoke(args=["second-factor", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 second-factor secret(s)" in result.output
    assert [e.new_value for e in events("second_factor_key_rotated")] == ["1"]
    db.session.expire_all()
    assert Fernet(new_key).decrypt(stored_secret(auditor).encode()).decode() == secret
    monkeypatch.setitem(app.config, "SECOND_FACTOR_KEY_FALLBACKS", [])
    later = app.test_client()
    assert (
        sign_in_with_code(later, auditor, totp.at(now + timedelta(seconds=30))).status_code == 302
    )
    # The secret did not change, so the device remembered under the old key still is.
    assert sign_in_with_password(client, auditor).headers["Location"] == "/"


def test_a_wrong_key_gives_a_clear_page_not_a_server_error_and_recovery_codes_still_work(
    app: Flask, client: AppClient, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret, codes = enrol(auditor)
    monkeypatch.setitem(app.config, "SECOND_FACTOR_KEY", Fernet.generate_key().decode())
    refused = sign_in_with_code(client, auditor, pyotp.TOTP(secret).now())
    assert refused.status_code == 503
    page = refused.get_data(as_text=True)
    assert "Two-step verification is not working" in page
    assert "use one of your recovery codes instead" in page
    assert client.get("/").status_code == 302  # not signed in
    client.refresh_csrf(CODE_STEP)
    assert enter_code(client, codes[0]).status_code == 302
    assert client.get("/").status_code == 200
    # Nor does the rotation command write anything it cannot read.
    result = app.test_cli_runner().invoke(args=["second-factor", "rotate-key"])
    assert result.exit_code != 0 and "cannot be decrypted" in result.output


def test_set_up_with_a_wrong_key_gives_the_same_clear_page(
    app: Flask, login_as: Any, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = login_as(auditor)
    assert c.get(SET_UP).status_code == 200  # a secret made with the right key, not confirmed
    monkeypatch.setitem(app.config, "SECOND_FACTOR_KEY", Fernet.generate_key().decode())
    response = c.get(SET_UP)
    assert response.status_code == 503
    assert "Two-step verification is not working" in response.get_data(as_text=True)


def test_without_a_key_set_up_says_so_rather_than_storing_a_secret_in_clear(
    app: Flask, login_as: Any, auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Production refuses to start without the key; a configuration without one (the base
    Config, as the benchmarks use) still never stores a secret in clear."""
    c = login_as(auditor)
    monkeypatch.setitem(app.config, "SECOND_FACTOR_KEY", None)
    response = c.get(SET_UP)
    assert response.status_code == 503
    assert "Two-step verification is not working" in response.get_data(as_text=True)
    assert db.session.scalar(select(SecondFactor)) is None


def test_a_malformed_key_stops_the_app_from_starting() -> None:
    class _Config(TestConfig):
        SECOND_FACTOR_KEY = "not-a-fernet-key"

    with pytest.raises(SecondFactorKeyError, match="must be a Fernet key") as raised:
        create_app(_Config)
    assert "not-a-fernet-key" not in str(raised.value)
