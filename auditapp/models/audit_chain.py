"""The audit log's hash chain format: each payload version's canonical text, and SQLite's copy.

Every audit event gets one chain link (table ``audit_chain``), written by the database itself
(migration 0003), never by the application, so chaining adds no statement to the app's inserts:

    link.hash = sha256_hex(link.prev_hash + "\\n" + payload(link.payload_version, event))

``prev_hash`` is the previous link's hash (``GENESIS_HASH`` for the first link), so changing,
removing or reordering an event breaks every later link. On PostgreSQL the payload and hash
are SQL functions of migration 0003 (``audit_chain_payload``, ``audit_chain_hash``); on
SQLite they are the Python functions below, registered on every connection under the same
names. Insertion (the trigger) and verification (``flask audit-log verify``) call the same
function of the same database, so the payload is defined once per database, and the two
definitions produce the same text (a test holds PostgreSQL's to this one).

Payload version 1 is one line per field, in this order: the marker ``auditapp-event-v1``,
then id, occurred_at, user_id, inspection_id, case_id, action, entity, entity_id, field,
old_value, new_value. A field is ``-`` when NULL, otherwise ``<length>:<text>`` (length in
characters), so no value can be mistaken for another whatever characters it holds. Numbers
are decimal; occurred_at is UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.

Payload version 2 (migration 0013, for redaction) is version 1 with the marker
``auditapp-event-v2`` and two more fields at the end: old_text_key and new_text_key. When an
event records free text (a note, a reason, a narrative), the text itself is kept in
``free_text`` under that key, and the event's value column holds only its salted digest
(``sha256:<hex>``), so the chain covers the key and the digest, never the text: erasing the
text (redaction) leaves every link verifiable. Links keep the version they were written with;
the database's functions take all 14 arguments and read only the fields of the link's version.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

PAYLOAD_VERSION = 2
GENESIS_HASH = "0" * 64
PAYLOAD_MARKERS = {1: "auditapp-event-v1", 2: "auditapp-event-v2"}
# The event columns after id and occurred_at each version hashes.
PAYLOAD_COLUMNS = {1: 9, 2: 11}


def utc_text(value: Any) -> str | None:
    """A timestamp as UTC text with microseconds; anything that is not a timestamp, marked."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return f"?{value}"  # not a timestamp (written by hand): hashed as found
    if not isinstance(value, datetime):
        return f"?{value}"
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
    )


def _field(value: Any) -> str:
    """One field: ``-`` for NULL, else its text prefixed by its length."""
    if value is None:
        return "-"
    if isinstance(value, bytes):
        value = "x" + value.hex()
    elif isinstance(value, float):
        value = repr(value)
    text = str(value)
    return f"{len(text)}:{text}"


def canonical_payload(version: int, event_id: Any, occurred_at: Any, *columns: Any) -> str | None:
    """The text hashed for one event; None for a version this code does not know.

    ``columns`` are user_id, inspection_id, case_id, action, entity, entity_id, field,
    old_value and new_value, as stored, then (optional for version 1, which ignores them)
    old_text_key and new_text_key.
    """
    marker = PAYLOAD_MARKERS.get(version)
    if marker is None or len(columns) not in (9, 11) or len(columns) < PAYLOAD_COLUMNS[version]:
        return None
    fields = [event_id, utc_text(occurred_at), *columns[: PAYLOAD_COLUMNS[version]]]
    return "\n".join([marker, *(_field(value) for value in fields)])


def chain_hash(prev_hash: str | None, payload: str | None) -> str | None:
    """A link's hash: SHA-256 of the previous hash and the payload, in hexadecimal."""
    if prev_hash is None or payload is None:
        return None
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def register_sqlite_functions(connection: sqlite3.Connection) -> None:
    """Give a SQLite connection the chain's functions, which migration 0003's trigger calls.

    Any other client (the sqlite3 shell, a script) lacks them, so its INSERT into audit_event
    fails with "no such function" instead of writing an event the chain does not cover.
    """
    for arguments in (12, 14):  # version 1's trigger called 12; verification and v2 call 14
        connection.create_function(
            "audit_chain_payload", arguments, canonical_payload, deterministic=True
        )
    connection.create_function("audit_chain_hash", 2, chain_hash, deterministic=True)


@event.listens_for(Engine, "connect")
def _register_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Every SQLAlchemy engine's SQLite connections: the app's, migrations', tests'."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        register_sqlite_functions(dbapi_connection)
