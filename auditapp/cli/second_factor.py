"""`flask second-factor rotate-key`: re-encrypt every second-factor secret with the new key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from auditapp.extensions import db
from auditapp.services.second_factor_key import SecondFactorKeyError, rotate_secrets

second_factor_cli = AppGroup("second-factor", help="Two-step verification (TOTP) secrets.")


@second_factor_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Re-encrypt every secret with SECOND_FACTOR_KEY (old keys in SECOND_FACTOR_KEY_FALLBACKS)."""
    try:
        count = rotate_secrets()
    except SecondFactorKeyError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Re-encrypted {count} second-factor secret(s) with SECOND_FACTOR_KEY. "
        "SECOND_FACTOR_KEY_FALLBACKS can now be removed."
    )
