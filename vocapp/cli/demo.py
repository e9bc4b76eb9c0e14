"""``vocapp demo``: build the demo on SQLite and serve it."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from vocapp.cli import CREATES, database_use
from vocapp.config import DEMO_DATABASE_FILE, OWN_DATABASE_FILE, sqlite_uri


@click.command("demo")
@click.option("--database", "database_path", type=click.Path(dir_okay=False), default=None,
              help=f"SQLite file for the demo (default: {DEMO_DATABASE_FILE} in the instance folder). It is rebuilt.")
@click.option("--accounts", "n_accounts", type=click.IntRange(20, 100_000), default=300, show_default=True,
              help="How many synthetic accounts to generate.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed of the synthetic data.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--serve/--no-serve", default=True, help="Serve the app when the data is ready.")
@with_appcontext
@database_use(CREATES)
def demo(database_path: str | None, n_accounts: int, seed: int, host: str, port: int, serve: bool) -> None:
    """Load the default questionnaire and a synthetic base, score it, place it on the canvas, serve it."""
    from werkzeug.serving import run_simple

    from vocapp import create_app
    from vocapp.demo import DemoContext, build_demo

    instance = Path(current_app.instance_path)
    path = (Path(database_path) if database_path else instance / DEMO_DATABASE_FILE).resolve()
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_uri(path)}, instance_path=str(instance))
    context = DemoContext(app=app, workdir=instance / "demo-files", seed=seed, n_accounts=n_accounts)
    email, password = build_demo(context, echo=click.echo)
    click.echo(f"Demo database: {path}")
    click.echo(f"Command line on the demo: {cli_hint(path, instance)}")
    click.echo(f"Log in at http://{host}:{port}/ as {email} with password {password}")
    if serve:
        # Not app.run(): Flask ignores it inside a command started from the ``flask``/``vocapp`` CLI.
        run_simple(host, port, app, threaded=True, use_reloader=False)


def cli_hint(path: Path, instance: Path) -> str:
    """The one thing to type for ``vocapp`` commands to work on the demo at ``path``: nothing when it is
    the default database (no VOCAPP_DATABASE_URL, no vocapp.db of one's own), else an export line."""
    if (path == (instance / DEMO_DATABASE_FILE).resolve() and not os.environ.get("VOCAPP_DATABASE_URL")
            and not (instance / OWN_DATABASE_FILE).exists()):
        return f"vocapp canvas show (every command uses the demo while there is no {instance / OWN_DATABASE_FILE})"
    return f"export VOCAPP_DATABASE_URL={sqlite_uri(path)}"


commands = [demo]
