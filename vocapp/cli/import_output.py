"""Printing an ImportReport on the command line (shared by the three import commands)."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from vocapp.services.imports import ImportReport

SHOWN_ERRORS = 50


def echo_report(report: ImportReport) -> None:
    """Print counts; on errors print every located error (first SHOWN_ERRORS) and exit 1."""
    if report.ok:
        click.echo(report.summary())
        for issue in report.skipped_rows[:SHOWN_ERRORS]:
            click.echo(f"  skipped: {issue}")
        if report.skipped > SHOWN_ERRORS:
            click.echo(f"  ... and {report.skipped - SHOWN_ERRORS} more skipped rows")
        return
    click.echo(report.summary(), err=True)
    for issue in report.errors[:SHOWN_ERRORS]:
        click.echo(f"  {issue}", err=True)
    if report.error_count > SHOWN_ERRORS:
        click.echo(f"  ... and {report.error_count - SHOWN_ERRORS} more errors", err=True)
    sys.exit(1)
