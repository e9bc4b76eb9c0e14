"""``vocapp surveys``: check, load, list and export survey definitions."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from vocapp.core.surveys import has_errors, load_definition_file
from vocapp.services import surveys as survey_service

group = AppGroup("surveys", help="Survey definitions: check, load, list, export.")


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(problem.describe(), err=problem.is_error)


@group.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def check(file: Path) -> None:
    """Validate FILE and print every problem with file, line and path. Exit 1 on errors."""
    _, problems = load_definition_file(file)
    _print_problems(problems)
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    if not problems:
        click.echo(f"{file}: no problems")
    else:
        click.echo(f"{file}: {errors} error(s), {warnings} warning(s)")
    if errors:
        raise SystemExit(1)


@group.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def load(file: Path) -> None:
    """Validate FILE and store it as a new version if its content changed."""
    defn, problems = load_definition_file(file)
    _print_problems(problems)
    if has_errors(problems):
        raise click.ClickException(f"{file} was not loaded: it has errors")
    version, created = survey_service.store_definition(defn, problems)
    line = f"{version.survey.slug} version {version.number}"
    click.echo(line if created else f"{line} unchanged (this content is already stored as version {version.number})")


@group.command("list")
def list_surveys() -> None:
    """List surveys with their versions and response counts."""
    surveys = survey_service.list_surveys()
    if not surveys:
        click.echo("no surveys yet; load one with `vocapp surveys load FILE`")
        return
    for survey in surveys:
        counts = survey_service.response_counts(survey)
        draft = " (unpublished draft)" if survey.draft_definition is not None else ""
        click.echo(f"{survey.slug}: {survey.title}{draft}")
        for version in survey.versions:
            click.echo(f"  version {version.number}  {version.created_at:%Y-%m-%d %H:%M}  "
                       f"hash {version.content_hash[:12]}  {counts.get(version.id, 0)} response(s)  "
                       f"source {version.source}")


@group.command("export")
@click.argument("survey_id")
@click.option("--version", "number", type=int, default=None, help="Version number (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def export(survey_id: str, number: int | None, fmt: str, out: Path | None) -> None:
    """Write a stored version as YAML or JSON (loading it again changes nothing)."""
    text = survey_service.export_version(survey_id, number, fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


commands = [group]
