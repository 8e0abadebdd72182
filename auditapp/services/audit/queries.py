"""The audit's Core SQL reads: one round's case and stored rows in one statement, and the rest.

Every read returns named values (``.mappings()``, or JSON objects keyed by name); none is read
by position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Select, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from auditapp.extensions import db
from auditapp.models import Answer, Case, QuestionOutcomeRow, User
from auditapp.permissions import with_member_role

if TYPE_CHECKING:  # round.py reads its rows through this module
    from auditapp.services.audit.round import AuditRound


@dataclass(frozen=True)
class StoredAnswer:
    """One stored answer of a round: read as plain values, since a save builds no ORM objects.

    ``answered_by_id`` and ``answered_at`` are filled in only for an answer about to be written.
    """

    id: int | None
    value: str | None
    note: str | None
    answered_by_id: int | None = None
    answered_at: datetime | None = None


@dataclass
class RoundRows:
    """A round's stored answers and, when read with them, its stored question outcomes."""

    answers: dict[str, StoredAnswer]
    outcomes: dict[str, str] | None = None


class json_rows(FunctionElement[Any]):  # lower case: a SQL function, named like one
    """Aggregate rows into a JSON array of objects: ``json_rows(code=column, ...)``.

    SQLite's ``json_group_array(json_object(...))`` and PostgreSQL's
    ``json_agg(json_build_object(...))``: a correlated subquery of it puts many rows in one
    column of one result row, so the case and its answers come in one statement.
    """

    type = JSON()
    inherit_cache = True
    name = "json_rows"

    def __init__(self, **columns: Any) -> None:
        arguments: list[Any] = []
        for name, column in columns.items():  # names are ours, never user input
            arguments += [literal_column(f"'{name}'"), column]
        super().__init__(*arguments)


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_object({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    arguments = compiler.process(element.clauses, **kw)
    return f"coalesce(json_agg(json_build_object({arguments})), '[]'::json)"


def _answers_json(audit_round: int) -> Any:
    return (
        select(
            json_rows(code=Answer.question_code, id=Answer.id, value=Answer.value, note=Answer.note)
        )
        .where(Answer.case_id == Case.id, Answer.audit_round == audit_round)
        .scalar_subquery()
    )


def _outcomes_json(audit_round: int) -> Any:
    outcome = QuestionOutcomeRow
    return (
        select(json_rows(code=outcome.question_code, outcome=outcome.outcome))
        .where(outcome.case_id == Case.id, outcome.audit_round == audit_round)
        .scalar_subquery()
    )


def round_statement(case_id: int, user_id: int, audit_round: int) -> Select[Any]:
    """The case, the user's role in its inspection, and the round's answers and outcomes.

    Columns: ``Case``, ``role`` (None when the user is not a member), ``answers`` and
    ``outcomes`` (JSON). A caller adds the round's own row (``SecondAudit``) with its join.
    ``audit_round`` is the round's ``number`` (the value of the rows' ``audit_round`` column).
    """
    statement = select(
        Case,
        _answers_json(audit_round).label("answers"),
        _outcomes_json(audit_round).label("outcomes"),
    ).where(Case.id == case_id)
    return with_member_role(statement, user_id)


def round_rows(answers: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> RoundRows:
    """The rows of ``round_statement``'s JSON columns."""
    return RoundRows(
        answers={a["code"]: StoredAnswer(a["id"], a["value"], a["note"]) for a in answers},
        outcomes={o["code"]: o["outcome"] for o in outcomes},
    )


def round_answers(audit: AuditRound) -> dict[str, StoredAnswer]:
    """The stored answers of the round, by question id."""
    rows = db.session.execute(
        select(Answer.question_code.label("code"), Answer.id, Answer.value, Answer.note).where(
            Answer.case_id == audit.case.id, Answer.audit_round == audit.number
        )
    ).mappings()
    return {row["code"]: StoredAnswer(row["id"], row["value"], row["note"]) for row in rows}


def answer_author(answer_id: int) -> tuple[str | None, datetime | None]:
    """Who last saved a stored answer, and when (read only to report a conflict)."""
    row = (
        db.session.execute(
            select(User.name, Answer.answered_at)
            .outerjoin(User, User.id == Answer.answered_by_id)
            .where(Answer.id == answer_id)
        )
        .mappings()
        .first()
    )
    return (row["name"], row["answered_at"]) if row else (None, None)


def values_by_case(case_ids: list[int], audit_round: int) -> dict[int, dict[str, str | None]]:
    """The answers of one round of each case, by case id and question id."""
    if not case_ids:
        return {}
    result: dict[int, dict[str, str | None]] = {}
    rows = db.session.execute(
        select(Answer.case_id, Answer.question_code, Answer.value).where(
            Answer.case_id.in_(case_ids), Answer.audit_round == audit_round
        )
    ).mappings()
    for row in rows:
        result.setdefault(row["case_id"], {})[row["question_code"]] = row["value"]
    return result


def user_names(user_ids: Iterable[int | None]) -> dict[int | None, str]:
    """Users' names by id (None ids skipped)."""
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).mappings()
    return {row["id"]: row["name"] for row in rows}
