"""Moderation: leads' decisions on submitted cases, the moderation policy, blind second audits
and the agreement figures. Each public function that changes data is one transaction's work:
it adds and flushes, records audit events, and leaves the commit to the route."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from auditapp.domain.agreement import (
    Agreement,
    QuestionAgreement,
    agreement,
    agreement_by,
    question_agreement,
)
from auditapp.domain.grades import Grade, Outcome
from auditapp.domain.moderation import PolicyCase, PolicyProgress, PolicyRule, policy_progress
from auditapp.domain.question_sets import NOT_APPLICABLE, Question, checklist_ticks
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    InspectionRole,
    Membership,
    ModerationAction,
    ModerationDecision,
    ModerationPolicy,
    QuestionOutcomeRow,
    SecondAudit,
    SecondAuditStatus,
    User,
    utcnow,
)
from auditapp.models import Question as QuestionRow
from auditapp.services.audit_log import record_case_event, record_event
from auditapp.services.grading import grade_stored_case
from auditapp.services.question_sets import question_set_data

REASON_MAX_LENGTH = 5000
_EVENT_ACTIONS = {
    ModerationAction.AGREE: "moderation_agreed",
    ModerationAction.CHANGE: "moderation_changed",
    ModerationAction.RETURN: "moderation_returned",
}


class ModerationError(ValueError):
    """A decision the moderation rules refuse; the message is written for the user."""


class SelfModerationError(ModerationError):
    """A lead tried to moderate (or resolve) a case they audited themselves."""


# --- small facts ------------------------------------------------------------------------------


def first_grade(case: Case) -> str | None:
    """The grade the auditor submitted: their proposed grade, else the computed grade."""
    return case.proposed_grade or case.computed_grade


def second_grade(second_audit: SecondAudit) -> str | None:
    """The grade of a second audit: the second auditor's proposed grade, else the computed."""
    return second_audit.proposed_grade or second_audit.computed_grade


def grade_label(grade: str | None) -> str:
    """A grade's words, or "Not graded"."""
    return Grade(grade).label if grade else "Not graded"


def _check_can_decide(case: Case, lead: User) -> None:
    if case.auditor_id == lead.id:
        raise SelfModerationError(
            f"You audited case {case.reference} yourself, so another lead must moderate it."
        )
    if case.status != CaseStatus.SUBMITTED:
        state = {
            CaseStatus.DRAFT: "a draft (it has not been submitted, or was returned to its auditor)",
            CaseStatus.MODERATED: "already moderated",
        }.get(CaseStatus(case.status), case.status)
        raise ModerationError(
            f"Case {case.reference} is {state}: only submitted cases can be moderated."
        )


def _clean_text(text: str | None, what: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ModerationError(f"Enter {what}")
    if len(cleaned) > REASON_MAX_LENGTH:
        raise ModerationError(
            f"{what.capitalize()} must be {REASON_MAX_LENGTH:,} characters or fewer"
        )
    return cleaned


# --- decisions ----------------------------------------------------------------------------------


def _moderate(
    case: Case, lead: User, action: ModerationAction, grade: str, reason: str | None
) -> ModerationDecision:
    before = first_grade(case)
    decision = ModerationDecision(
        case_id=case.id,
        lead_id=lead.id,
        action=action,
        grade_before=before,
        grade_after=grade,
        reason=reason,
    )
    db.session.add(decision)
    previous_final = case.final_grade
    case.final_grade = grade
    case.status = CaseStatus.MODERATED
    case.moderated_at = utcnow()
    case.returned_comment = None
    # Past-tense actions read well on the case timeline ("Moderation agreed: final grade").
    done = _EVENT_ACTIONS[action]
    record_case_event(case, lead, done, "final_grade", previous_final, grade)
    record_case_event(case, lead, done, "status", CaseStatus.SUBMITTED, case.status)
    if reason:
        record_case_event(case, lead, done, "moderation_reason", None, reason)
    db.session.flush()
    return decision


def agree_grade(case: Case, lead: User) -> ModerationDecision:
    """The lead agrees with the auditor's grade: it becomes the final grade."""
    _check_can_decide(case, lead)
    grade = first_grade(case)
    if grade is None:
        raise ModerationError(
            f"Case {case.reference} has no grade to agree with: choose a grade and give a reason."
        )
    return _moderate(case, lead, ModerationAction.AGREE, grade, None)


def change_grade(case: Case, lead: User, grade: str, reason: str | None) -> ModerationDecision:
    """The lead sets a different final grade, with a reason."""
    _check_can_decide(case, lead)
    try:
        new_grade = Grade(grade)
    except ValueError as error:
        raise ModerationError("Choose the moderated grade") from error
    cleaned = _clean_text(reason, "the reason for changing the grade")
    if new_grade == first_grade(case):
        raise ModerationError(
            f"{new_grade.label} is the auditor's grade: agree with it instead of changing it."
        )
    return _moderate(case, lead, ModerationAction.CHANGE, new_grade.value, cleaned)


def return_to_auditor(case: Case, lead: User, comment: str | None) -> ModerationDecision:
    """Send the case back to its auditor as a draft they can edit, with the lead's comment."""
    _check_can_decide(case, lead)
    cleaned = _clean_text(comment, "a comment for the auditor")
    decision = ModerationDecision(
        case_id=case.id,
        lead_id=lead.id,
        action=ModerationAction.RETURN,
        grade_before=first_grade(case),
        grade_after=None,
        reason=cleaned,
    )
    db.session.add(decision)
    case_comment_before = case.returned_comment
    case.status = CaseStatus.DRAFT
    case.returned_comment = cleaned
    done = _EVENT_ACTIONS[ModerationAction.RETURN]
    record_case_event(case, lead, done, "status", CaseStatus.SUBMITTED, CaseStatus.DRAFT)
    record_case_event(case, lead, done, "returned_comment", case_comment_before, cleaned)
    db.session.flush()
    return decision


def decisions_for(case: Case) -> list[ModerationDecision]:
    """Every moderation decision on the case, oldest first."""
    return list(
        db.session.scalars(
            select(ModerationDecision)
            .options(selectinload(ModerationDecision.lead))
            .where(ModerationDecision.case_id == case.id)
            .order_by(ModerationDecision.created_at, ModerationDecision.id)
        )
    )


# --- policy -------------------------------------------------------------------------------------


def policy_row(inspection_id: int) -> ModerationPolicy | None:
    """The inspection's stored policy, or None while the defaults apply."""
    return db.session.scalar(
        select(ModerationPolicy).where(ModerationPolicy.inspection_id == inspection_id)
    )


def policy_rule(inspection_id: int) -> PolicyRule:
    """The inspection's policy as a domain rule (the defaults until a lead sets one)."""
    row = policy_row(inspection_id)
    if row is None:
        return PolicyRule()
    return PolicyRule(
        all_inadequate=row.all_inadequate,
        all_disagreements=row.all_disagreements,
        min_percent_per_auditor=row.min_percent_per_auditor,
    )


def set_policy(
    inspection: Inspection,
    lead: User,
    *,
    all_inadequate: bool,
    all_disagreements: bool,
    min_percent_per_auditor: int,
) -> ModerationPolicy:
    """Store the inspection's moderation policy, recording each changed part."""
    rule = PolicyRule(all_inadequate, all_disagreements, min_percent_per_auditor)
    row = policy_row(inspection.id)
    before = policy_rule(inspection.id)
    if row is None:
        row = ModerationPolicy(inspection_id=inspection.id)
        db.session.add(row)
    for field in ("all_inadequate", "all_disagreements", "min_percent_per_auditor"):
        old, new = getattr(before, field), getattr(rule, field)
        setattr(row, field, new)
        if old != new or row.id is None:
            record_event(
                "set_moderation_policy",
                "moderation_policy",
                user=lead,
                entity_id=inspection.id,
                inspection_id=inspection.id,
                field=field,
                old=old,
                new=new,
            )
    row.updated_by_id = lead.id
    db.session.flush()
    return row


def policy_cases(inspection_id: int) -> list[PolicyCase]:
    """The inspection's submitted and moderated cases, as the policy sees them."""
    rows = db.session.execute(
        select(
            Case.id,
            Case.auditor_id,
            User.name,
            Case.status,
            Case.computed_grade,
            Case.proposed_grade,
        )
        .outerjoin(User, User.id == Case.auditor_id)
        .where(
            Case.inspection_id == inspection_id,
            Case.status.in_([CaseStatus.SUBMITTED, CaseStatus.MODERATED]),
        )
        .order_by(Case.id)
    ).all()
    return [
        PolicyCase(
            case_id=case_id,
            auditor_id=auditor_id,
            auditor_name=name or "Unassigned",
            status=status,
            computed_grade=computed,
            proposed_grade=proposed,
        )
        for case_id, auditor_id, name, status, computed, proposed in rows
    ]


def inspection_policy_progress(inspection_id: int) -> PolicyProgress:
    """What the inspection's policy still requires."""
    return policy_progress(policy_rule(inspection_id), policy_cases(inspection_id))


# --- the queue ----------------------------------------------------------------------------------

STATUS_FILTERS = {
    "submitted": "Awaiting moderation",
    "moderated": "Moderated",
    "returned": "Returned to auditor",
    "all": "All",
}


@dataclass(frozen=True)
class QueueFilters:
    """What the lead filtered the queue by (None = any)."""

    case_type: str | None = None
    auditor_id: int | None = None
    grade: str | None = None
    status: str = "submitted"


@dataclass(frozen=True)
class QueueRow:
    """One case in the moderation queue."""

    case: Case
    case_type_name: str
    auditor_name: str
    first_grade: str | None
    policy_reasons: tuple[str, ...]
    second_audit_status: str | None


@dataclass(frozen=True)
class QueueCounts:
    """How many cases are in each state, before filtering."""

    submitted: int
    moderated: int
    returned: int


def _status_clause(status: str) -> Any:
    if status == "moderated":
        return Case.status == CaseStatus.MODERATED
    if status == "returned":
        return (Case.status == CaseStatus.DRAFT) & Case.returned_comment.is_not(None)
    if status == "all":
        return Case.status.in_([CaseStatus.SUBMITTED, CaseStatus.MODERATED]) | (
            (Case.status == CaseStatus.DRAFT) & Case.returned_comment.is_not(None)
        )
    return Case.status == CaseStatus.SUBMITTED


def moderation_queue(
    inspection_id: int, filters: QueueFilters, progress: PolicyProgress
) -> list[QueueRow]:
    """The cases a lead moderates, filtered, those the policy requires first."""
    query = (
        select(Case, CaseType.name, User.name, SecondAudit.status)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(User, User.id == Case.auditor_id)
        .outerjoin(SecondAudit, SecondAudit.case_id == Case.id)
        .where(Case.inspection_id == inspection_id, _status_clause(filters.status))
    )
    if filters.case_type:
        query = query.where(CaseType.slug == filters.case_type)
    if filters.auditor_id:
        query = query.where(Case.auditor_id == filters.auditor_id)
    if filters.grade:
        query = query.where(
            func.coalesce(Case.proposed_grade, Case.computed_grade) == filters.grade
        )
    rows = [
        QueueRow(
            case=case,
            case_type_name=type_name,
            auditor_name=auditor_name or "Unassigned",
            first_grade=first_grade(case),
            policy_reasons=progress.reasons.get(case.id, ()),
            second_audit_status=second_status,
        )
        for case, type_name, auditor_name, second_status in db.session.execute(query).all()
    ]
    rows.sort(key=lambda row: (not row.policy_reasons, row.case.reference))
    return rows


def queue_counts(inspection_id: int) -> QueueCounts:
    """Cases awaiting moderation, moderated, and returned to their auditor."""
    rows = db.session.execute(
        select(Case.status, Case.returned_comment.is_not(None), func.count())
        .where(Case.inspection_id == inspection_id)
        .group_by(Case.status, Case.returned_comment.is_not(None))
    ).all()
    counts = {"submitted": 0, "moderated": 0, "returned": 0}
    for status, returned, count in rows:
        if status == CaseStatus.SUBMITTED:
            counts["submitted"] += count
        elif status == CaseStatus.MODERATED:
            counts["moderated"] += count
        elif returned:
            counts["returned"] += count
    return QueueCounts(**counts)


def filter_choices(inspection_id: int) -> dict[str, list[tuple[str, str]]]:
    """Options of the queue's filters: case types and auditors that have cases here."""
    case_types = db.session.execute(
        select(CaseType.slug, CaseType.name)
        .join(Case, Case.case_type_id == CaseType.id)
        .where(Case.inspection_id == inspection_id)
        .distinct()
        .order_by(CaseType.name)
    ).all()
    auditors = db.session.execute(
        select(User.id, User.name)
        .join(Case, Case.auditor_id == User.id)
        .where(Case.inspection_id == inspection_id)
        .distinct()
        .order_by(User.name)
    ).all()
    return {
        "case_type": [(slug, name) for slug, name in case_types],
        "auditor": [(str(user_id), name) for user_id, name in auditors],
    }


# --- one case, question by question -------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    """One question of a case as a lead reads it: the answer, the note and the outcome."""

    question_id: str
    section: str
    text: str
    critical: bool
    answer: str
    note: str | None
    outcome: str
    outcome_label: str
    detail: str


def answer_text(question: Question, value: str | None) -> str:
    """The words of a stored answer ("Yes", an option's label, ticked options)."""
    if value is None:
        return "Not answered"
    if value == NOT_APPLICABLE and question.allow_na:
        return "Not applicable"
    if question.type == "yes_no":
        return {"yes": "Yes", "partly": "Partly", "no": "No"}.get(value, value)
    if question.type == "choice":
        option = question.option(value)
        return option.label if option else value
    if question.type == "checklist":
        ticked = checklist_ticks(value)
        labels = [(question.option(v).label if question.option(v) else v) for v in ticked]
        return ", ".join(labels) if labels else "None of these"
    return value


def _outcome_label(outcome: str) -> str:
    try:
        return Outcome(outcome).label
    except ValueError:
        return outcome


def case_answer_rows(case: Case, audit_round: int = 1) -> list[AnswerRow]:
    """Every question shown in this round, with its answer, note and outcome."""
    if case.question_set is None:
        return []
    qs = question_set_data(case.question_set)
    answers = {
        answer.question_code: answer
        for answer in db.session.scalars(
            select(Answer).where(Answer.case_id == case.id, Answer.audit_round == audit_round)
        )
    }
    if audit_round == 1 and case.computed_explanation:
        outcomes = case.computed_explanation.get("outcomes", {})
    else:
        outcomes = grade_stored_case(case, audit_round).to_dict()["outcomes"]
    rows = []
    for section in qs.sections:
        for question in section.questions:
            outcome = outcomes.get(question.id, {})
            answer = answers.get(question.id)
            if outcome.get("outcome") == Outcome.HIDDEN and answer is None:
                continue
            text = answer_text(question, answer.value if answer else None)
            detail = outcome.get("detail", "")
            if detail.lower() in (text.lower(), (answer.value or "").lower() if answer else ""):
                detail = ""  # the detail only repeats the answer
            label = _outcome_label(outcome.get("outcome", ""))
            if outcome and not outcome.get("graded", True) and question.graded is False:
                label += " (not graded)"
            rows.append(
                AnswerRow(
                    question_id=question.id,
                    section=section.title,
                    text=question.text,
                    critical=question.critical,
                    answer=text,
                    note=answer.note if answer else None,
                    outcome=outcome.get("outcome", ""),
                    outcome_label=label,
                    detail=detail,
                )
            )
    return rows


# --- second audits ------------------------------------------------------------------------------


def second_audit_for(case: Case) -> SecondAudit | None:
    """The case's second audit, if one was asked for."""
    return db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == case.id))


def eligible_second_auditors(case: Case) -> list[User]:
    """Auditors of the inspection who did not audit the case."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.inspection_id == case.inspection_id,
                Membership.role == InspectionRole.AUDITOR,
                User.id != (case.auditor_id or 0),
                User.active.is_(True),
            )
            .order_by(User.name)
        )
    )


def request_second_audit(case: Case, lead: User, auditor_id: int) -> SecondAudit:
    """Ask another auditor of the inspection to audit the case blind (answers in round 2)."""
    if case.auditor_id == lead.id:
        raise SelfModerationError(
            f"You audited case {case.reference} yourself, so another lead must ask for "
            "a second audit."
        )
    if case.status == CaseStatus.DRAFT:
        raise ModerationError(
            f"Case {case.reference} is a draft: ask for a second audit once it is submitted."
        )
    if second_audit_for(case) is not None:
        raise ModerationError(f"Case {case.reference} already has a second audit.")
    auditor = next((u for u in eligible_second_auditors(case) if u.id == auditor_id), None)
    if auditor is None:
        raise ModerationError("Choose an auditor of this inspection who did not audit the case.")
    second = SecondAudit(
        case_id=case.id,
        auditor_id=auditor.id,
        requested_by_id=lead.id,
        status=SecondAuditStatus.IN_PROGRESS,
    )
    db.session.add(second)
    db.session.flush()
    record_event(
        "request_second_audit",
        "second_audit",
        user=lead,
        entity_id=second.id,
        inspection_id=case.inspection_id,
        case_id=case.id,
        field="auditor_id",
        new=auditor.id,
    )
    return second


@dataclass(frozen=True)
class ComparisonRow:
    """One question, as the first and the second audit answered it."""

    question_id: str
    text: str
    critical: bool
    first_answer: str
    first_note: str | None
    first_outcome: str
    second_answer: str
    second_note: str | None
    second_outcome: str
    differs: bool


@dataclass(frozen=True)
class AuditComparison:
    """The two audits of a case side by side, question by question and grade by grade."""

    rows: list[ComparisonRow]
    first_computed: str | None
    first_proposed: str | None
    first_reason: str | None
    second_computed: str | None
    second_proposed: str | None
    second_reason: str | None

    @property
    def first_grade(self) -> str | None:
        """The grade of the first audit (proposed, else computed)."""
        return self.first_proposed or self.first_computed

    @property
    def second_grade(self) -> str | None:
        """The grade of the second audit (proposed, else computed)."""
        return self.second_proposed or self.second_computed

    @property
    def grades_differ(self) -> bool:
        """Return True when the two audits reached different grades."""
        return self.first_grade != self.second_grade

    @property
    def differences(self) -> list[str]:
        """Return the ids of the questions whose outcomes differ."""
        return [row.question_id for row in self.rows if row.differs]


def compare_audits(case: Case, second_audit: SecondAudit) -> AuditComparison:
    """Both audits of the case, question by question (outcomes compared) and grade by grade."""
    first = {row.question_id: row for row in case_answer_rows(case, 1)}
    second = {row.question_id: row for row in case_answer_rows(case, 2)}
    qs = question_set_data(case.question_set) if case.question_set else None
    order = [q.id for q in qs.questions] if qs else sorted(set(first) | set(second))
    rows = []
    for question_id in order:
        a, b = first.get(question_id), second.get(question_id)
        if a is None and b is None:
            continue
        some = a or b
        assert some is not None
        rows.append(
            ComparisonRow(
                question_id=question_id,
                text=some.text,
                critical=some.critical,
                first_answer=a.answer if a else "Not shown",
                first_note=a.note if a else None,
                first_outcome=a.outcome_label if a else Outcome.HIDDEN.label,
                second_answer=b.answer if b else "Not shown",
                second_note=b.note if b else None,
                second_outcome=b.outcome_label if b else Outcome.HIDDEN.label,
                differs=(a.outcome if a else Outcome.HIDDEN.value)
                != (b.outcome if b else Outcome.HIDDEN.value),
            )
        )
    return AuditComparison(
        rows=rows,
        first_computed=case.computed_grade,
        first_proposed=case.proposed_grade,
        first_reason=case.proposed_reason,
        second_computed=second_audit.computed_grade,
        second_proposed=second_audit.proposed_grade,
        second_reason=second_audit.proposed_reason,
    )


def resolve_second_audit(
    second_audit: SecondAudit, lead: User, grade: str, note: str | None
) -> SecondAudit:
    """The lead records the grade the two audits resolve to, and why.

    If the case is still awaiting moderation, the resolved grade also moderates it (agreeing
    with the auditor's grade, or changing it with the note as the reason).
    """
    case = second_audit.case
    if case.auditor_id == lead.id:
        raise SelfModerationError(
            f"You audited case {case.reference} yourself, so another lead must resolve it."
        )
    if second_audit.status == SecondAuditStatus.IN_PROGRESS:
        raise ModerationError("The second audit has not been submitted yet.")
    if second_audit.status == SecondAuditStatus.RESOLVED:
        raise ModerationError("This second audit has already been resolved.")
    try:
        resolved = Grade(grade)
    except ValueError as error:
        raise ModerationError("Choose the resolved grade") from error
    cleaned = _clean_text(note, "a note on how the differences were resolved")
    second_audit.resolved_grade = resolved.value
    second_audit.resolution_note = cleaned
    second_audit.resolved_by_id = lead.id
    second_audit.resolved_at = utcnow()
    second_audit.status = SecondAuditStatus.RESOLVED
    record_event(
        "resolve_second_audit",
        "second_audit",
        user=lead,
        entity_id=second_audit.id,
        inspection_id=case.inspection_id,
        case_id=case.id,
        field="resolved_grade",
        new=resolved.value,
    )
    if case.status == CaseStatus.SUBMITTED:
        if resolved == first_grade(case):
            _moderate(case, lead, ModerationAction.AGREE, resolved.value, None)
        else:
            _moderate(
                case,
                lead,
                ModerationAction.CHANGE,
                resolved.value,
                f"Resolved after a second audit: {cleaned}",
            )
    db.session.flush()
    return second_audit


# --- agreement figures --------------------------------------------------------------------------


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


def _table(rows: Sequence[tuple[str, str, str, str]]) -> AgreementTable:
    """From (auditor, case type, first grade, other grade) rows."""
    return AgreementTable(
        overall=agreement([(a, b) for _, _, a, b in rows]),
        by_auditor=dict(sorted(agreement_by((who, a, b) for who, _, a, b in rows).items())),
        by_case_type=dict(sorted(agreement_by((kind, a, b) for _, kind, a, b in rows).items())),
    )


def agreement_figures(inspection_id: int) -> AgreementFigures:
    """Agreement between first and moderated grades, and first and second audits."""
    first = func.coalesce(Case.proposed_grade, Case.computed_grade)
    moderated = db.session.execute(
        select(User.name, CaseType.name, first, Case.final_grade)
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
        select(User.name, CaseType.name, first, second, Case.id, Case.question_set_id)
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
        moderation=_table([(who or "Unassigned", kind, a, b) for who, kind, a, b in moderated]),
        second_audits=_table(
            [(who or "Unassigned", kind, a, b) for who, kind, a, b, _, _ in audited_twice]
        ),
        questions=_question_disagreements(
            [(case_id, kind) for _, kind, _, _, case_id, _ in audited_twice]
        ),
    )


def _question_disagreements(cases: list[tuple[int, str]]) -> list[QuestionDisagreement]:
    if not cases:
        return []
    case_type_of = dict(cases)
    outcomes: dict[tuple[int, str], dict[int, str]] = {}
    for case_id, audit_round, code, outcome in db.session.execute(
        select(
            QuestionOutcomeRow.case_id,
            QuestionOutcomeRow.audit_round,
            QuestionOutcomeRow.question_code,
            QuestionOutcomeRow.outcome,
        ).where(QuestionOutcomeRow.case_id.in_(list(case_type_of)))
    ):
        outcomes.setdefault((case_id, code), {})[audit_round] = outcome
    rows = [
        (
            f"{case_type_of[case_id]}\x1f{code}",
            by_round.get(1, Outcome.HIDDEN.value),
            by_round.get(2, Outcome.HIDDEN.value),
        )
        for (case_id, code), by_round in outcomes.items()
    ]
    texts = _question_texts([case_id for case_id, _ in cases])
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
    ).all()
    return {code: text for code, text in rows}
