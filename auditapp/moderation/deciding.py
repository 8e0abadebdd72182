"""What the moderation views share: refusing a lead, and committing a decision with its message.

Every decision (agree, change, return, ask for a second audit, reconcile an answer, resolve) runs
one service function and commits once; the refusals, races and messages around it live here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, flash, redirect, render_template
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from auditapp.extensions import db
from auditapp.models import Case
from auditapp.services import moderation
from auditapp.services.moderation import ModerationError, ModerationRefused

T = TypeVar("T")
ViewResult = str | Response | tuple[str, int]

STALE = (
    "Someone else changed this case while you were deciding. "
    "Nothing was saved: check the case again."
)


def refused(message: str) -> tuple[str, int]:
    """403 with the reason, for a lead who may not decide on this case."""
    return render_template("moderation/refused.html", message=message), 403


def refusal(case: Case, doing: str = "moderate it") -> tuple[str, int] | None:
    """The 403 page when the signed-in user may not decide on the case; None when they may."""
    try:
        moderation.check_may_moderate(case, current_user, doing)
    except ModerationRefused as error:
        return refused(str(error))
    return None


def commit_decision(
    case: Case,
    change: Callable[[], T],
    back: str,
    done: Callable[[T], str],
    *,
    log: str,
    conflict: str | None = None,
    problem: Callable[[str], ViewResult] | None = None,
) -> ViewResult:
    """Run the service and commit; then flash ``done(result)`` and go ``back``.

    Whatever goes wrong rolls the whole change back. A lost race with another lead is said on
    ``back``: a stale case (its version column makes the write fail at flush or commit), or,
    with ``conflict``, a row another lead wrote at the same moment (IntegrityError). A refusal
    is a 403; any other ModerationError is flashed on ``back``, or shown by ``problem``.
    """
    try:
        result = change()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        current_app.logger.info("moderation conflict on case %s", case.id)
        flash(STALE, "error")
        return redirect(back)
    except IntegrityError:
        if conflict is None:
            raise
        db.session.rollback()
        flash(conflict, "error")
        return redirect(back)
    except ModerationRefused as error:
        db.session.rollback()
        return refused(str(error))
    except ModerationError as error:
        db.session.rollback()
        if problem is not None:
            return problem(str(error))
        flash(str(error), "error")
        return redirect(back)
    current_app.logger.info("case %s: %s", case.id, log)
    flash(done(result), "success")
    return redirect(back)
