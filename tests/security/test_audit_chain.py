"""The audit log's hash chain: the database links every event, and `flask audit-log verify`
names the first event that was changed, deleted or slipped in behind the chain's back."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from auditapp.extensions import db
from auditapp.models import AuditEvent, FreeText
from auditapp.models.audit_chain import (
    GENESIS_HASH,
    PAYLOAD_VERSION,
    canonical_payload,
    chain_hash,
)
from auditapp.models.audit_event import AuditChainLink, AuditLogError
from auditapp.services.audit_log import event_values, insert_events, record_event
from tests import factories

PAYLOAD_SQL = (
    "audit_chain_payload({version}, e.id, e.occurred_at, e.user_id, e.inspection_id, "
    "e.case_id, e.action, e.entity, e.entity_id, e.field, e.old_value, e.new_value, "
    "e.old_text_key, e.new_text_key)"
)


def _events(count: int, *, start: int = 0) -> list[int]:
    """``count`` events, half through the ORM and half as one Core burst (the save path's way)."""
    orm = [
        record_event("change_answer", "case", user=None, entity_id=n, field="DA01", new=f"v{n}")
        for n in range(start, start + count // 2)
    ]
    insert_events(
        [
            event_values("change_note", "case", user=None, entity_id=n, old="a", new=f"note {n}")
            for n in range(start + count // 2, start + count)
        ]
    )
    db.session.commit()
    assert all(event.id for event in orm)
    return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def _links() -> list[AuditChainLink]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditChainLink).order_by(AuditChainLink.seq)))


def _verify(app: Flask, *options: str) -> tuple[int, str]:
    db.session.close()  # PostgreSQL: end the test's transaction, so the command sees its commits
    result = app.test_cli_runner().invoke(args=["audit-log", "verify", *options])
    return result.exit_code, result.output


@contextmanager
def _as_owner(*, foreign_keys: bool = True) -> Iterator[Connection]:
    """A transaction with the audit tables' triggers lifted, as only their owner can do."""
    with db.engine.connect() as connection:
        sqlite_without_keys = connection.dialect.name == "sqlite" and not foreign_keys
        if sqlite_without_keys:  # a pragma that only works outside a transaction
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    # ALL also lifts the foreign keys' triggers (the tests run as a superuser)
                    scope = "USER" if foreign_keys else "ALL"
                    for table in ("audit_event", "audit_chain"):
                        connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {scope}"))
                    yield connection
                    for table in ("audit_event", "audit_chain"):
                        connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {scope}"))
                else:
                    triggers = connection.execute(
                        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
                    ).all()
                    for name, _ in triggers:
                        connection.execute(text(f'DROP TRIGGER "{name}"'))
                    yield connection
                    for _, sql in triggers:
                        connection.execute(text(sql))
        finally:
            if sqlite_without_keys:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def test_every_event_gets_the_next_link_whichever_way_it_was_written(app: Flask) -> None:
    ids = _events(6)
    links = _links()
    assert [link.seq for link in links] == [1, 2, 3, 4, 5, 6]
    assert [link.event_id for link in links] == ids
    assert links[0].prev_hash == GENESIS_HASH
    assert [link.prev_hash for link in links[1:]] == [link.hash for link in links[:-1]]
    assert {link.payload_version for link in links} == {PAYLOAD_VERSION}
    assert _verify(app) == (0, "6 events, chain intact\n" + _head_line(links[-1]))


def _head_line(link: AuditChainLink) -> str:
    anchor = f"{link.seq}:{link.hash}"
    return (
        f"Head: link {link.seq}, hash {link.hash}. Keep it outside the database and check it "
        f"later with --anchor {anchor}\n"
    )


def test_an_empty_log_is_intact(app: Flask) -> None:
    assert _verify(app) == (0, "0 events, chain intact\n")


def test_each_link_hashes_the_previous_hash_and_the_events_payload() -> None:
    """The stored hash is sha256(prev + payload) with the payload this app defines."""
    _events(2)
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.prev_hash, c.hash, c.payload_version, e.* FROM audit_chain c "
                "JOIN audit_event e ON e.id = c.event_id ORDER BY c.seq"
            )
        ).mappings()
        for row in rows:
            payload = canonical_payload(
                row["payload_version"],
                row["id"],
                row["occurred_at"],
                *(row[name] for name in _COLUMNS),
            )
            assert row["hash"] == chain_hash(row["prev_hash"], payload)


_COLUMNS = (
    "user_id",
    "inspection_id",
    "case_id",
    "action",
    "entity",
    "entity_id",
    "field",
    "old_value",
    "new_value",
    "old_text_key",
    "new_text_key",
)

ODD_VALUES = [
    "plain",
    "",
    "a\nnew line, a | bar, 4:colon and -",
    "Ünïcödé ✓ 🧒 \u202e reversed",
    "1:x\n-\n2:yy",  # looks like payload fields: must not be confused with them
]


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 0, 0, 1, tzinfo=UTC),
    ],
)
def test_the_databases_payload_is_the_canonical_payload(value: str, moment: datetime) -> None:
    """PostgreSQL's SQL function and SQLite's Python function build the same text."""
    event = AuditEvent(
        occurred_at=moment,
        user_id=None,
        action="change_note",
        entity="case",
        entity_id="12",
        field=value,
        old_value=None,
        new_value=value,
    )
    db.session.add(event)
    db.session.commit()
    for version in (1, 2):
        stored = db.session.execute(
            text(
                f"SELECT {PAYLOAD_SQL.format(version=version)} FROM audit_event e WHERE e.id = :id"
            ),
            {"id": event.id},
        ).scalar_one()
        columns = (None, None, None, "change_note", "case", "12", value, None, value, None, None)
        expected = canonical_payload(version, event.id, moment, *columns)
        assert stored == expected
        assert expected is not None
        assert expected.splitlines()[2] == f"27:{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}"


def test_distinct_events_have_distinct_payloads() -> None:
    """Length prefixes: moving text between fields changes the payload."""
    a = canonical_payload(1, 1, None, None, None, None, "a", "b", None, "x\n1:y", None, None)
    b = canonical_payload(1, 1, None, None, None, None, "a", "b", None, "x", "y", None)
    c = canonical_payload(1, 1, None, None, None, None, "a", "b", None, None, "", None)
    d = canonical_payload(1, 1, None, None, None, None, "a", "b", None, None, None, None)
    assert len({a, b, c, d}) == 4
    assert canonical_payload(3, 1, None, *([None] * 11)) is None  # an unknown version
    assert canonical_payload(2, 1, None, *([None] * 9)) is None  # version 2 hashes the keys


def test_a_changed_event_is_reported_at_its_own_link(app: Flask) -> None:
    ids = _events(6)
    with _as_owner() as connection:
        connection.execute(
            text("UPDATE audit_event SET new_value = 'forged' WHERE id = :id"), {"id": ids[3]}
        )
    code, output = _verify(app)
    assert code == 1
    assert output.splitlines()[0] == (
        f"Broken chain at event {ids[3]}, link 4: the event differs from what was recorded: "
        "it was changed after it was written"
    )


@pytest.mark.parametrize("column", ["occurred_at", "user_id", "action", "old_value", "field"])
def test_a_change_to_any_column_is_reported(app: Flask, column: str) -> None:
    ids = _events(3)
    values: dict[str, Any] = {
        "occurred_at": datetime(2020, 1, 1, tzinfo=UTC),
        "user_id": None,
        "action": "login",
        "old_value": "b",
        "field": "DA02",
    }
    if column == "user_id":  # a real user to point the event at
        values["user_id"] = factories.make_user("someone@example.test").id
    with _as_owner() as connection:
        connection.execute(
            text(f"UPDATE audit_event SET {column} = :value WHERE id = :id"),
            {"value": values[column], "id": ids[1]},
        )
    code, output = _verify(app)
    assert code == 1
    assert output.startswith(f"Broken chain at event {ids[1]}, link 2: the event differs")


def test_a_deleted_event_is_reported_at_the_link_after_it(app: Flask) -> None:
    """Deleting an event means deleting its link (a foreign key): the next link shows it."""
    ids = _events(5)
    with _as_owner() as connection:
        connection.execute(text("DELETE FROM audit_chain WHERE event_id = :id"), {"id": ids[2]})
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[2]})
    code, output = _verify(app)
    assert code == 1
    assert output.splitlines()[0] == (
        f"Broken chain at event {ids[3]}, link 4: link 3 is missing: removed from the chain, "
        "with the events they covered"
    )


def test_a_deleted_event_whose_link_stays_is_reported(app: Flask) -> None:
    ids = _events(4)
    with _as_owner(foreign_keys=False) as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    code, output = _verify(app)
    assert code == 1
    assert output.splitlines()[0] == (
        f"Broken chain at event {ids[1]}, link 2: the event is missing: it was deleted after "
        "it was recorded"
    )


def test_an_event_written_with_the_chain_trigger_off_is_reported(app: Flask) -> None:
    _events(2)
    with _as_owner() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (id, occurred_at, action, entity) "
                "VALUES (500, :now, 'login', 'user')"
            ),
            {"now": datetime.now(UTC)},
        )
    code, output = _verify(app)
    assert code == 1
    assert output.splitlines()[0] == (
        "Broken chain at event 500: not in the chain: written while the chain trigger was off"
    )


def _rechain_from(connection: Connection, seq: int) -> None:
    """What someone who knows the (unkeyed) format can do: recompute every later hash."""
    rows = connection.execute(
        text(
            f"SELECT c.seq, {PAYLOAD_SQL.format(version='c.payload_version')} AS payload "
            "FROM audit_chain c JOIN audit_event e ON e.id = c.event_id "
            "WHERE c.seq >= :seq ORDER BY c.seq"
        ),
        {"seq": seq},
    ).all()
    prev = connection.execute(
        text("SELECT hash FROM audit_chain WHERE seq = :seq"), {"seq": seq - 1}
    ).scalar_one()
    for row in rows:
        digest = chain_hash(prev, row.payload)
        connection.execute(
            text("UPDATE audit_chain SET prev_hash = :prev, hash = :hash WHERE seq = :seq"),
            {"prev": prev, "hash": digest, "seq": row.seq},
        )
        prev = digest


def test_a_recomputed_chain_is_caught_only_by_an_anchor_kept_elsewhere(app: Flask) -> None:
    """The documented limit: an unkeyed chain can be recomputed; a recorded head cannot."""
    ids = _events(4)
    head = _links()[-1]
    anchor = f"{head.seq}:{head.hash}"
    assert _verify(app, "--anchor", anchor)[0] == 0
    with _as_owner() as connection:
        connection.execute(
            text("UPDATE audit_event SET new_value = 'forged' WHERE id = :id"), {"id": ids[1]}
        )
        _rechain_from(connection, 2)
    assert _verify(app)[0] == 0
    code, output = _verify(app, "--anchor", anchor)
    assert code == 1
    assert output.splitlines()[0] == (
        "Broken chain at link 4: the link's hash differs from the recorded anchor"
    )


def test_an_anchor_catches_events_cut_from_the_end(app: Flask) -> None:
    ids = _events(4)
    head = _links()[-1]
    with _as_owner() as connection:
        connection.execute(text("DELETE FROM audit_chain WHERE seq = 4"))
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[-1]})
    code, output = _verify(app, "--anchor", f"{head.seq}:{head.hash}")
    assert code == 1
    assert "link 4: the anchored link is missing: the chain was cut short" in output


def test_verify_lists_every_problem_on_request(app: Flask) -> None:
    ids = _events(6)
    with _as_owner() as connection:
        for event_id in (ids[1], ids[4]):
            connection.execute(
                text("UPDATE audit_event SET new_value = 'x' WHERE id = :id"), {"id": event_id}
            )
    code, output = _verify(app)
    # ids[4] is a note: its digest no longer matches its kept-apart text either.
    assert code == 1 and "(2 further problems: --all lists them)" in output
    code, output = _verify(app, "--all")
    lines = [line for line in output.splitlines() if line.startswith("Broken")]
    assert [line.split(":")[0] for line in lines] == [
        f"Broken chain at event {ids[1]}, link 2",
        f"Broken chain at event {ids[4]}, link 5",
        f"Broken chain at event {ids[4]}",
    ]


def test_verify_refuses_a_malformed_anchor(app: Flask) -> None:
    code, output = _verify(app, "--anchor", "4:abc")
    assert code == 2 and "SEQ:HASH" in output


def test_the_app_cannot_write_or_change_chain_links() -> None:
    _events(1)
    db.session.add(AuditChainLink(seq=9, event_id=1, payload_version=1, prev_hash="0", hash="0"))
    with pytest.raises(AuditLogError):
        db.session.flush()
    db.session.rollback()
    link = _links()[0]
    link.hash = "f" * 64
    with pytest.raises(AuditLogError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_chain SET hash = 'forged'", "DELETE FROM audit_chain"]
)
def test_the_database_refuses_to_change_chain_links(sql: str) -> None:
    _events(2)
    before = [(link.seq, link.hash) for link in _links()]
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(sql))
    assert [(link.seq, link.hash) for link in _links()] == before


def test_a_sqlite_client_without_the_functions_cannot_write_an_unchained_event() -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's chain functions live in the database")
    connection = sqlite3.connect(db.engine.url.database)
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such function"):
            connection.execute(
                "INSERT INTO audit_event (occurred_at, action, entity) "
                "VALUES (datetime('now'), 'x', 'y')"
            )
    finally:
        connection.close()


def test_concurrent_transactions_never_fork_the_chain(app: Flask) -> None:
    """Writers in parallel threads: one chain, seq 1..N, every event linked once."""
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with app.app_context():
                for burst in range(5):
                    record_event("login", "user", user=None, entity_id=number)
                    insert_events(
                        [
                            event_values("x", "case", user=None, entity_id=f"{number}.{burst}.{n}")
                            for n in range(3)
                        ]
                    )
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    links = _links()
    assert [link.seq for link in links] == list(range(1, 6 * 5 * 4 + 1))
    assert _verify(app)[0] == 0


def test_the_migration_chains_existing_events_in_id_order(app: Flask) -> None:
    """Upgrading a database that has events: they are chained by id, and verify holds."""
    db.session.close()
    downgrade(revision="0002")
    try:
        with db.engine.begin() as connection:
            for event_id, day in ((103, 1), (101, 3), (102, 2)):  # ids not in time order
                connection.execute(
                    text(
                        "INSERT INTO audit_event (id, occurred_at, action, entity, new_value) "
                        "VALUES (:id, :at, 'create', 'case', :new)"
                    ),
                    {"id": event_id, "at": datetime(2025, 1, day, tzinfo=UTC), "new": "é\n"},
                )
    finally:
        upgrade()
    assert [(link.seq, link.event_id) for link in _links()] == [(1, 101), (2, 102), (3, 103)]
    _events(2, start=10)  # and the trigger carries on from there
    assert [link.seq for link in _links()] == [1, 2, 3, 4, 5]
    assert _verify(app)[0] == 0


def test_sqlite_and_postgresql_store_the_same_payload_for_the_same_event() -> None:
    """One format on both databases: the payload read back equals the canonical one."""
    stamp = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    event = AuditEvent(occurred_at=stamp, action="a", entity="b", new_value="c")
    db.session.add(event)
    db.session.commit()
    payload: Any = db.session.execute(
        text(f"SELECT {PAYLOAD_SQL.format(version=2)} FROM audit_event e WHERE e.id = :id"),
        {"id": event.id},
    ).scalar_one()
    assert payload == "\n".join(
        [
            "auditapp-event-v2",
            f"{len(str(event.id))}:{event.id}",
            "27:2026-01-02T03:04:05.000006Z",
            "-",
            "-",
            "-",
            "1:a",
            "1:b",
            "-",
            "-",
            "-",
            "1:c",
            "-",
            "-",
        ]
    )


def test_free_text_is_kept_apart_and_only_its_digest_is_chained(app: Flask) -> None:
    _events(2)
    note = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "change_note")).one()
    assert note.new_value is not None and note.new_value.startswith("sha256:")
    assert note.new_text_key is not None and note.old_text_key is not None
    texts = db.session.scalars(select(FreeText.body).order_by(FreeText.body)).all()
    assert texts == ["a", "note 1"]
    assert "note 1" not in (note.old_value or "") + (note.new_value or "")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            "UPDATE free_text SET body = 'forged' WHERE body = 'note 1'",
            "its free text differs from what was recorded",
        ),
        (
            "UPDATE free_text SET body = NULL, salt = NULL WHERE body = 'note 1'",
            "its free text was erased without a redaction",
        ),
    ],
)
def test_a_changed_or_silently_erased_free_text_is_reported(
    app: Flask, change: str, problem: str
) -> None:
    ids = _events(2)
    with db.engine.begin() as connection:  # free_text rows may be changed (redaction)...
        connection.execute(text(change))
    code, output = _verify(app)  # ...but only by a redaction, to the recorded digest
    assert code == 1
    assert output.splitlines()[0] == f"Broken chain at event {ids[1]}: {problem}"


def test_version_1_links_written_before_the_upgrade_still_verify(app: Flask) -> None:
    """Events chained with payload version 1 keep it; new ones get version 2; all verify."""
    db.session.close()
    downgrade(revision="0012")
    try:
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_event (occurred_at, action, entity, field, new_value) "
                    "VALUES (:at, 'change_note', 'answer', 'DA01', 'an old note')"
                ),
                {"at": datetime(2025, 1, 1, tzinfo=UTC)},
            )
    finally:
        upgrade()
    _events(2, start=10)
    assert [link.payload_version for link in _links()] == [1, 2, 2]
    assert _verify(app)[0] == 0


def test_an_erasure_naming_a_redaction_the_log_does_not_record_is_reported(app: Flask) -> None:
    """Only a logged redaction may erase kept-apart text: a row written to look like one is not."""
    inspection = factories.make_inspection("Review")
    ids = _events(2)
    with db.engine.begin() as connection:
        redaction_id = connection.execute(
            text(
                "INSERT INTO redaction (inspection_id, entity, field, reason, redacted_by_name, "
                "redacted_at) VALUES (:inspection, 'answer', 'DA01', 'r', 'x', :at) RETURNING id"
            ),
            {"inspection": inspection.id, "at": datetime(2026, 1, 1, tzinfo=UTC)},
        ).scalar_one()
        connection.execute(
            text(
                "UPDATE free_text SET body = NULL, salt = NULL, redaction_id = :r "
                "WHERE body = 'note 1'"
            ),
            {"r": redaction_id},
        )
    code, output = _verify(app)
    assert code == 1
    assert output.splitlines()[0] == (
        f"Broken chain at event {ids[1]}: its free text was erased without a redaction"
    )
