"""`flask demo`: load demo data (refused in production)."""

from __future__ import annotations

import click
from flask import current_app

from auditapp.extensions import db
from auditapp.services.demo import DEMO_PASSWORD, load_demo


@click.command("demo")
def demo_command() -> None:
    """Load the demo accounts and inspections; safe to run twice."""
    if not current_app.config.get("LOAD_DEMO_DATA_ALLOWED"):
        raise click.ClickException("Demo data is never loaded in production.")
    loaded = load_demo()
    db.session.commit()
    click.echo("Demo data loaded. Sign in at http://127.0.0.1:5000 with any of:")
    for email in loaded.users:
        click.echo(f"  {email}")
    click.echo(f"Password for every demo account: {DEMO_PASSWORD}")
