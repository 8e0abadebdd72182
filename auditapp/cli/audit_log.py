"""`flask audit-log verify` (walk the hash chain) and `flask audit-log grant-app-role ROLE`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from auditapp.extensions import db
from auditapp.services.audit_chain import verify_chain
from auditapp.services.database_roles import RoleError, app_role_grants, grant_app_role

audit_log_cli = AppGroup("audit-log", help="Check and protect the append-only audit log.")


def _anchor(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise click.BadParameter(f"{value!r} is not SEQ:HASH (a link number and 64 hex digits)")
    return int(seq), digest


@audit_log_cli.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    metavar="SEQ:HASH",
    help="A head printed by an earlier verify and kept elsewhere: it must still be in the chain.",
)
@click.option("--all", "show_all", is_flag=True, help="List every broken link, not only the first.")
def verify_command(anchors: tuple[str, ...], show_all: bool) -> None:
    """Recompute every event's hash in chain order; exit 1 at a broken link."""
    expected = dict(_anchor(value) for value in anchors)
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # one snapshot for the whole walk
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        report = verify_chain(connection, expected)
    if not report.intact:
        shown = report.breaks if show_all else report.breaks[:1]
        for found in shown:
            click.echo(f"Broken chain at {found.describe()}", err=True)
        if len(report.breaks) > len(shown):
            click.echo(f"({len(report.breaks) - 1} further problems: --all lists them)", err=True)
        raise SystemExit(1)
    click.echo(f"{report.links} events, chain intact")
    if report.links:
        click.echo(
            f"Head: link {report.head_seq}, hash {report.head_hash}. Keep it outside the "
            f"database and check it later with --anchor {report.head_seq}:{report.head_hash}"
        )


@audit_log_cli.command("grant-app-role")
@click.argument("app_role")
@click.option("--dry-run", is_flag=True, help="Print the statements without running them.")
def grant_app_role_command(app_role: str, dry_run: bool) -> None:
    """PostgreSQL: let APP_ROLE write every table's rows but only append to the audit log.

    Runs as the owner of the tables (MIGRATION_DATABASE_URL, else DATABASE_URL); run it
    again after each `flask db upgrade`.
    """
    url = current_app.config.get("MIGRATION_DATABASE_URL") or db.engine.url
    engine = create_engine(url, poolclass=NullPool)
    try:
        if engine.dialect.name != "postgresql":
            raise click.ClickException(
                "Only PostgreSQL has roles. On SQLite, whoever can write the file can rewrite "
                "the log: protect the file's permissions and keep backups."
            )
        with engine.begin() as connection:
            if dry_run:
                owner = connection.exec_driver_sql("SELECT current_user").scalar_one()
                schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
                statements = app_role_grants(app_role, owner, schema)
            else:
                statements = grant_app_role(connection, app_role)
    except RoleError as error:
        raise click.ClickException(str(error)) from error
    finally:
        engine.dispose()
    for statement in statements:
        click.echo(f"{statement};")
    if not dry_run:
        click.echo(f"Granted: {app_role} may append to the audit log, never change it.")
