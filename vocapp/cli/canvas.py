"""``vocapp canvas``: the canvas command group (place, show, movements, suppression)."""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

from vocapp.cli.progress import TerminalProgress

if TYPE_CHECKING:
    import pandas as pd

group = AppGroup("canvas", help="The Customer Segmentation Canvas: place, show, movements, suppression.")


def write_csv(frame: pd.DataFrame, out: str | None) -> None:
    """Write ``frame`` as formula-safe CSV to ``out`` (or stdout)."""
    from vocapp.core.exports import neutralise_frame
    from vocapp.core.exports.writers import CSV_LINE_END
    safe = neutralise_frame(frame.astype(object)) if not frame.empty else frame
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, float_format="%.1f",
                lineterminator=CSV_LINE_END)  # values holding a CR are quoted (see CSV_LINE_END)
    if out:
        Path(out).write_bytes(buffer.getvalue().encode("utf-8"))
    else:
        sys.stdout.write(buffer.getvalue())


@group.command("place")
@click.option("--definition", "definition", type=click.Path(dir_okay=False), default=None,
              help="Canvas definition file (YAML/JSON); default: the shipped default_canvas.yaml.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date the trailing 12 months end on (default: today, UTC).")
def place_command(definition: str | None, as_of) -> None:
    """Place every account from the latest scores and transactions and store the placement run."""
    from vocapp.services.canvas import place
    with TerminalProgress("Placing accounts") as progress:
        run = place(definition, as_of=as_of.date() if as_of else None, progress=progress)
    summary = run.summary
    click.echo(f"Placement run {run.id}: {summary['n_accounts']} accounts "
               f"({summary['n_heard']} heard) as of {run.as_of.date().isoformat()}")
    for row in summary["zones"]:
        click.echo(f"  {row['zone']:<20} {row['accounts']:>6}   leave alone {row['leave_alone']}")
    click.echo(f"Leave alone: {summary['n_flagged']} accounts flagged")
    if summary["n_held_by_hysteresis"]:
        click.echo(f"Held in their previous zone by hysteresis: {summary['n_held_by_hysteresis']}")
    for item in summary["unmapped_categories"]:
        click.echo(f"Warning: transaction category {item['category']!r} is not mapped "
                   f"({item['n_transactions']} transactions left out); add it to the definition's categories")
    model = summary.get("unheard_model") or {}
    if model.get("cv_r2") is not None:
        click.echo(f"Unheard estimates: readiness from behaviour, cross-validated R2 {model['cv_r2']:.2f}, "
                   f"side-of-cut accuracy {model['cv_side_accuracy']:.0%} ({model['n_train']} heard accounts)")
    clusters = summary.get("clusters") or {}
    if clusters.get("k"):
        click.echo(f"Exploratory clusters: {clusters['k']} ({clusters['criterion']})")


@group.command("show")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="Write to a file.")
@click.option("--run", "run_id", type=int, default=None, help="Placement run id (default: latest).")
def show_command(fmt: str, out: str | None, run_id: int | None) -> None:
    """The placement table: one row per account."""
    from vocapp.services.canvas import placement_table
    from vocapp.services.canvas_queries import EXPORT_NAMES, TABLE_COLUMNS, TAIL_COLUMNS
    run, frame = placement_table(run_id)
    constructs = list(run.summary.get("constructs", []))
    columns = TABLE_COLUMNS + constructs + [f"{c}_observed" for c in constructs] + TAIL_COLUMNS
    frame = frame[columns].rename(columns=EXPORT_NAMES)  # the file's account_id is the CRM's
    if fmt == "csv":
        write_csv(frame, out)
        return
    text = frame.to_string(index=False, float_format=lambda v: f"{v:.1f}", na_rep="-")
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


@group.command("movements")
@click.option("--from", "from_run", type=int, default=None, help="Earlier placement run (default: the one "
              "before --to).")
@click.option("--to", "to_run", type=int, default=None, help="Later placement run (default: latest).")
def movements_command(from_run: int | None, to_run: int | None) -> None:
    """Accounts per (from zone, to zone) between two placement runs."""
    from vocapp.services.canvas import movements_between
    earlier, later, table = movements_between(from_run, to_run)
    click.echo(f"Movements from placement run {earlier.id} to run {later.id}:")
    moved = 0
    for row in table.itertuples():
        marker = "->" if row.moved else "=="
        moved += int(row.count) if row.moved else 0
        click.echo(f"  {row.from_zone:<20} {marker} {row.to_zone:<20} {row.count:>6}")
    click.echo(f"Moved: {moved} accounts")


@group.command("suppression")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="File to write.")
@click.option("--run", "run_id", type=int, default=None, help="Placement run id (default: latest).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "txt"]), default="csv", show_default=True,
              help="csv: formula-safe for spreadsheets; json (records) and txt (one address a line): exact "
                   "addresses for a CRM or mail tool to match.")
def suppression_command(out: str, run_id: int | None, fmt: str) -> None:
    """Contact e-mails of accounts flagged leave-alone, with the reason (for a CRM or mail tool)."""
    from vocapp.services.canvas import suppression_list
    from vocapp.services.canvas_queries import EXPORT_NAMES
    frame = suppression_list(run_id).rename(columns=EXPORT_NAMES)
    if fmt == "csv":
        write_csv(frame, out)
    elif fmt == "json":
        Path(out).write_text(json.dumps(frame.to_dict("records"), ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    else:
        Path(out).write_text("".join(f"{email}\n" for email in frame["email"]), encoding="utf-8")
    click.echo(f"Wrote {len(frame)} contacts of {frame['account_id'].nunique()} flagged accounts to {out}")


commands = [group]
