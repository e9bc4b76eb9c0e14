"""``vocapp transactions``: the transactions command group."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from vocapp.cli.import_output import echo_report

group = AppGroup("transactions", help="Transactions: import fees and purchases.")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--create-accounts", is_flag=True, help="Create accounts that do not exist yet.")
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
def import_command(file: str, create_accounts: bool, dry_run: bool) -> None:
    """Import transactions from a CSV, XLSX or Parquet FILE (all or nothing)."""
    from vocapp.services.imports import import_transactions

    echo_report(import_transactions(file, create_accounts=create_accounts, dry_run=dry_run))


commands = [group]
