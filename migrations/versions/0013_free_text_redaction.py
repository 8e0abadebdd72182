"""free text apart from the audit log, so that it can be redacted; chain payload version 2

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:30:00

- New tables ``redaction`` (who erased which free text, when and why) and ``free_text`` (one
  text an event refers to: key, salt, body; body and salt erased on redaction).
- ``audit_event`` gains ``old_text_key`` and ``new_text_key`` (nullable, added in place: on
  SQLite an ALTER TABLE ADD COLUMN, so the table's append-only triggers stay).
- The chain's payload function takes the two keys too (14 arguments) and new links are
  written with payload version 2 (auditapp/models/audit_chain.py). Links already written keep
  version 1 and still verify: the function reads only the fields of the link's version.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
ADVISORY_LOCK_KEY = 7022629598041763687  # as migration 0003
MESSAGE = "audit events are append-only"
_COLUMNS = (
    "e.occurred_at, e.user_id, e.inspection_id, e.case_id, e.action, e.entity, e.entity_id, "
    "e.field, e.old_value, e.new_value"
)
_LINK = (
    "INSERT INTO audit_chain (seq, event_id, payload_version, prev_hash, hash) "
    "SELECT coalesce(head.seq, 0) + 1, e.id, {version}, coalesce(head.hash, '{genesis}'), "
    "audit_chain_hash(coalesce(head.hash, '{genesis}'), audit_chain_payload({version}, e.id, "
    "{columns})) "
    "FROM audit_event AS e "
    "LEFT JOIN (SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1) AS head ON 1 = 1 "
    "WHERE e.id = {event}"
)


def _link_event(event: str, version: int) -> str:
    columns = _COLUMNS + (", e.old_text_key, e.new_text_key" if version == 2 else "")
    return _LINK.format(version=version, genesis=GENESIS_HASH, event=event, columns=columns)


def _postgresql_payload_v2(schema: str) -> str:
    field = f"{schema}.audit_chain_field"
    common = ", ".join(
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
    keys = f"{field}(old_text_key), {field}(new_text_key)"
    return (
        f"CREATE FUNCTION {schema}.audit_chain_payload(version integer, event_id integer, "
        "occurred_at timestamptz, user_id integer, inspection_id integer, case_id integer, "
        "action text, entity text, entity_id text, field text, old_value text, "
        "new_value text, old_text_key text, new_text_key text) RETURNS text LANGUAGE sql STABLE "
        "AS $$ SELECT CASE version "
        f"WHEN 1 THEN concat_ws(E'\\n', 'auditapp-event-v1', {common}) "
        f"WHEN 2 THEN concat_ws(E'\\n', 'auditapp-event-v2', {common}, {keys}) END $$"
    )


def _postgresql_link(schema: str, version: int) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {schema}.audit_chain_link(linked_event integer) "
        f"RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp "
        f"AS $$ BEGIN PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_KEY}); "
        f"{_link_event('linked_event', version)}; END $$"
    )


def upgrade():
    op.create_table(
        "redaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("redacted_by_id", sa.Integer(), nullable=True),
        sa.Column("redacted_by_name", sa.String(length=200), nullable=False),
        sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_redaction_case_id_case")),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], name=op.f("fk_redaction_inspection_id_inspection")
        ),
        sa.ForeignKeyConstraint(
            ["redacted_by_id"], ["user.id"], name=op.f("fk_redaction_redacted_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction")),
    )
    op.create_index(op.f("ix_redaction_case_id"), "redaction", ["case_id"])
    op.create_index(op.f("ix_redaction_inspection_id"), "redaction", ["inspection_id"])
    op.create_table(
        "free_text",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("redaction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["redaction_id"], ["redaction.id"], name=op.f("fk_free_text_redaction_id_redaction")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_free_text")),
    )
    op.create_index(op.f("ix_free_text_redaction_id"), "free_text", ["redaction_id"])
    bind = op.get_bind()
    for side in ("old", "new"):
        name = f"{side}_text_key"
        constraint = f"fk_audit_event_{name}_free_text"
        if bind.dialect.name == "sqlite":
            # Added in place with its reference (no table rebuild, which would drop the
            # append-only triggers of migration 0002).
            op.execute(
                f"ALTER TABLE audit_event ADD COLUMN {name} VARCHAR(32) "
                f"CONSTRAINT {constraint} REFERENCES free_text (key)"
            )
        else:
            op.add_column("audit_event", sa.Column(name, sa.String(length=32), nullable=True))
            op.create_foreign_key(constraint, "audit_event", "free_text", [name], ["key"])
    if bind.dialect.name == "sqlite":
        from auditapp.models.audit_chain import register_sqlite_functions

        register_sqlite_functions(bind.connection.dbapi_connection)
        op.execute("DROP TRIGGER audit_event_chain")
        op.execute(
            "CREATE TRIGGER audit_event_chain AFTER INSERT ON audit_event "
            f"BEGIN {_link_event('NEW.id', 2)}; END"
        )
    elif bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
        op.execute(_postgresql_payload_v2(schema))
        op.execute(_postgresql_link(schema, 2))
        op.execute(f"REVOKE ALL ON FUNCTION {schema}.audit_chain_link(integer) FROM PUBLIC")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_event_chain")
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{action}")
        with op.batch_alter_table("audit_event") as batch:
            for side in ("old", "new"):
                batch.drop_column(f"{side}_text_key")
        # The batch rebuilt the table: its triggers go with the old one (migration 0002).
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{action.lower()} BEFORE {action} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        op.execute(
            "CREATE TRIGGER audit_event_chain AFTER INSERT ON audit_event "
            f"BEGIN {_link_event('NEW.id', 1)}; END"
        )
    elif bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
        op.execute(_postgresql_link(schema, 1))
        op.execute(
            "DROP FUNCTION IF EXISTS audit_chain_payload(integer, integer, timestamptz, integer, "
            "integer, integer, text, text, text, text, text, text, text, text)"
        )
        for side in ("old", "new"):
            op.drop_column("audit_event", f"{side}_text_key")
    op.drop_index(op.f("ix_free_text_redaction_id"), table_name="free_text")
    op.drop_table("free_text")
    op.drop_index(op.f("ix_redaction_inspection_id"), table_name="redaction")
    op.drop_index(op.f("ix_redaction_case_id"), table_name="redaction")
    op.drop_table("redaction")
