"""`flask users create EMAIL --name NAME --role admin|user` and `flask users unlock EMAIL`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from auditapp.extensions import db
from auditapp.models import GlobalRole
from auditapp.services.accounts import AccountError, create_user, find_user_by_email, unlock

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in GlobalRole]), default="user", show_default=True
)
@click.option("--name", required=True, help="Full name, as colleagues will see it.")
@click.option(
    "--password",
    envvar="AUDITAPP_NEW_PASSWORD",
    default=None,
    help="Password; prompted for unless --generate. Also read from AUDITAPP_NEW_PASSWORD.",
)
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
def create_user_command(
    email: str, role: str, name: str, password: str | None, generate: bool
) -> None:
    """Create a user and print how to sign in."""
    if password is None and not generate:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, password = create_user(email, name, GlobalRole(role), password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({role}).")
    if generate:
        click.echo(f"Password: {password}")


@users_cli.command("unlock")
@click.argument("email")
def unlock_user_command(email: str) -> None:
    """Let every address try to sign in to this account again (logged in the audit log)."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}")
    cleared = unlock(user, by=None)
    db.session.commit()
    click.echo(f"Unlocked {user.email} ({cleared} failed sign-in(s) forgotten).")
