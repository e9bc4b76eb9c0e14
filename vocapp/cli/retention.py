"""``vocapp retention``: anonymise responses older than VOCAPP_RETENTION_MONTHS."""
from __future__ import annotations

import click
from flask.cli import AppGroup

group = AppGroup("retention", help="Retention of responses: anonymise those older than VOCAPP_RETENTION_MONTHS.")


@group.command("apply")
@click.option("--dry-run", is_flag=True, help="Count the responses that would be anonymised; change nothing.")
@click.option("--months", type=click.IntRange(min=1), default=None,
              help="Override VOCAPP_RETENTION_MONTHS for this run.")
def apply_command(dry_run: bool, months: int | None) -> None:
    """Anonymise responses older than the retention period (free text removed, person unlinked)."""
    from vocapp.services.rights import apply_retention
    result = apply_retention(months, dry_run=dry_run)
    if result.months is None:
        click.echo("VOCAPP_RETENTION_MONTHS is not set: responses are kept; nothing to do")
        return
    verb = "Would anonymise" if dry_run else "Anonymised"
    click.echo(f"{verb} {result.n_responses} responses older than {result.months} months "
               f"(before {result.cutoff.date().isoformat()})")


commands = [group]
