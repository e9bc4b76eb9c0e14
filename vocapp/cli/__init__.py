"""The ``vocapp`` command line (also reachable as ``flask --app wsgi ...``).

Listing or explaining commands is cheap: command modules import only click and Flask's CLI helpers at
the top (services, pandas and the rest load inside a command when it runs), and the app is built only
when a command that needs it runs. ``vocapp --help`` shows vocapp's own commands; Flask's developer
commands (run, shell, routes, db) stay under ``flask --app wsgi``.
"""
from __future__ import annotations

import functools
import importlib
import sys
import threading
from typing import Any, Callable

import click
from click.exceptions import NoArgsIsHelpError
from flask import Flask, current_app
from flask.cli import ScriptInfo

from vocapp.errors import VocappError

#: modules under vocapp.cli, each exposing ``commands``: the click commands or groups it adds.
COMMAND_MODULES = [
    "admin", "demo", "surveys", "contacts", "responses", "transactions", "campaigns", "score", "canvas",
    "export", "jobs", "retention", "webhooks", "api",
]
#: how a command uses the database: reads an existing one (the default), creates it, or needs none
READS, CREATES, NONE = "reads", "creates", "none"


class DatabaseMissing(VocappError):
    """A command needs a database that does not exist (and must not create an empty one)."""


def database_use(mode: str) -> Callable[[Callable], Callable]:
    """Mark a command function (below its click decorator) as one that CREATES the database or needs
    NONE; unmarked commands need an existing database and refuse to create an empty SQLite file."""
    def mark(function: Callable) -> Callable:
        function.database_use = mode  # type: ignore[attr-defined]
        return function

    return mark


def _all_commands() -> dict[str, click.Command]:
    commands = {}
    for name in COMMAND_MODULES:
        for command in importlib.import_module(f"vocapp.cli.{name}").commands:
            _wrap(command)
            commands[command.name] = command
    return commands


def register_commands(app: Flask) -> None:
    """Attach every area's commands to ``app.cli`` (what ``flask --app wsgi`` lists)."""
    for command in _all_commands().values():
        app.cli.add_command(command)


def _wrap(command: click.Command) -> None:
    """Make a command (every command of a group) check its database first and report a VocappError as
    click's one-line ``Error: <message>``, exit 1, however it is run (``vocapp``, ``flask --app wsgi``,
    a test runner)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _wrap(sub)
        return
    callback = command.callback
    if callback is None or getattr(callback, "reports_vocapp_errors", False):
        return

    @functools.wraps(callback)
    def reporting(*args, **kwargs):
        try:
            mode = getattr(callback, "database_use", READS)
            if mode != NONE:
                _check_database(mode)
            return callback(*args, **kwargs)
        except VocappError as exc:
            raise click.ClickException(str(exc)) from exc

    reporting.reports_vocapp_errors = True  # type: ignore[attr-defined]
    command.callback = reporting


def no_pages(command: click.Command) -> click.Command:
    """Mark a command that renders no page: the ``vocapp`` command line finds it without building the
    app and runs it in an app with its settings and database only (``create_app(pages=False)``), so it
    starts without importing the web layer and the libraries only pages use."""
    command.needs_pages = False  # type: ignore[attr-defined]
    return command


def _command_app() -> Flask:
    """The app the running command works on (built once per invocation, as ``with_appcontext`` does)."""
    if current_app:
        return current_app._get_current_object()  # type: ignore[attr-defined]
    return click.get_current_context().ensure_object(ScriptInfo).load_app()


def _check_database(mode: str) -> None:
    """Refuse to run a reading command on a SQLite file that does not exist (SQLite would create it
    empty); say when the default database is the demo's."""
    from vocapp.config import OWN_DATABASE_FILE, sqlite_file

    app = _command_app()
    path = sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None:
        return
    if not path.parent.is_dir():
        raise DatabaseMissing(f"database: folder {path.parent} does not exist (check VOCAPP_DATABASE_URL)")
    if mode == READS and not path.exists():
        raise DatabaseMissing(f"no database at {path}: create it with `vocapp init-db` "
                              "(or build the demo with `vocapp demo`)")
    if mode == READS and app.config.get("DATABASE_IS_DEMO_DEFAULT"):
        click.echo(f"Note: using the demo database {path} (there is no {path.with_name(OWN_DATABASE_FILE)} yet; "
                   "set VOCAPP_DATABASE_URL or run `vocapp init-db` for your own)", err=True)


class VocappGroup(click.Group):
    """The top-level ``vocapp`` group: vocapp's commands only, loaded when listed or run; the app is
    built from ``VOCAPP_*`` settings when a command first needs it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_all_commands())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return _all_commands().get(name)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        extra.setdefault("obj", ScriptInfo(create_app=_create_app, set_debug_flag=False,
                                           load_dotenv_defaults=False))
        return super().make_context(info_name, args, parent=parent, **extra)


def _create_app() -> Flask:
    from vocapp import create_app

    running = click.get_current_context(silent=True)
    app = create_app(pages=getattr(running.command if running else None, "needs_pages", True))
    app.teardown_appcontext(_close_database)
    return app


def _close_database(exc: BaseException | None) -> None:
    """When a command's app context ends, let the job threads it started finish (webhook senders after
    a commit, in the embedded mode), then close its database connections."""
    from vocapp.services.connections import close_connections

    if "vocapp.jobs.queue" in sys.modules and threading.current_thread() is threading.main_thread():
        sys.modules["vocapp.jobs.queue"].wait_for_threads(timeout=30)

    close_connections()


cli = VocappGroup(name="vocapp", help="vocapp: surveys, attitudinal scores and the Customer Segmentation Canvas.")


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
    except Exception as exc:  # noqa: BLE001 - only the errors _one_line knows are turned into a line
        line = _one_line(exc)
        if line is None:
            raise
        click.echo(f"Error: {line}", err=True)
        sys.exit(1)


def _one_line(exc: Exception) -> str | None:
    """The one-line message for an error a person can act on (None: a bug, let the traceback show)."""
    if isinstance(exc, VocappError):
        return str(exc)
    if "sqlalchemy" in sys.modules:  # a database error can only come from a command that loaded SQLAlchemy
        from vocapp.services.database import database_error_line

        line = database_error_line(exc)
        if line is not None:
            return line
    if isinstance(exc, OverflowError):  # e.g. --version 99999999999999999999 reaching SQLite
        return f"a number given is too large: {exc}"
    if isinstance(exc, OSError):  # e.g. --out into a folder that does not exist or cannot be written
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return None
