"""The demo's blind second audits: one case of each graded case type of the review audited
again by the other auditor, so the agreement page shows figures from independent audits.

They go through the services a lead and an auditor use: the lead asks for the second audit,
the second auditor saves their answers (as the first auditor gave them, except where the demo
says otherwise: a shared reading of the file, with one question read differently) and submits;
the lead has not resolved them yet. Dip samples have no grade to agree on (and submitting an
audit without a grade needs a proposed one), so none of theirs is audited twice. Safe to run
twice: a case with a second audit is left alone.
"""

from __future__ import annotations

from sqlalchemy import select

from auditapp.domain.question_sets import checklist_ticks
from auditapp.extensions import db
from auditapp.models import Answer, Case, CaseType, Inspection, SecondAudit, User
from auditapp.services.audit.loading import question_set_of
from auditapp.services.audit.round import FIRST_ROUND, BlindSecondAudit
from auditapp.services.audit.saving import PostedAnswer, save_form
from auditapp.services.audit.submitting import submit_case
from auditapp.services.moderation.second_audits import request_second_audit

# Per case type: the question the second auditor reads differently, and the answer given.
SECOND_READINGS: dict[str, tuple[str, str]] = {
    "domestic-abuse": ("DA13", "yes"),
    "missing-child": ("MC05", "partly"),
    "police-protection": ("PP13", "partly"),
    "child-detention": ("CD06", "partly"),
    "online-csae": ("OC16", "partly"),
    "sex-offender-management": ("SO07", "partly"),
}


def _second_answers(case: Case, slug: str) -> dict[str, PostedAnswer]:
    """The first audit's answers as the second auditor posts them, with the demo's one change."""
    values = dict(
        db.session.execute(
            select(Answer.question_code, Answer.value).where(
                Answer.case_id == case.id, Answer.audit_round == FIRST_ROUND
            )
        ).all()
    )
    code, value = SECOND_READINGS[slug]
    values[code] = value
    # A form posts a checklist as the options ticked, not as the stored JSON list.
    checklists = {q.id for q in question_set_of(case).questions if q.type == "checklist"}
    return {
        code: PostedAnswer(
            value=checklist_ticks(value) if code in checklists else value,
            seen_value=None,
            note=None,
            seen_note=None,
        )
        for code, value in values.items()
    }


def add_second_audits(inspection: Inspection, lead: User, auditors: list[User]) -> int:
    """Give the first case (by reference) of each graded case type a submitted second audit."""
    audited = set(
        db.session.scalars(
            select(SecondAudit.case_id).join(Case).where(Case.inspection_id == inspection.id)
        )
    )
    firsts: dict[str, Case] = {}
    for case, slug in db.session.execute(
        select(Case, CaseType.slug)
        .join(CaseType, CaseType.id == Case.case_type_id)
        .where(
            Case.inspection_id == inspection.id,
            Case.in_sample.is_(True),
            CaseType.kind == "case",
        )
        .order_by(Case.reference)
    ):
        firsts.setdefault(slug, case)
    added = 0
    for slug, case in firsts.items():
        if case.id in audited or slug not in SECOND_READINGS:
            continue
        other = next(a for a in auditors if a.id != case.auditor_id)
        audit = BlindSecondAudit(case, other, request_second_audit(case, lead, other.id))
        saved = save_form(audit, _second_answers(case, slug), base_version=case.version)
        if not saved.ok:  # the demo's answers are the library's own: a refusal is a bug here
            raise RuntimeError(f"demo second audit of case {case.reference}: {saved}")
        submit_case(audit)
        added += 1
    return added
