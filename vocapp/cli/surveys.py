"""``vocapp surveys``: check, load, list and export survey definitions."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from vocapp.cli import NONE, database_use

group = AppGroup("surveys", help="Survey definitions: check, load, list, export.")
#: what ``surveys check DIRECTORY`` reads; the JSON Schema that sits beside the definitions is not one
DEFINITION_SUFFIXES = (".yaml", ".yml", ".json")
SCHEMA_FILE = "schema.json"


def _print_problems(problems) -> None:
    """Every problem on standard error, each line starting ``error:`` or ``warning:``."""
    for problem in problems:
        click.echo(problem.describe(), err=True)


def definition_files(paths: tuple[Path, ...]) -> list[Path]:
    """The files to check: each FILE as given, and a DIRECTORY's definition files (sorted, not recursive)."""
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DEFINITION_SUFFIXES
                           and p.name != SCHEMA_FILE)
            if not found:
                raise click.ClickException(f"{path}: no definition files (*.yaml, *.yml, *.json) in this folder")
            files += found
        else:
            files.append(path)
    return files


@group.command("check", with_appcontext=False)
@click.argument("paths", metavar="FILE_OR_DIRECTORY...", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@database_use(NONE)
def check(paths: tuple[Path, ...]) -> None:
    """Validate definition files (a directory: every *.yaml, *.yml and *.json in it). Problems go to
    standard error as `error: ...` or `warning: ...` lines; the summary of each file to standard output.
    Exit 1 if any file has errors."""
    from vocapp.core.surveys import load_definition_file

    failed = 0
    for file in definition_files(paths):
        _, problems = load_definition_file(file)
        _print_problems(problems)
        errors = sum(problem.is_error for problem in problems)
        warnings = len(problems) - errors
        summary = f"{file}: {errors} error(s), {warnings} warning(s)" if problems else f"{file}: no problems"
        click.echo(summary, err=bool(errors))
        failed += bool(errors)
    if failed:
        raise SystemExit(1)


@group.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def load(file: Path) -> None:
    """Validate FILE and store it as a new version if its content changed."""
    from vocapp.core.surveys import has_errors, load_definition_file
    from vocapp.services import surveys as survey_service

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
    from vocapp.services import surveys as survey_service

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
    from vocapp.services import surveys as survey_service

    text = survey_service.export_version(survey_id, number, fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


commands = [group]
