"""The administrators' list of accounts: search, filters and one page at a time."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select

from auditapp.extensions import db
from auditapp.models import AccountLink, AccountLinkPurpose, GlobalRole, User, utcnow

MAX_SEARCH_LENGTH = 100
ROLE_FILTERS = {
    "": "All roles",
    GlobalRole.ADMIN.value: "Administrators",
    GlobalRole.USER.value: "Users",
}
STATUS_FILTERS = {
    "": "Any status",
    "active": "Active",
    "deactivated": "Deactivated",
    "locked": "Locked after failed sign-ins",
    "invited": "Invited, not signed in yet",
}


@dataclass(frozen=True)
class AccountFilters:
    """What the list shows: a search of names and emails, a role and a status ("" for all)."""

    search: str = ""
    role: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AccountFilters:
        """Filters from a query string; unknown values mean "all"."""
        role = args.get("role", "")
        status = args.get("status", "")
        return cls(
            search=" ".join(args.get("q", "").split())[:MAX_SEARCH_LENGTH],
            role=role if role in ROLE_FILTERS else "",
            status=status if status in STATUS_FILTERS else "",
        )

    @property
    def active(self) -> bool:
        """True when any filter narrows the list."""
        return bool(self.search or self.role or self.status)


def _pending_invitations() -> Select[Any]:
    return select(AccountLink.user_id).where(
        AccountLink.purpose == AccountLinkPurpose.INVITATION,
        AccountLink.used_at.is_(None),
        AccountLink.revoked_at.is_(None),
        AccountLink.expires_at > utcnow(),
    )


def list_accounts(
    filters: AccountFilters, locked_emails: Collection[str], *, page: int, per_page: int
) -> Pagination:
    """One page of accounts matching the filters, by name then email.

    `locked_emails`: the emails locked after failed sign-ins now (services/sign_in_throttle).
    A page past the end shows the last page.
    """
    query = select(User)
    if filters.search:
        pattern = filters.search.lower()
        query = query.where(
            or_(
                func.lower(User.name).contains(pattern, autoescape=True),
                func.lower(User.email).contains(pattern, autoescape=True),
            )
        )
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.status == "active":
        query = query.where(User.active.is_(True))
    elif filters.status == "deactivated":
        query = query.where(User.active.is_(False))
    elif filters.status == "locked":
        query = query.where(func.lower(User.email).in_(sorted(locked_emails)))
    elif filters.status == "invited":
        query = query.where(User.last_login_at.is_(None), User.id.in_(_pending_invitations()))
    query = query.order_by(func.lower(User.name), User.email)
    listing = db.paginate(
        query, page=max(page, 1), per_page=per_page, max_per_page=per_page, error_out=False
    )
    if listing.pages and listing.page > listing.pages:
        listing = db.paginate(
            query, page=listing.pages, per_page=per_page, max_per_page=per_page, error_out=False
        )
    return listing


def invited_user_ids(user_ids: Collection[int]) -> set[int]:
    """Which of these users have an invitation waiting to be used."""
    if not user_ids:
        return set()
    return set(
        db.session.scalars(_pending_invitations().where(AccountLink.user_id.in_(list(user_ids))))
    )
