"""The ``vocapp`` command line (also reachable as ``flask --app wsgi ...``)."""
from __future__ import annotations

import functools
import importlib
import sys

import click
from flask import Flask
from click.exceptions import NoArgsIsHelpError
from flask.cli import FlaskGroup
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from vocapp.errors import VocappError

#: modules under vocapp.cli, each exposing ``commands``: the click commands or groups it adds.
COMMAND_MODULES = [
    "admin", "demo", "surveys", "contacts", "responses", "transactions", "campaigns", "score", "canvas",
    "export", "jobs",
]


def register_commands(app: Flask) -> None:
    """Attach every area's commands to ``app.cli``."""
    for name in COMMAND_MODULES:
        for command in importlib.import_module(f"vocapp.cli.{name}").commands:
            _vocapp_errors_as_click_errors(command)
            app.cli.add_command(command)


def _vocapp_errors_as_click_errors(command: click.Command) -> None:
    """Make a command (every command of a group) report a VocappError as click's one-line
    ``Error: <message>``, exit 1, however it is run (``vocapp``, ``flask --app wsgi``, a test runner)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _vocapp_errors_as_click_errors(sub)
        return
    callback = command.callback
    if callback is None or getattr(callback, "reports_vocapp_errors", False):
        return

    @functools.wraps(callback)
    def reporting(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except VocappError as exc:
            raise click.ClickException(str(exc)) from exc

    reporting.reports_vocapp_errors = True  # type: ignore[attr-defined]
    command.callback = reporting


def _create_app() -> Flask:
    from vocapp import create_app

    return create_app()


cli = FlaskGroup(
    name="vocapp",
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
    help="vocapp: surveys, attitudinal scores and the Customer Segmentation Canvas.",
)


def _schema_out_of_date(message: str) -> bool:
    """Whether a database error says a table or column is missing (SQLite's or PostgreSQL's wording)."""
    return any(words in message for words in ("no such table", "no such column", "has no column named")) or (
        "does not exist" in message and ("relation" in message or "column" in message))


def _run_command_tree() -> None:
    """Run ``cli``; a usage mistake is one line naming the command (exit 2), not click's usage block."""
    try:
        code = cli.main(prog_name="vocapp", standalone_mode=False)
    except NoArgsIsHelpError as exc:  # a group given no command: its help, as click shows it
        click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "vocapp"
        click.echo(f"Error: {exc.format_message()} (see `{where} --help`)", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def main() -> None:
    """Entry point of the ``vocapp`` console script: one-line messages instead of tracebacks."""
    try:
        _run_command_tree()
    except VocappError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except (OperationalError, ProgrammingError) as exc:
        first_line = str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0]
        hint = ("is the database initialised and up to date? run `vocapp init-db`" if _schema_out_of_date(first_line)
                else "check VOCAPP_DATABASE_URL")
        click.echo(f"Error: database: {first_line} ({hint})", err=True)
        sys.exit(1)
    except ArgumentError as exc:  # a VOCAPP_DATABASE_URL that is not a database URL
        click.echo(f"Error: VOCAPP_DATABASE_URL: {str(exc).splitlines()[0]}", err=True)
        sys.exit(1)
    except OverflowError as exc:  # e.g. --version 99999999999999999999 reaching SQLite
        click.echo(f"Error: a number given is too large: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # e.g. --out into a folder that does not exist or cannot be written
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
