"""PostgreSQL privileges of the app's role: its tables' rows, but the audit log only appended.

The schema's owner (the role that runs the migrations) runs these statements after every
`flask db upgrade`; they are idempotent. The app's role then may read and write every table's
rows except the audit log's: audit_event only INSERT and SELECT, audit_chain (written by the
database's SECURITY DEFINER trigger) and alembic_version only SELECT. Not being the owner, it
can neither ALTER, DISABLE or DROP the tables' triggers nor TRUNCATE or DROP the tables.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

APPEND_ONLY_TABLES = ("audit_event", "audit_chain")
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_$]{0,62}")


class RoleError(ValueError):
    """A role that cannot safely be the app's role, or an unusable name."""


def _identifier(name: str) -> str:
    """A role or schema name, quoted; only plain lower-case names are accepted."""
    if not _ROLE_NAME.fullmatch(name):
        raise RoleError(f"{name!r} is not a plain lower-case PostgreSQL name")
    return f'"{name}"'


def app_role_grants(app_role: str, owner: str, schema: str = "public") -> list[str]:
    """The GRANT and REVOKE statements, run by ``owner`` (who creates the tables)."""
    role, own, sch = _identifier(app_role), _identifier(owner), _identifier(schema)
    audit_tables = ", ".join(f"{sch}.{table}" for table in (*APPEND_ONLY_TABLES, "alembic_version"))
    return [
        f"GRANT USAGE ON SCHEMA {sch} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {sch} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {role}",
        f"REVOKE ALL ON {audit_tables} FROM {role}",
        f"GRANT SELECT, INSERT ON {sch}.audit_event TO {role}",
        f"GRANT SELECT ON {sch}.audit_chain, {sch}.alembic_version TO {role}",
        # Tables that later migrations create: rows only (re-run this after each upgrade).
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA {sch} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA {sch} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


def app_role_problems(connection: Connection, app_role: str) -> list[str]:
    """Why ``app_role`` could still change the audit log whatever it is granted; [] if none."""
    row = (
        connection.execute(
            text(
                "SELECT r.rolsuper, "
                "pg_has_role(r.rolname, t.tableowner, 'MEMBER') AS owns "
                "FROM pg_roles AS r, pg_tables AS t "
                "WHERE r.rolname = :role AND t.tablename = 'audit_event' "
                "AND t.schemaname = current_schema()"
            ),
            {"role": app_role},
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        return [f"role {app_role!r} does not exist, or audit_event is not in this schema"]
    problems = []
    if row["rolsuper"]:
        problems.append(f"{app_role} is a superuser")
    if row["owns"]:
        problems.append(f"{app_role} owns audit_event, or is a member of its owner")
    return problems


def grant_app_role(connection: Connection, app_role: str) -> list[str]:
    """Apply the grants as the connection's role (the owner); returns the statements run."""
    problems = app_role_problems(connection, app_role)
    if problems:
        raise RoleError("; ".join(problems))
    owner, schema = connection.execute(text("SELECT current_user, current_schema()")).one()
    statements = app_role_grants(app_role, owner, schema)
    for statement in statements:
        connection.execute(text(statement))
    return statements
