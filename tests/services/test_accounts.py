"""Account rules where the services enforce them (services/accounts.py, account_links.py):
each test fails if the service's check goes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from auditapp.extensions import db
from auditapp.models import AccountLink, AccountLinkPurpose, AuditEvent, GlobalRole, User, utcnow
from auditapp.services import account_links, accounts, api_tokens

HOUR = timedelta(hours=1)
GOOD = "quiet-harbour-violin-7"


def issue(user: User, by: User, purpose: AccountLinkPurpose = AccountLinkPurpose.INVITATION) -> str:
    _, token = account_links.issue_link(user, purpose, by=by, valid_for=HOUR)
    db.session.flush()
    return token


def actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_link_works_once(admin: User, auditor: User) -> None:
    token = issue(auditor, admin)
    user = account_links.set_password_with_link(token, GOOD)
    assert user.id == auditor.id and user.check_password(GOOD)
    with pytest.raises(account_links.AccountLinkError, match="already been used"):
        account_links.set_password_with_link(token, "another-fine-passphrase")
    assert user.check_password(GOOD)


def test_two_requests_with_one_link_cannot_both_succeed(
    admin: User, auditor: User, monkeypatch: Any
) -> None:
    token = issue(auditor, admin)
    stale = account_links.usable_link(token)  # both requests checked the link...
    db.session.execute(update(AccountLink).values(used_at=utcnow()))  # ...one used it first
    monkeypatch.setattr(account_links, "usable_link", lambda _token: stale)
    with pytest.raises(account_links.AccountLinkError, match="already been used"):
        account_links.set_password_with_link(token, GOOD)
    db.session.expire_all()
    user = db.session.get(User, auditor.id)
    assert user is not None and not user.check_password(GOOD)


def test_an_expired_link_is_refused(admin: User, auditor: User) -> None:
    _, token = account_links.issue_link(
        auditor, AccountLinkPurpose.INVITATION, by=admin, valid_for=-HOUR
    )
    with pytest.raises(account_links.AccountLinkError, match="expired"):
        account_links.set_password_with_link(token, GOOD)


def test_a_new_link_revokes_the_older_ones(admin: User, auditor: User) -> None:
    first = issue(auditor, admin)
    second = issue(auditor, admin, AccountLinkPurpose.PASSWORD_RESET)
    with pytest.raises(account_links.AccountLinkError, match="not valid"):
        account_links.usable_link(first)
    assert account_links.usable_link(second).purpose == AccountLinkPurpose.PASSWORD_RESET


def test_a_weak_password_leaves_the_link_unused(admin: User, auditor: User) -> None:
    token = issue(auditor, admin)
    with pytest.raises(accounts.WeakPasswordError):
        account_links.set_password_with_link(token, "auditor@example.test")
    assert account_links.usable_link(token).used_at is None


def test_no_link_for_a_deactivated_account(admin: User, auditor: User) -> None:
    token = issue(auditor, admin)
    accounts.deactivate_user(auditor, by=admin)
    with pytest.raises(account_links.AccountLinkError, match="not valid"):
        account_links.usable_link(token)
    with pytest.raises(accounts.AccountStateError):
        issue(auditor, admin)


def test_deactivation_revokes_tokens_links_and_sessions(admin: User, auditor: User) -> None:
    api_tokens.create_token(auditor, "reports")
    issue(auditor, admin)
    epoch = auditor.session_epoch
    accounts.deactivate_user(auditor, by=admin)
    assert not auditor.active and auditor.session_epoch == epoch + 1
    assert api_tokens.active_tokens(auditor) == []
    assert all(link.revoked_at for link in db.session.scalars(select(AccountLink)))
    assert "deactivate" in actions()


def test_nobody_deactivates_themselves_or_twice(admin: User, auditor: User) -> None:
    with pytest.raises(accounts.AccountStateError, match="your own account"):
        accounts.deactivate_user(admin, by=admin)
    accounts.deactivate_user(auditor, by=admin)
    with pytest.raises(accounts.AccountStateError, match="already deactivated"):
        accounts.deactivate_user(auditor, by=admin)
    accounts.reactivate_user(auditor, by=admin)
    with pytest.raises(accounts.AccountStateError, match="already active"):
        accounts.reactivate_user(auditor, by=admin)
    assert admin.active


def test_a_temporary_password_must_be_changed(admin: User, auditor: User) -> None:
    api_tokens.create_token(auditor, "reports")
    token = issue(auditor, admin)
    temporary = accounts.set_temporary_password(auditor, by=admin)
    assert auditor.must_change_password and auditor.check_password(temporary)
    assert len(temporary) == 19 and temporary.count("-") == 3
    assert api_tokens.active_tokens(auditor) == []
    with pytest.raises(account_links.AccountLinkError):
        account_links.usable_link(token)
    with pytest.raises(accounts.WeakPasswordError, match="different"):
        accounts.change_password(auditor, temporary, temporary)
    accounts.change_password(auditor, temporary, GOOD)
    assert not auditor.must_change_password


def test_temporary_passwords_differ_and_pass_the_policy() -> None:
    made = {accounts.temporary_password() for _ in range(50)}
    assert len(made) == 50
    assert all(accounts.password_problem(p) is None for p in made)
    assert not any(set(p) & set("01ilo") for p in made)


def test_a_name_is_required_and_trimmed(admin: User, auditor: User) -> None:
    with pytest.raises(accounts.InvalidNameError):
        accounts.change_name(auditor, "   ", by=admin)
    with pytest.raises(accounts.InvalidNameError):
        accounts.create_user("x@example.test", "", GlobalRole.USER)
    accounts.change_name(auditor, "  Sam \t Patel ", by=admin)
    assert auditor.name == "Sam Patel"
    accounts.change_name(auditor, "Sam Patel", by=admin)  # unchanged: not logged again
    assert actions().count("change_name") == 1


def test_an_invitation_account_has_no_known_password(admin: User) -> None:
    user = accounts.create_account("new@example.test", "New Person", GlobalRole.USER, by=admin)
    assert user.name == "New Person" and not user.must_change_password
    assert not user.check_password("")
    assert account_links.pending_invitation(user) is None
    issue(user, admin)
    assert account_links.pending_invitation(user) is not None
