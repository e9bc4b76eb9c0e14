"""``vocapp contacts``: the contacts command group."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from vocapp.cli.import_output import echo_report

group = AppGroup("contacts", help="Accounts and contacts: import, suppress.")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
def import_command(file: str, dry_run: bool) -> None:
    """Import accounts and contacts from a CSV or XLSX FILE (all or nothing)."""
    from vocapp.services.imports import import_contacts

    echo_report(import_contacts(file, dry_run=dry_run))


@group.command("suppress")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--reason", type=click.Choice(["bounced", "unsubscribed", "complained"]), required=True)
def suppress_command(file: str, reason: str) -> None:
    """Mark the addresses in a mail provider's CSV export (column ``email`` or the first) so they get no
    more e-mail; unknown addresses are listed, not an error."""
    from vocapp.services.campaigns import suppress_addresses

    report = suppress_addresses(file, reason)
    click.echo(f"{report.marked} contact(s) marked {reason}, {report.already} already were, "
               f"{len(report.unknown)} address(es) not found")
    for address in report.unknown:
        click.echo(f"  not a contact: {address}")


commands = [group]
