"""Agreement figures: first grades against moderated grades, first audits against second audits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import func, select

from auditapp.domain.agreement import (
    Agreement,
    QuestionAgreement,
    agreement,
    agreement_by,
    question_agreement,
)
from auditapp.domain.grades import Outcome
from auditapp.extensions import db
from auditapp.models import (
    Case,
    CaseStatus,
    CaseType,
    QuestionOutcomeRow,
    SecondAudit,
    SecondAuditStatus,
    User,
)
from auditapp.models import Question as QuestionRow
from auditapp.services.audit.round import FIRST_ROUND, SECOND_ROUND


@dataclass(frozen=True)
class AgreementTable:
    """Agreement overall, per auditor and per case type, for one pair of gradings."""

    overall: Agreement
    by_auditor: dict[str, Agreement]
    by_case_type: dict[str, Agreement]


@dataclass(frozen=True)
class QuestionDisagreement:
    """A question's agreement between first and second audits, with its words."""

    case_type: str
    text: str
    figures: QuestionAgreement


@dataclass(frozen=True)
class AgreementFigures:
    """The agreement page: first grades vs moderated grades, first vs second audits."""

    moderation: AgreementTable
    second_audits: AgreementTable
    questions: list[QuestionDisagreement]


class GradePair(NamedTuple):
    """One case graded twice: its auditor, its case type, the first grade and the other one."""

    auditor: str
    case_type: str
    first: str
    other: str


def _pairs(rows: Iterable[Any]) -> list[GradePair]:
    """Grade pairs from rows labelled auditor, case_type, first_grade and other_grade."""
    return [
        GradePair(row.auditor or "Unassigned", row.case_type, row.first_grade, row.other_grade)
        for row in rows
    ]


def _table(pairs: Sequence[GradePair]) -> AgreementTable:
    return AgreementTable(
        overall=agreement([(p.first, p.other) for p in pairs]),
        by_auditor=dict(sorted(agreement_by((p.auditor, p.first, p.other) for p in pairs).items())),
        by_case_type=dict(
            sorted(agreement_by((p.case_type, p.first, p.other) for p in pairs).items())
        ),
    )


def agreement_figures(inspection_id: int) -> AgreementFigures:
    """Agreement between first and moderated grades, and first and second audits."""
    first = func.coalesce(Case.proposed_grade, Case.computed_grade)
    moderated = db.session.execute(
        select(
            User.name.label("auditor"),
            CaseType.name.label("case_type"),
            first.label("first_grade"),
            Case.final_grade.label("other_grade"),
        )
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(User, User.id == Case.auditor_id)
        .where(
            Case.inspection_id == inspection_id,
            Case.status == CaseStatus.MODERATED,
            Case.final_grade.is_not(None),
            first.is_not(None),
        )
    ).all()
    second = func.coalesce(SecondAudit.proposed_grade, SecondAudit.computed_grade)
    audited_twice = db.session.execute(
        select(
            User.name.label("auditor"),
            CaseType.name.label("case_type"),
            first.label("first_grade"),
            second.label("other_grade"),
            Case.id.label("case_id"),
        )
        .join(SecondAudit, SecondAudit.case_id == Case.id)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(User, User.id == Case.auditor_id)
        .where(
            Case.inspection_id == inspection_id,
            SecondAudit.status.in_([SecondAuditStatus.SUBMITTED, SecondAuditStatus.RESOLVED]),
            first.is_not(None),
            second.is_not(None),
        )
    ).all()
    return AgreementFigures(
        moderation=_table(_pairs(moderated)),
        second_audits=_table(_pairs(audited_twice)),
        questions=_question_disagreements({row.case_id: row.case_type for row in audited_twice}),
    )


def _question_disagreements(case_type_of: dict[int, str]) -> list[QuestionDisagreement]:
    """Per-question agreement of the cases audited twice (case id -> case type name)."""
    if not case_type_of:
        return []
    outcomes: dict[tuple[int, str], dict[int, str]] = {}
    for row in db.session.execute(
        select(
            QuestionOutcomeRow.case_id,
            QuestionOutcomeRow.audit_round,
            QuestionOutcomeRow.question_code,
            QuestionOutcomeRow.outcome,
        ).where(QuestionOutcomeRow.case_id.in_(list(case_type_of)))
    ):
        outcomes.setdefault((row.case_id, row.question_code), {})[row.audit_round] = row.outcome
    rows = [
        (
            f"{case_type_of[case_id]}\x1f{code}",
            by_round.get(FIRST_ROUND, Outcome.HIDDEN.value),
            by_round.get(SECOND_ROUND, Outcome.HIDDEN.value),
        )
        for (case_id, code), by_round in outcomes.items()
    ]
    texts = _question_texts(list(case_type_of))
    result = []
    for figures in question_agreement(rows):
        kind, code = figures.question_id.split("\x1f")
        result.append(
            QuestionDisagreement(
                case_type=kind,
                text=texts.get(code, ""),
                figures=QuestionAgreement(
                    question_id=code,
                    compared=figures.compared,
                    agreed=figures.agreed,
                    kappa=figures.kappa,
                ),
            )
        )
    return result


def _question_texts(case_ids: list[int]) -> dict[str, str]:
    rows = db.session.execute(
        select(QuestionRow.code, QuestionRow.text)
        .join(Case, Case.question_set_id == QuestionRow.question_set_id)
        .where(Case.id.in_(case_ids))
        .distinct()
    )
    return {row.code: row.text for row in rows}
