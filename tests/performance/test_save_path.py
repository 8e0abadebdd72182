"""Saving one answer: a fixed, small number of SQL statements, and stored data kept exact.

The save path reads what it needs, grades in memory and writes only what moved (the answer,
one UPDATE of the case, the outcome rows that changed, the audit events). These tests pin the
statement count so a lazy load or a per-question query cannot creep back in, and check that
writing only the difference leaves exactly what a full regrade would store.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, QuestionOutcomeRow, User
from auditapp.services.grading import grade_stored_case
from tests import factories
from tests.performance.test_query_counts import counting_statements

# user, case with role, question set, answers, stored outcomes; then the case UPDATE, the
# answer, the moved outcomes and the audit events. A budget, not a target: lower is fine.
SAVE_STATEMENT_BUDGET = 10


def _save(client: Any, case: Case, question: str, value: str, version: int) -> Any:
    return client.post(
        f"/audit/cases/{case.id}/answers/{question}",
        json={"value": value, "base_version": version},
        headers={"X-CSRFToken": client.csrf_token},
    )


def _statements_for_one_save(client: Any, case: Case) -> list[str]:
    client.get(f"/audit/cases/{case.id}")  # the CSRF token, and warm caches
    version = db.session.get(Case, case.id).version
    with counting_statements() as statements:
        response = _save(client, case, "DA02", "no", version)
    assert response.status_code == 200, response.get_json()
    return [s for s in statements if s.strip().upper() not in ("BEGIN", "COMMIT")]


def test_a_save_costs_the_same_statements_however_many_answers_the_case_has(
    inspection: Any, auditor: User, login_as: Any
) -> None:
    few = factories.make_case(inspection, "SP-1", auditor=auditor, answers={"DA01": "yes"})
    many = factories.make_case(
        inspection, "SP-2", auditor=auditor, answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS)
    )
    client = login_as(auditor)
    with_few = _statements_for_one_save(client, few)
    with_many = _statements_for_one_save(client, many)
    assert len(with_few) == len(with_many), (with_few, with_many)
    assert len(with_many) <= SAVE_STATEMENT_BUDGET, with_many
    updates_of_case = [s for s in with_many if s.lstrip().upper().startswith('UPDATE "CASE"')]
    assert len(updates_of_case) == 1


def test_saves_leave_exactly_what_a_full_regrade_stores(
    inspection: Any, auditor: User, login_as: Any
) -> None:
    case = factories.make_case(
        inspection, "SP-3", auditor=auditor, answers=dict(factories.GOOD_DOMESTIC_ABUSE_ANSWERS)
    )
    client = login_as(auditor)
    client.get(f"/audit/cases/{case.id}")
    version = db.session.get(Case, case.id).version
    for question, value in (("DA02", "no"), ("DA05", "partly"), ("DA02", "yes"), ("DA01", "yes")):
        response = _save(client, case, question, value, version)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["version"] == version + 1  # one UPDATE of the case a save
        version += 1
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    full = grade_stored_case(stored)
    rows = dict(
        db.session.execute(
            select(QuestionOutcomeRow.question_code, QuestionOutcomeRow.outcome).where(
                QuestionOutcomeRow.case_id == case.id, QuestionOutcomeRow.audit_round == 1
            )
        ).all()
    )
    assert rows == {qid: str(o.outcome) for qid, o in full.outcomes.items()}
    assert stored.computed_grade == (str(full.grade) if full.grade else None)
    assert stored.computed_explanation == full.to_dict()
    changes = db.session.scalars(
        select(AuditEvent.field).where(
            AuditEvent.case_id == case.id, AuditEvent.action == "change_answer"
        )
    ).all()
    assert changes == ["DA02", "DA05", "DA02", "DA01"]
