"""``vocapp contacts``: the contacts command group."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from vocapp.cli.import_output import echo_report

group = AppGroup("contacts", help="Accounts and contacts: import.")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
def import_command(file: str, dry_run: bool) -> None:
    """Import accounts and contacts from a CSV or XLSX FILE (all or nothing)."""
    from vocapp.services.imports import import_contacts

    echo_report(import_contacts(file, dry_run=dry_run))


commands = [group]
