"""``vocapp export``: scored results as CSV, Excel, SPSS, Parquet or JSON files."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from vocapp.core.constants import EXPORT_FORMATS as FORMATS, EXPORT_KINDS

group = AppGroup("export", help="Export scored results (CSV, Excel, SPSS, Parquet, JSON) and their codebook.")


def _export_command(kind: str) -> click.Command:
    @click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="File format.")
    @click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="File to write.")
    @click.option("--survey", default=None, help="Survey id (default: the survey of the latest scoring run).")
    @click.option("--run", "run_id", type=int, default=None,
                  help="Scoring run id (default: the latest; the placement is the latest built on it).")
    def command(fmt: str, out: str, survey: str | None, run_id: int | None) -> None:
        from vocapp.services.exports import write_export
        rows, table, scope = write_export(kind, fmt, out, survey, run_id)
        runs = []
        if scope.scoring_run is not None and kind != "responses":
            runs.append(f"scoring run {scope.scoring_run.id}")
        if scope.placement_run is not None and kind == "accounts":
            runs.append(f"placement run {scope.placement_run.id}")
        source = f" ({', '.join(runs)})" if runs else ""
        click.echo(f"Wrote {rows} {kind} rows, {len(table.variables)} columns, of survey "
                   f"'{scope.survey.slug}'{source} to {out}")

    command.__doc__ = {"accounts": "One row per placed account: scores with intervals, zone, leave-alone, metrics.",
                       "contacts": "One row per contact and response: scores, z scores, quality flags, status.",
                       "responses": "One row per response, one column per item (multiple choice: 0/1 per option).",
                       "codebook": "Every exported variable with its label, type and value labels."}[kind]
    return group.command(kind)(command)


for _kind in EXPORT_KINDS:
    _export_command(_kind)

commands = [group]
