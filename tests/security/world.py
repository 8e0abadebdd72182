"""A small world to attack: two inspections, a user in every role, cases in every state.

Used by the access-control matrix, the CSRF test and the hostile-input test. Routes are
discovered from the app's URL map; each URL argument is filled from this world, for "own"
objects (in the inspection where lead, auditor and observer are members) or "foreign" ones
(another inspection, where only the outsider is a member).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, text
from werkzeug.routing import Rule
from werkzeug.wrappers import Response

from auditapp.extensions import db
from auditapp.models import (
    ActionPlanItem,
    ApiToken,
    Base,
    CaseStatus,
    EvidenceEntry,
    InspectionRole,
    Membership,
    Notification,
    NotificationKind,
    Recommendation,
    SecondAudit,
    User,
    utcnow,
)
from tests import factories
from tests.conftest import AppClient

ACTORS = ("anonymous", "outsider", "lead", "auditor", "observer", "admin")
MEMBER_ACTORS = ("lead", "auditor", "observer")
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
# URL arguments naming objects that belong to an inspection (or a user): foreign ones 404.
OBJECT_ARGUMENTS = {
    "inspection_id",
    "case_id",
    "membership_id",
    "recommendation_id",
    "token_id",
    "entry_id",
    "action_id",
}


def routes(app: Flask) -> list[Rule]:
    """Every rule of the URL map, sorted by endpoint."""
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


def methods_of(rule: Rule) -> list[str]:
    """The methods a rule serves, without the automatic HEAD and OPTIONS."""
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


@dataclass
class Scope:
    """The ids that fill URL arguments for one inspection's objects."""

    inspection_id: int
    cases: dict[str, int]
    membership_id: int
    recommendation_id: int
    token_id: int
    notification_id: int
    entry_id: int = 0  # an evidence-log entry of the inspection
    action_id: int = 0  # an action of the force's plan the inspection follows up


@dataclass
class World:
    """Session ids by actor name and the ids of own and foreign objects."""

    session_ids: dict[str, str]
    own: Scope
    foreign: Scope
    question_set_id: int
    question_code: str
    chapter: str
    draft_id: int = 0
    section_id: str = ""
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def arguments(self, rule: Rule, scope_name: str, case: str) -> dict[str, Any]:
        """Values for every argument of the rule; a new argument name fails loudly."""
        scope = self.own if scope_name == "own" else self.foreign
        values: dict[str, Any] = {
            "inspection_id": scope.inspection_id,
            "case_id": scope.cases[case],
            "membership_id": scope.membership_id,
            "recommendation_id": scope.recommendation_id,
            "token_id": scope.token_id,
            "notification_id": scope.notification_id,
            "entry_id": scope.entry_id,
            "action_id": scope.action_id,
            "user_id": int(self.session_ids["auditor"].partition(":")[0]),
            "question_set_id": self.question_set_id,
            "draft_id": self.draft_id,
            "section_id": self.section_id,
            "question_id": self.question_code,
            "code": self.question_code,
            "option_value": "yes",
            "outcome": "applicable",
            "batch": 1,
            "name": "cases",
            "filename": "favicon.svg",
            "token": "not-a-real-one-time-link-token",
        }
        missing = set(rule.arguments) - set(values)
        assert not missing, (
            f"{rule.endpoint} ({rule.rule}) has URL argument(s) {sorted(missing)} that "
            "tests/security/world.py cannot fill yet: add a value in World.arguments"
        )
        return {name: values[name] for name in rule.arguments}

    def restore(self) -> None:
        """Put the database back exactly as the world was built (ids included)."""
        from tests.conftest import _empty_database

        # Requests share the test's session: end its transaction, or PostgreSQL's TRUNCATE
        # waits for the locks it holds.
        db.session.rollback()
        db.session.close()
        if db.engine.dialect.name == "postgresql":
            # Ten times faster than TRUNCATE of every table; only the audit log needs TRUNCATE
            # (its triggers refuse DELETE).
            with db.engine.begin() as connection:
                connection.execute(text("TRUNCATE audit_event, audit_chain"))
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name not in ("audit_event", "audit_chain"):
                        connection.execute(table.delete())
        else:
            _empty_database()
        with db.engine.begin() as connection:
            for table in Base.metadata.sorted_tables:
                if self.rows.get(table.name):
                    connection.execute(table.insert(), self.rows[table.name])
            if connection.dialect.name == "postgresql":
                for table in Base.metadata.sorted_tables:
                    if "id" in table.c and self.rows.get(table.name):
                        connection.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                f'(SELECT max(id) FROM "{table.name}"))'
                            )
                        )
        db.session.expire_all()


def _dump() -> dict[str, list[dict[str, Any]]]:
    with db.engine.connect() as connection:
        return {
            table.name: [dict(row) for row in connection.execute(table.select()).mappings()]
            for table in Base.metadata.sorted_tables
            # The database links the events again as they are put back (migration 0003).
            if table.name != "audit_chain"
        }


def _notification(recipient: User, case_id: int) -> int:
    """A notification of the urgent concern on the draft case, the recipient's alone."""
    row = Notification(
        recipient_id=recipient.id,
        kind=NotificationKind.URGENT_CONCERN,
        case_id=case_id,
        text="Case flagged",
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def _token(user: User, name: str) -> ApiToken:
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hashlib.sha256(name.encode()).hexdigest()
    )
    db.session.add(token)
    db.session.flush()
    return token


def _recommendation(inspection_id: int) -> Recommendation:
    recommendation = Recommendation(
        inspection_id=inspection_id,
        code="R1",
        chapter="Initial contact",
        timescale="Within six months",
        text="Forces should make sure that call handlers record the voice of the child.",
    )
    db.session.add(recommendation)
    db.session.flush()
    return recommendation


def _evidence_and_action(inspection_id: int, recommendation_id: int) -> tuple[int, int]:
    """An evidence-log entry and an action of the inspection."""
    entry = EvidenceEntry(
        inspection_id=inspection_id, kind="document", held_on=date(2022, 9, 5),
        source="Force missing persons policy", description="Read before the visit.",
    )  # fmt: skip
    action = ActionPlanItem(
        inspection_id=inspection_id, recommendation_id=recommendation_id,
        description="Record the voice of the child.", owner="Head of the Demand Hub",
    )  # fmt: skip
    db.session.add_all([entry, action])
    db.session.flush()
    return entry.id, action.id


_CACHE: dict[str, World] = {}


def fresh_world() -> World:
    """The world, built once per test run and restored from its rows for every later test."""
    world = _CACHE.get("world")
    if world is None:
        world = _build_world()
        world.rows = _dump()
        _CACHE["world"] = world
    else:
        world.restore()
    return world


def _build_world() -> World:
    """Two inspections with baselines; own has a lead, two auditors and an observer."""
    own_baseline = factories.make_inspection("Inspection 2021")
    foreign_baseline = factories.make_inspection("Another force's inspection 2021")
    own_inspection = factories.make_inspection("Review 2022", baseline_id=own_baseline.id)
    foreign_inspection = factories.make_inspection(
        "Another force's review", baseline_id=foreign_baseline.id
    )
    users = {
        "admin": factories.make_user("admin@example.test", admin=True),
        "lead": factories.make_member(own_inspection, "lead@example.test", InspectionRole.LEAD),
        "auditor": factories.make_member(
            own_inspection, "auditor@example.test", InspectionRole.AUDITOR
        ),
        "observer": factories.make_member(
            own_inspection, "observer@example.test", InspectionRole.OBSERVER
        ),
        "outsider": factories.make_member(
            foreign_inspection, "outsider@example.test", InspectionRole.LEAD
        ),
    }
    second = factories.make_member(own_inspection, "auditor2@example.test", InspectionRole.AUDITOR)
    foreign_auditor = factories.make_member(
        foreign_inspection, "foreign-auditor@example.test", InspectionRole.AUDITOR
    )
    code = _first_question_code(factories.question_set("domestic-abuse"))
    answers = {code: "yes"}

    def cases(inspection: Any, auditor: User, other: User, lead: User, prefix: str) -> dict:
        draft = factories.make_case(
            inspection, f"{prefix}-DRAFT", auditor=auditor, answers={}, current_risk=True
        )
        # Submitted by `other`; `auditor` has been asked for a blind second audit of it.
        submitted = factories.make_case(
            inspection,
            f"{prefix}-SUBMITTED",
            auditor=other,
            answers=answers,
            status=CaseStatus.SUBMITTED,
            submitted_at=utcnow(),
        )
        db.session.add(
            SecondAudit(case_id=submitted.id, auditor_id=auditor.id, requested_by_id=lead.id)
        )
        db.session.flush()
        return {"draft": draft.id, "submitted": submitted.id}

    own_cases = cases(own_inspection, users["auditor"], second, users["lead"], "OWN")
    foreign_cases = cases(
        foreign_inspection, foreign_auditor, users["outsider"], users["outsider"], "FOREIGN"
    )

    def membership(user: User) -> int:
        return db.session.scalars(select(Membership.id).where(Membership.user_id == user.id)).one()

    own = Scope(
        inspection_id=own_inspection.id,
        cases=own_cases,
        membership_id=membership(users["observer"]),
        recommendation_id=_recommendation(own_baseline.id).id,
        token_id=_token(users["lead"], "lead-token").id,
        notification_id=_notification(users["lead"], own_cases["draft"]),
    )
    foreign = Scope(
        inspection_id=foreign_inspection.id,
        cases=foreign_cases,
        membership_id=membership(foreign_auditor),
        recommendation_id=_recommendation(foreign_baseline.id).id,
        token_id=_token(users["outsider"], "outsider-token").id,
        notification_id=_notification(users["outsider"], foreign_cases["draft"]),
    )
    own.entry_id, own.action_id = _evidence_and_action(own.inspection_id, own.recommendation_id)
    foreign.entry_id, foreign.action_id = _evidence_and_action(
        foreign.inspection_id, foreign.recommendation_id
    )
    db.session.commit()
    session_ids = {actor: user.get_id() for actor, user in users.items()}
    question_set_id = factories.question_set("domestic-abuse").id
    draft, section_id = _draft(users["admin"])
    return World(
        session_ids, own, foreign, question_set_id, code, chapter="Initial contact",
        draft_id=draft, section_id=section_id,
    )  # fmt: skip


def _draft(admin: User) -> tuple[int, str]:
    """A question-set draft copied from the domestic-abuse set, and its first section's id."""
    from auditapp.services.question_set_drafts import copy_version_to_draft

    draft = copy_version_to_draft(factories.question_set("domestic-abuse"), by=admin)
    db.session.commit()
    return draft.id, str(draft.definition["sections"][0]["id"])


def _first_question_code(question_set: Any) -> str:
    from auditapp.services.question_sets import question_set_data

    return str(question_set_data(question_set).sections[0].questions[0].id)


def client_for(app: Flask, world: World, actor: str) -> AppClient:
    """A client signed in as the actor (session written directly: no slow password hash)."""
    app.test_client_class = AppClient
    client: AppClient = app.test_client()  # type: ignore[assignment]  # test_client_class is AppClient
    if actor != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = world.session_ids[actor]
            session["_fresh"] = True
            session["last_seen"] = int(time.time())
            session.permanent = True
    # The token Flask-WTF would put in a form: a random value in the session, signed.
    raw = secrets.token_hex(20)
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")  # type: ignore[arg-type]  # the test app has a key
    client.csrf_token = str(signer.dumps(raw))
    return client


def request(
    client: AppClient, method: str, path: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """Send a request; state-changing ones carry the client's CSRF token unless data has one.

    The test app propagates exceptions; one is turned into a 500 response naming it, so a
    test reports the route and the exception instead of stopping at the first.
    """
    try:
        if method in STATE_CHANGING:
            payload = {"csrf_token": client.csrf_token, **(data or {})}
            return client.open(path, method=method, data=payload, **kwargs)
        return client.open(path, method=method, **kwargs)
    except Exception as error:
        db.session.rollback()
        return Response(f"unhandled {type(error).__name__}: {error}", status=500)


def outcome(response: Any) -> str:
    """ok, login, 401, 403, 404 or 5xx: what the permission layer decided."""
    status = response.status_code
    if status >= 500:
        return "5xx"
    if status in (401, 403, 404):
        return str(status)
    if status in (301, 302, 303, 307, 308) and "/auth/login" in response.headers.get(
        "Location", ""
    ):
        return "login"
    return "ok"


def snapshot() -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text, in a stable order: to prove nothing changed."""
    rows: dict[str, list[tuple[str, ...]]] = {}
    db.session.expire_all()
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = connection.execute(text(f'SELECT * FROM "{table.name}"'))
            rows[table.name] = sorted(tuple(str(value) for value in row) for row in result)
    return rows


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Names of the tables whose rows differ."""
    return [name for name in before if before[name] != after.get(name)]


FIELD_RE = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)
FILE_RE = re.compile(
    r'<input\b[^>]*type="file"[^>]*name="([^"]+)"|'
    r'<input\b[^>]*name="([^"]+)"[^>]*type="file"',
    re.IGNORECASE,
)


def form_fields(page: str) -> tuple[set[str], set[str]]:
    """The field names and the file-field names of the forms on a page (no CSRF token)."""
    names = set(FIELD_RE.findall(page)) - {"csrf_token"}
    files = {a or b for a, b in FILE_RE.findall(page)}
    return names - files, files
