"""audit events are hash-chained by the database

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00

Each audit event gets one link in the new table audit_chain: its place in the chain (seq),
the payload format version, the previous link's hash and its own hash, sha256 of the
previous hash and the event's canonical payload (auditapp/models/audit_chain.py describes
the payload). The database writes the links, so the application's inserts are unchanged
(the answer-save path's statement count is pinned), and `flask audit-log verify` walks them.

- PostgreSQL: SQL functions audit_chain_payload and audit_chain_hash; a deferred constraint
  trigger that, at commit, takes a transaction-level advisory lock and appends the link with
  the next seq, so concurrent transactions cannot fork the chain and the lock is held only
  for the commit. The link-writing functions are SECURITY DEFINER (owned by the migrating
  role, the schema owner): the app's role may read audit_chain but never write it.
- SQLite: an AFTER INSERT trigger calling the same two functions, which the app registers
  on every connection (SQLite has no SHA-256); writers are serialized by SQLite itself.
- Both: audit_chain is append-only like audit_event (UPDATE and DELETE refused), and the
  events already stored are chained in id order.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
ADVISORY_LOCK_KEY = 7022629598041763687  # int.from_bytes(b"auditlog", "big")
MESSAGE = "audit events are append-only"

# Append the link of one event (payload version 1). The same statement on both databases:
# {event} is NEW.id in SQLite's trigger, the function's argument on PostgreSQL.
LINK_EVENT = (
    "INSERT INTO audit_chain (seq, event_id, payload_version, prev_hash, hash) "
    "SELECT coalesce(head.seq, 0) + 1, e.id, 1, coalesce(head.hash, '{genesis}'), "
    "audit_chain_hash(coalesce(head.hash, '{genesis}'), audit_chain_payload(1, e.id, "
    "e.occurred_at, e.user_id, e.inspection_id, e.case_id, e.action, e.entity, e.entity_id, "
    "e.field, e.old_value, e.new_value)) "
    "FROM audit_event AS e "
    "LEFT JOIN (SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1) AS head ON 1 = 1 "
    "WHERE e.id = {event}"
)


def _link_event(event: str) -> str:
    return LINK_EVENT.format(genesis=GENESIS_HASH, event=event)


def _postgresql_functions(schema: str) -> list[str]:
    """The payload and hash (shared with verification), and the link writer."""
    field = f"{schema}.audit_chain_field"
    fields = ", ".join(
        f"{field}({value})"
        for value in (
            "event_id::text",
            "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
            "user_id::text",
            "inspection_id::text",
            "case_id::text",
            "action",
            "entity",
            "entity_id",
            "field",
            "old_value",
            "new_value",
        )
    )
    return [
        f"CREATE FUNCTION {field}(value text) RETURNS text LANGUAGE sql IMMUTABLE "
        "AS $$ SELECT coalesce(char_length(value)::text || ':' || value, '-') $$",
        f"CREATE FUNCTION {schema}.audit_chain_payload(version integer, event_id integer, "
        "occurred_at timestamptz, user_id integer, inspection_id integer, case_id integer, "
        "action text, entity text, entity_id text, field text, old_value text, "
        "new_value text) RETURNS text LANGUAGE sql STABLE "
        f"AS $$ SELECT CASE version WHEN 1 THEN concat_ws(E'\\n', 'auditapp-event-v1', {fields}) "
        "END $$",
        f"CREATE FUNCTION {schema}.audit_chain_hash(prev_hash text, payload text) RETURNS text "
        "LANGUAGE sql IMMUTABLE AS $$ SELECT encode(sha256(convert_to("
        "prev_hash || E'\\n' || payload, 'UTF8')), 'hex') $$",
        f"CREATE FUNCTION {schema}.audit_chain_link(linked_event integer) RETURNS void "
        f"LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$ BEGIN "
        # One writer at a time until commit: concurrent transactions cannot fork the chain.
        f"PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_KEY}); "
        f"{_link_event('linked_event')}; END $$",
        f"REVOKE ALL ON FUNCTION {schema}.audit_chain_link(integer) FROM PUBLIC",
        f"CREATE FUNCTION {schema}.audit_event_chain() RETURNS trigger LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$ BEGIN "
        f"PERFORM {schema}.audit_chain_link(NEW.id); RETURN NULL; END $$",
        f"REVOKE ALL ON FUNCTION {schema}.audit_event_chain() FROM PUBLIC",
    ]


def _create_table():
    op.create_table(
        "audit_chain",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("payload_version", sa.SmallInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["audit_event.id"], name=op.f("fk_audit_chain_event_id_audit_event")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_chain")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_chain_event_id")),
    )


def upgrade():
    bind = op.get_bind()
    _create_table()
    if bind.dialect.name == "sqlite":
        # The app registers the functions on every connection; say so here too, so this
        # migration also runs on a connection made without the app's engine events.
        from auditapp.models.audit_chain import register_sqlite_functions

        register_sqlite_functions(bind.connection.dbapi_connection)
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_chain_no_{action.lower()} BEFORE {action} ON audit_chain "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        event_ids = bind.execute(sa.text("SELECT id FROM audit_event ORDER BY id")).scalars()
        link = sa.text(_link_event(":event_id"))
        for event_id in list(event_ids):
            bind.execute(link, {"event_id": event_id})
        op.execute(
            "CREATE TRIGGER audit_event_chain AFTER INSERT ON audit_event "
            f"BEGIN {_link_event('NEW.id')}; END"
        )
    elif bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
        for statement in _postgresql_functions(schema):
            op.execute(statement)
        op.execute(
            "CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute(
            "DO $$ DECLARE event_row record; BEGIN "
            "FOR event_row IN SELECT id FROM audit_event ORDER BY id LOOP "
            "PERFORM audit_chain_link(event_row.id); END LOOP; END $$"
        )
        op.execute(
            "CREATE CONSTRAINT TRIGGER audit_event_chain AFTER INSERT ON audit_event "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_event_chain()"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("audit_event_chain", "audit_chain_no_update", "audit_chain_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_chain ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_chain()")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_link(integer)")
        op.execute("DROP FUNCTION IF EXISTS audit_chain_hash(text, text)")
        op.execute(
            "DROP FUNCTION IF EXISTS audit_chain_payload(integer, integer, timestamptz, integer, "
            "integer, integer, text, text, text, text, text, text)"
        )
        op.execute("DROP FUNCTION IF EXISTS audit_chain_field(text)")
    op.drop_table("audit_chain")
