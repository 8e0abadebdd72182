"""Saving one answer: a fixed, small number of SQL statements, and stored data kept exact.

The save path reads what it needs, grades in memory and writes only what moved (the answer,
one UPDATE of the case, the outcome rows that changed, the audit events). These tests pin the
statement count, counted as a fresh request sees it (an empty session, as in production), so
a lazy load or a per-question query cannot creep back in, and check that writing only the
difference leaves exactly what a full regrade would store.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import AuditEvent, Case, QuestionOutcomeRow, User
from auditapp.services.audit.round import FIRST_ROUND
from auditapp.services.grading import grade_stored_case
from tests import factories
from tests.performance.test_query_counts import counting_statements

# Two reads: the signed-in user (Flask-Login reloads it on every request); the case with the
# user's role and the round's answers and stored outcomes (one statement). The question set
# comes from the process's cache of parsed sets. Four writes: the case UPDATE under its
# version, the answer, the outcome rows that moved, the audit events.
SAVE_STATEMENTS = 6


def _save(client: Any, case_id: int, question: str, value: str, version: int) -> Any:
    return client.post(
        f"/audit/cases/{case_id}/answers/{question}",
        json={"value": value, "base_version": version},
        headers={"X-CSRFToken": client.csrf_token},
    )


def _statements_for_one_save(client: Any, case_id: int) -> list[str]:
    client.get(f"/audit/cases/{case_id}")  # the CSRF token, and warm caches
    version = db.session.get(Case, case_id).version
    db.session.close()  # a fresh request's empty session: nothing already loaded
    with counting_statements() as statements:
        response = _save(client, case_id, "DA02", "no", version)
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
    ids = few.id, many.id
    with_few = _statements_for_one_save(client, ids[0])
    with_many = _statements_for_one_save(client, ids[1])
    assert len(with_few) == len(with_many), (with_few, with_many)
    assert len(with_many) == SAVE_STATEMENTS, with_many
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
        response = _save(client, case.id, question, value, version)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["version"] == version + 1  # one UPDATE of the case a save
        version += 1
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    full = grade_stored_case(stored)
    rows = dict(
        db.session.execute(
            select(QuestionOutcomeRow.question_code, QuestionOutcomeRow.outcome).where(
                QuestionOutcomeRow.case_id == case.id, QuestionOutcomeRow.audit_round == FIRST_ROUND
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
