"""The "My cases" list: each audit assigned to a user, with its progress and grade so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from auditapp.domain.grades import grade_tag
from auditapp.domain.grading import CaseGrade
from auditapp.domain.statuses import CaseStatus, SecondAuditStatus
from auditapp.extensions import db
from auditapp.models import Case, CaseType, Inspection, SecondAudit, User
from auditapp.permissions import in_member_inspections
from auditapp.services.audit.loading import Progress, grade_round, progress_of
from auditapp.services.audit.queries import values_by_case
from auditapp.services.audit.round import (
    FIRST_ROUND,
    SECOND_ROUND,
    AuditRound,
    BlindSecondAudit,
    FirstAudit,
)
from auditapp.services.question_sets import question_set_data_of


@dataclass(frozen=True)
class MyCase:
    """One row of "My cases": a first audit or a blind second audit assigned to the user."""

    round: AuditRound
    inspection: Inspection
    case_type_name: str
    progress: Progress
    grade: CaseGrade | None

    @property
    def case(self) -> Case:
        """The case audited."""
        return self.round.case

    @property
    def returned(self) -> bool:
        """Returned by a lead for more work (a draft with the lead's comment)."""
        return bool(self.round.returned_comment)

    @property
    def progress_text(self) -> str:
        """e.g. "Answered 9 of 12 required questions"; what to wait for without a question set."""
        if self.case.question_set_id is None:
            return "No question set yet"
        return self.progress.text

    @property
    def status_tag(self) -> dict[str, str]:
        """govukTag parameters for where the audit is."""
        return self.round.status_tag(self.progress.answered)

    @property
    def grade_tag(self) -> dict[str, str]:
        """govukTag parameters for the grade so far."""
        value = self.round.settled_grade
        provisional = False
        if value is None:
            value = str(self.grade.grade) if self.grade and self.grade.grade else None
            provisional = bool(self.grade and self.grade.provisional)
        return grade_tag(value, provisional=provisional)


def _assigned(user: User, inspection_id: int | None) -> Any:
    query = (
        select(Case, Inspection, CaseType.name.label("case_type_name"))
        .join(Inspection, Inspection.id == Case.inspection_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(in_member_inspections(user.id))
        .order_by(Inspection.id, Case.reference)
    )
    if inspection_id is not None:
        query = query.where(Case.inspection_id == inspection_id)
    return query


def _row(audit: AuditRound, found: Any, values: dict[str, str | None]) -> MyCase:
    if audit.case.question_set_id is None:
        return MyCase(audit, found["Inspection"], found["case_type_name"], Progress(0, 0), None)
    qs = question_set_data_of(audit.case.question_set_id)
    return MyCase(
        audit,
        found["Inspection"],
        found["case_type_name"],
        progress_of(qs, values),
        grade_round(audit, qs, values),
    )


def my_cases(user: User, inspection_id: int | None = None) -> list[MyCase]:
    """Cases assigned to the user (first audits, then blind second audits), by reference."""
    firsts = (
        db.session.execute(_assigned(user, inspection_id).where(Case.auditor_id == user.id))
        .mappings()
        .all()
    )
    seconds = (
        db.session.execute(
            _assigned(user, inspection_id)
            .add_columns(SecondAudit)
            .join(SecondAudit, SecondAudit.case_id == Case.id)
            .where(SecondAudit.auditor_id == user.id)
        )
        .mappings()
        .all()
    )
    first_values = values_by_case([f["Case"].id for f in firsts], FIRST_ROUND)
    second_values = values_by_case([f["Case"].id for f in seconds], SECOND_ROUND)
    rows = [
        _row(FirstAudit(f["Case"], user), f, first_values.get(f["Case"].id, {})) for f in firsts
    ]
    rows += [
        _row(
            BlindSecondAudit(f["Case"], user, f["SecondAudit"]),
            f,
            second_values.get(f["Case"].id, {}),
        )
        for f in seconds
    ]
    return rows


SORTS = {
    "reference": "Case reference",
    "case_type": "Case type",
    "status": "Status",
    "answered": "Fewest answered first",
}


def arrange(
    rows: list[MyCase], *, case_type: str = "", status: str = "", search: str = "", sort: str = ""
) -> list[MyCase]:
    """The rows My cases shows: filtered by case type, status words and reference, then sorted."""
    search = search.strip().lower()
    shown = [
        row
        for row in rows
        if (not case_type or row.case_type_name == case_type)
        and (not status or row.status_tag["text"] == status)
        and (not search or search in row.case.reference.lower())
    ]
    keys = {
        "case_type": lambda r: (r.case_type_name, r.case.reference),
        "status": lambda r: (r.status_tag["text"], r.case.reference),
        "answered": lambda r: (r.progress.answered, r.case.reference),
    }
    return sorted(shown, key=keys[sort]) if sort in keys else shown


def submitted_count(rows: list[MyCase]) -> str:
    """Progress over all the user's rows, e.g. "7 of 12 submitted" (moderated counts too)."""
    done = sum(1 for row in rows if row.round.is_submitted)
    return f"{done} of {len(rows)} submitted"


def next_open_case(user: User, after: Case) -> AuditRound | None:
    """The user's next assigned audit not yet submitted, after ``after``, or None.

    First audits still in draft (a returned case too) and blind second audits in progress, in
    the user's inspections; the same inspection first, then by reference after this one,
    wrapping round to the start.
    """
    firsts = db.session.scalars(
        select(Case).where(
            in_member_inspections(user.id),
            Case.auditor_id == user.id,
            Case.status == CaseStatus.DRAFT,
            Case.id != after.id,
        )
    ).all()
    seconds = db.session.execute(
        select(Case, SecondAudit)
        .join(SecondAudit, SecondAudit.case_id == Case.id)
        .where(
            in_member_inspections(user.id),
            SecondAudit.auditor_id == user.id,
            SecondAudit.status == SecondAuditStatus.IN_PROGRESS,
            Case.id != after.id,
        )
    ).all()
    rounds: list[AuditRound] = [FirstAudit(case, user) for case in firsts]
    rounds += [BlindSecondAudit(case, user, second) for case, second in seconds]

    def order(audit: AuditRound) -> tuple[bool, bool, str, int]:
        case = audit.case
        return (
            case.inspection_id != after.inspection_id,
            case.reference <= after.reference,
            case.reference,
            audit.number,
        )

    return min(rounds, key=order, default=None)
