"""Verify the audit log's hash chain: walk the links in order and name the first broken one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, RowMapping

from auditapp.models.audit_chain import GENESIS_HASH
from auditapp.models.free_text_digest import text_digest

# The hash is recomputed by the database's own functions (PostgreSQL's SQL functions, or the
# Python functions registered on SQLite connections), the ones its trigger used at insert.
_WALK = text(
    "SELECT c.seq, c.event_id, c.payload_version, c.prev_hash, c.hash, e.id AS found_id, "
    "audit_chain_hash(c.prev_hash, audit_chain_payload(c.payload_version, e.id, "
    "e.occurred_at, e.user_id, e.inspection_id, e.case_id, e.action, e.entity, e.entity_id, "
    "e.field, e.old_value, e.new_value, e.old_text_key, e.new_text_key)) AS recomputed "
    "FROM audit_chain AS c LEFT JOIN audit_event AS e ON e.id = c.event_id "
    "ORDER BY c.seq"
)
_UNCHAINED = text(
    "SELECT e.id FROM audit_event AS e LEFT JOIN audit_chain AS c ON c.event_id = e.id "
    "WHERE c.seq IS NULL ORDER BY e.id"
)
# Each free text an event refers to, with the digest the event (and so the chain) recorded.
_FREE_TEXTS = text(
    "SELECT e.id AS event_id, e.old_value AS digest, t.key, t.salt, t.body, t.redaction_id "
    "FROM audit_event AS e JOIN free_text AS t ON t.key = e.old_text_key "
    "UNION ALL "
    "SELECT e.id, e.new_value, t.key, t.salt, t.body, t.redaction_id "
    "FROM audit_event AS e JOIN free_text AS t ON t.key = e.new_text_key "
    "ORDER BY 1"
)
# The redactions the log records (their events carry the redaction's id).
_LOGGED_REDACTIONS = text("SELECT entity_id FROM audit_event WHERE action = 'redact'")
_ANCHORED = text("SELECT seq, hash FROM audit_chain WHERE seq IN :seqs").bindparams(
    bindparam("seqs", expanding=True)
)


@dataclass(frozen=True)
class ChainBreak:
    """One broken link: where (link and event) and what differs, in words."""

    seq: int | None
    event_id: int | None
    problem: str

    def describe(self) -> str:
        """One line for the command line."""
        where = []
        if self.event_id is not None:
            where.append(f"event {self.event_id}")
        if self.seq is not None:
            where.append(f"link {self.seq}")
        return f"{', '.join(where)}: {self.problem}"


@dataclass
class ChainReport:
    """What a walk of the chain found: the links walked, the head, and every break."""

    links: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """True when no link is broken."""
        return not self.breaks


def _check_link(row: RowMapping, expected_seq: int, expected_prev: str) -> str | None:
    """What is wrong with one link, given the link before it; None when it holds."""
    if row["seq"] != expected_seq:
        missing = (
            f"link {expected_seq} is"
            if row["seq"] == expected_seq + 1
            else f"links {expected_seq} to {row['seq'] - 1} are"
        )
        return f"{missing} missing: removed from the chain, with the events they covered"
    if row["prev_hash"] != expected_prev:
        return "its previous hash is not the hash of the link before it: links were rewritten"
    if row["found_id"] is None:
        return "the event is missing: it was deleted after it was recorded"
    if row["recomputed"] is None:
        return f"payload version {row['payload_version']} is unknown to this version of the app"
    if row["recomputed"] != row["hash"]:
        return "the event differs from what was recorded: it was changed after it was written"
    return None


def verify_chain(connection: Connection, anchors: Mapping[int, str] | None = None) -> ChainReport:
    """Walk every link in order; also check events outside the chain and recorded anchors.

    ``anchors`` maps a link's seq to the hash a previous verification printed for it (kept
    outside the database): a chain cut short or rewritten from that link on no longer has it.
    """
    report = ChainReport()
    expected_prev = GENESIS_HASH
    # Streamed: a log of millions of events is walked in constant memory.
    for row in connection.execute(_WALK.execution_options(yield_per=2000)).mappings():
        problem = _check_link(row, report.head_seq + 1, expected_prev)
        if problem is not None:
            report.breaks.append(ChainBreak(row["seq"], row["event_id"], problem))
        report.links += 1
        report.head_seq, report.head_hash = row["seq"], row["hash"]
        expected_prev = row["hash"]
    for event_id in connection.execute(_UNCHAINED).scalars():
        report.breaks.append(
            ChainBreak(None, event_id, "not in the chain: written while the chain trigger was off")
        )
    report.breaks.extend(_check_free_texts(connection))
    report.breaks.extend(_check_anchors(connection, anchors or {}))
    return report


def _check_free_texts(connection: Connection) -> Iterable[ChainBreak]:
    """Each free text still held matches the digest its event recorded; an erased one was
    erased by a redaction the log records. The chain covers the digest, so a changed text
    cannot hide."""
    logged = set(connection.execute(_LOGGED_REDACTIONS).scalars())
    for row in connection.execute(_FREE_TEXTS.execution_options(yield_per=2000)).mappings():
        if row["body"] is None:
            if row["redaction_id"] is None or str(row["redaction_id"]) not in logged:
                yield ChainBreak(
                    None, row["event_id"], "its free text was erased without a redaction"
                )
        elif row["salt"] is None or text_digest(row["salt"], row["body"]) != row["digest"]:
            yield ChainBreak(None, row["event_id"], "its free text differs from what was recorded")


def _check_anchors(connection: Connection, anchors: Mapping[int, str]) -> Iterable[ChainBreak]:
    """Each recorded anchor must still be in the chain with the same hash."""
    if not anchors:
        return
    rows = connection.execute(_ANCHORED, {"seqs": list(anchors)}).all()
    stored: dict[int, str] = {seq: digest for seq, digest in rows}
    for seq, expected in sorted(anchors.items()):
        if seq not in stored:
            yield ChainBreak(seq, None, "the anchored link is missing: the chain was cut short")
        elif stored[seq] != expected.lower():
            yield ChainBreak(seq, None, "the link's hash differs from the recorded anchor")
