"""The "My cases" list: each case assigned to a user, with its progress and grade so far."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from auditapp.domain.grades import Grade
from auditapp.domain.grading import CaseGrade
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    Membership,
    SecondAudit,
    SecondAuditStatus,
    User,
)
from auditapp.services.audit.loading import Progress, _grade, progress_of, second_audit_of
from auditapp.services.question_sets import question_set_data


@dataclass(frozen=True)
class MyCase:
    """One row of "My cases"."""

    case: Case
    inspection: Inspection
    case_type_name: str
    progress: Progress
    grade: CaseGrade | None
    audit_round: int = 1

    @property
    def returned(self) -> bool:
        """Returned by a lead for more work (a draft with the lead's comment)."""
        return (
            self.audit_round == 1
            and self.case.status == CaseStatus.DRAFT
            and bool(self.case.returned_comment)
        )

    @property
    def status_tag(self) -> dict[str, str]:
        """govukTag parameters for where the case is."""
        if self.audit_round == 2:
            second = second_audit_of(self.case)
            if second and second.status != SecondAuditStatus.IN_PROGRESS:
                return {"text": "Submitted", "classes": "govuk-tag--blue"}
            return {"text": "Second audit", "classes": "govuk-tag--purple"}
        if self.returned:
            return {"text": "Returned", "classes": "govuk-tag--orange"}
        status = CaseStatus(self.case.status)
        classes = {
            CaseStatus.DRAFT: "govuk-tag--grey",
            CaseStatus.SUBMITTED: "govuk-tag--blue",
            CaseStatus.MODERATED: "govuk-tag--green",
        }[status]
        text = "In progress" if status is CaseStatus.DRAFT and self.progress.answered else None
        return {"text": text or status.label, "classes": classes}

    @property
    def grade_tag(self) -> dict[str, str]:
        """govukTag parameters for the grade so far."""
        if self.audit_round == 1 and self.case.is_submitted:
            value = self.case.grade
            provisional = False
        else:
            value = str(self.grade.grade) if self.grade and self.grade.grade else None
            provisional = bool(self.grade and self.grade.provisional)
        if not value:
            return {"text": "Not graded", "classes": "govuk-tag--grey"}
        grade = Grade(value)
        return {
            "text": grade.label + (" (provisional)" if provisional else ""),
            "classes": grade.tag_class,
        }


def my_cases(user: User, inspection_id: int | None = None) -> list[MyCase]:
    """Cases assigned to the user (first audits, then blind second audits), by reference."""
    query = (
        select(Case, Inspection, CaseType.name)
        .join(Inspection, Inspection.id == Case.inspection_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .join(
            Membership,
            (Membership.inspection_id == Case.inspection_id) & (Membership.user_id == user.id),
        )
        .where(Case.auditor_id == user.id)
        .order_by(Inspection.id, Case.reference)
    )
    second_query = (
        select(Case, Inspection, CaseType.name)
        .join(SecondAudit, SecondAudit.case_id == Case.id)
        .join(Inspection, Inspection.id == Case.inspection_id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .join(
            Membership,
            (Membership.inspection_id == Case.inspection_id) & (Membership.user_id == user.id),
        )
        .where(SecondAudit.auditor_id == user.id)
        .order_by(Inspection.id, Case.reference)
    )
    if inspection_id is not None:
        query = query.where(Case.inspection_id == inspection_id)
        second_query = second_query.where(Case.inspection_id == inspection_id)
    firsts = db.session.execute(query).all()
    seconds = db.session.execute(second_query).all()
    values = _values_by_case([c.id for c, _, _ in firsts], 1)
    second_values = _values_by_case([c.id for c, _, _ in seconds], 2)
    rows: list[MyCase] = []
    for group, round_values, audit_round in ((firsts, values, 1), (seconds, second_values, 2)):
        for case, inspection, type_name in group:
            answers = round_values.get(case.id, {})
            if case.question_set is None:
                rows.append(MyCase(case, inspection, type_name, Progress(0, 0), None, audit_round))
                continue
            qs = question_set_data(case.question_set)
            rows.append(
                MyCase(
                    case,
                    inspection,
                    type_name,
                    progress_of(qs, answers),
                    _grade(case, qs, answers, audit_round),
                    audit_round,
                )
            )
    return rows


def _values_by_case(case_ids: list[int], audit_round: int) -> dict[int, dict[str, str | None]]:
    if not case_ids:
        return {}
    result: dict[int, dict[str, str | None]] = {}
    for case_id, code, value in db.session.execute(
        select(Answer.case_id, Answer.question_code, Answer.value).where(
            Answer.case_id.in_(case_ids), Answer.audit_round == audit_round
        )
    ):
        result.setdefault(case_id, {})[code] = value
    return result
