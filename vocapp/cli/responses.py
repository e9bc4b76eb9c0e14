"""``vocapp responses``: the responses command group."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from vocapp.cli.import_output import echo_report

group = AppGroup("responses", help="Responses: import historical responses.")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--survey", "survey_id", required=True, help="Survey definition id, e.g. b2b_relationship.")
@click.option("--version", type=int, default=None, help="Survey version number (default: the latest).")
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
def import_command(file: str, survey_id: str, version: int | None, dry_run: bool) -> None:
    """Import historical responses to a survey from a CSV or XLSX FILE (all or nothing)."""
    from vocapp.services.imports import import_responses

    echo_report(import_responses(file, survey_id, version=version, dry_run=dry_run))


commands = [group]
