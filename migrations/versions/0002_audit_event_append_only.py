"""audit_event is append-only in the database too

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:30:00

The application already refuses to update or delete audit events (an ORM guard in
auditapp/models/audit_event.py); these triggers refuse it for any client of the database.

- SQLite: BEFORE UPDATE and BEFORE DELETE triggers abort. (A later batch migration that
  rebuilds the audit_event table drops them with the old table: recreate them there.)
- PostgreSQL: a row trigger on UPDATE or DELETE raises. TRUNCATE, which only the database
  owner can run and never the application, still empties the table (tests, retention).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "audit events are append-only"


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{action.lower()} BEFORE {action} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
