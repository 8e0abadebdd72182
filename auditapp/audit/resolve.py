"""What every audit view needs: the request's audit round resolved (404/403), and a commit that
retries once after a concurrent change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from auditapp.extensions import db
from auditapp.services.audit.errors import RoundNotFound
from auditapp.services.audit.round import (
    AuditRound,
    BlindSecondAudit,
    FirstAudit,
    load_first_audit,
    load_second_audit,
)

T = TypeVar("T")
R = TypeVar("R", bound=AuditRound)


def _resolved(load: Callable[[int, Any], R], case_id: int) -> R:
    try:
        return load(case_id, current_user)
    except RoundNotFound:
        abort(404)
    except PermissionError:
        abort(403)


def first_audit(case_id: int) -> FirstAudit:
    """The case's first audit for the signed-in user (404 outside the inspection, 403 for an
    auditor the case is not assigned to)."""
    return _resolved(load_first_audit, case_id)


def second_audit(case_id: int) -> BlindSecondAudit:
    """The signed-in user's blind second audit of the case (404 if none, 403 if another's)."""
    return _resolved(load_second_audit, case_id)


def _committed(run: Callable[[bool], T], case_id: int) -> T:
    """Run a change and commit; after a concurrent commit (stale version), retry once.

    ``run`` is told whether it is the retry, which must read what the other writer committed.
    The retry re-runs the service's checks against the newly committed state, so it either
    saves (the other change touched something else) or raises (e.g. AnswerConflict).
    """
    for attempt in (1, 2):
        try:
            result = run(attempt == 2)
            db.session.commit()
            return result
        except (StaleDataError, IntegrityError):
            db.session.rollback()
            current_app.logger.info("case %s changed concurrently (attempt %s)", case_id, attempt)
            if attempt == 2:
                raise
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def commit_round_change(audit: R, operation: Callable[[R], T]) -> T:
    """Change the round and commit; the retry resolves the round again from the database."""
    # reloaded() resolves the same kind of round again: a FirstAudit's is a FirstAudit.
    return _committed(
        lambda retry: operation(cast(R, audit.reloaded()) if retry else audit), audit.case.id
    )
