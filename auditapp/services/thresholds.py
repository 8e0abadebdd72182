"""Unverified thresholds: which ones an inspection's question sets use, and the lead's
confirmation of each for the inspection. A grade that uses an unconfirmed one is provisional
(``domain.grading``); confirming regrades the inspection's cases of that set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from auditapp.domain.grading import unverified_thresholds
from auditapp.domain.question_sets import format_duration
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseType,
    Inspection,
    InspectionQuestionSet,
    QuestionSet,
    ThresholdConfirmation,
    User,
)
from auditapp.services.audit_log import record_event
from auditapp.services.question_sets import question_set_data_of


class ThresholdError(ValueError):
    """A threshold that is not an unverified threshold of the inspection's question sets."""


@dataclass(frozen=True)
class UnverifiedThreshold:
    """An unverified threshold of a set the inspection audits with, and whether it is confirmed."""

    question_set_id: int
    case_type: str
    version: int
    key: str
    words: str
    duration: timedelta
    confirmed_by: str | None
    confirmed_at: datetime | None

    @property
    def duration_text(self) -> str:
        """Return e.g. "28 days"."""
        return format_duration(self.duration)


def unverified_for(inspection: Inspection) -> list[UnverifiedThreshold]:
    """Every unverified threshold of the inspection's question sets (its choices and the sets
    its cases use), with its confirmation if any."""
    set_ids = set(
        db.session.scalars(
            select(InspectionQuestionSet.question_set_id).where(
                InspectionQuestionSet.inspection_id == inspection.id
            )
        )
    ) | set(
        db.session.scalars(
            select(Case.question_set_id)
            .where(Case.inspection_id == inspection.id, Case.question_set_id.is_not(None))
            .distinct()
        )
    )
    confirmed = {
        (row.question_set_id, row.threshold): (name, row.confirmed_at)
        for row, name in db.session.execute(
            select(ThresholdConfirmation, User.name)
            .outerjoin(User, User.id == ThresholdConfirmation.confirmed_by_id)
            .where(ThresholdConfirmation.inspection_id == inspection.id)
        )
    }
    sets = db.session.execute(
        select(QuestionSet.id, QuestionSet.version, CaseType.name)
        .join(CaseType, CaseType.id == QuestionSet.case_type_id)
        .where(QuestionSet.id.in_(set_ids))
        .order_by(CaseType.name, QuestionSet.version)
    ).all()
    found = []
    for set_id, version, name in sets:
        for key, words, duration in unverified_thresholds(question_set_data_of(set_id)):
            who, when = confirmed.get((set_id, key), (None, None))
            found.append(
                UnverifiedThreshold(set_id, name, version, key, words, duration, who, when)
            )
    return found


def confirmed_keys(inspection_id: int, question_set_id: int) -> frozenset[str]:
    """The thresholds of a set the lead confirmed for the inspection (no query when the set
    has no unverified threshold, as on most saves)."""
    if not unverified_thresholds(question_set_data_of(question_set_id)):
        return frozenset()
    return frozenset(
        db.session.scalars(
            select(ThresholdConfirmation.threshold).where(
                ThresholdConfirmation.inspection_id == inspection_id,
                ThresholdConfirmation.question_set_id == question_set_id,
            )
        )
    )


def confirm_threshold(
    inspection: Inspection, question_set_id: int, key: str, lead: User
) -> ThresholdConfirmation:
    """Confirm an unverified threshold for the inspection and regrade its cases of that set.

    Raises ThresholdError for a threshold that is not unverified in one of its sets, or is
    already confirmed.
    """
    from auditapp.services.grading import regrade_case

    known = {(t.question_set_id, t.key): t for t in unverified_for(inspection)}
    threshold = known.get((question_set_id, key))
    if threshold is None:
        raise ThresholdError(f"{key} is not an unverified threshold of this inspection's sets")
    if threshold.confirmed_at is not None:
        raise ThresholdError(f"{key} is already confirmed")
    row = ThresholdConfirmation(
        inspection_id=inspection.id,
        question_set_id=question_set_id,
        threshold=key,
        confirmed_by_id=lead.id,
    )
    db.session.add(row)
    record_event(
        "confirm_threshold",
        "inspection",
        user=lead,
        entity_id=inspection.id,
        inspection_id=inspection.id,
        field=key,
        new=f"{threshold.case_type} version {threshold.version}: {threshold.words}",
    )
    db.session.flush()
    for case in db.session.scalars(
        select(Case).where(
            Case.inspection_id == inspection.id, Case.question_set_id == question_set_id
        )
    ):
        regrade_case(case)
    db.session.flush()
    return row
