"""``vocapp score``: score a survey's responses (filled in by the scoring issue)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("score")
@click.option("--survey", "survey_id", required=True, help="Survey id (the definition's id).")
@with_appcontext
def score(survey_id: str) -> None:
    """Score a survey's responses into construct scores per contact and account."""
    raise click.ClickException("scoring is not built yet (issue 5)")


commands = [score]
