"""Command-line interface: one module per command group, registered here."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group to the app's `flask` CLI."""
    from auditapp.cli.audit_log import audit_log_cli
    from auditapp.cli.backup import backup_command, restore_command
    from auditapp.cli.cases import cases_cli
    from auditapp.cli.concerns import concerns_cli
    from auditapp.cli.demo import demo_command
    from auditapp.cli.export import export_command
    from auditapp.cli.question_sets import question_sets_cli
    from auditapp.cli.second_factor import second_factor_cli
    from auditapp.cli.users import users_cli
    from auditapp.cli.wording import wording_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(export_command)
    app.cli.add_command(question_sets_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(audit_log_cli)
    app.cli.add_command(wording_cli)
    app.cli.add_command(concerns_cli)
    app.cli.add_command(second_factor_cli)
