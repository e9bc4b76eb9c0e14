"""``vocapp init-db`` and ``vocapp create-staff``."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from vocapp.cli import CREATES, database_use
from vocapp.core.constants import STAFF_ROLES


@click.command("init-db")
@with_appcontext
@database_use(CREATES)
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration."""
    from vocapp import create_app
    from vocapp.config import OWN_DATABASE_FILE, sqlite_uri
    from vocapp.services.database import upgrade_database

    app = current_app._get_current_object()
    if app.config.get("DATABASE_IS_DEMO_DEFAULT"):  # init-db makes one's own database, never the demo's
        own = sqlite_uri(f"{app.instance_path}/{OWN_DATABASE_FILE}")
        app = create_app({"SQLALCHEMY_DATABASE_URI": own}, instance_path=app.instance_path)
    with app.app_context():
        revision = upgrade_database()
    click.echo(f"Database {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]} at revision {revision}.")


@click.command("create-staff")
@click.argument("email")
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True, help="What the user may do.")
@click.option("--password", envvar="VOCAPP_STAFF_PASSWORD",
              help="The password (or VOCAPP_STAFF_PASSWORD); prompted for when neither it nor --password-stdin is given.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts: a pipe, not the command line).")
@with_appcontext
def create_staff_command(email: str, role: str, password: str | None, password_stdin: bool) -> None:
    """Create a staff user who can log in to the web app."""
    from vocapp.services.staff import create_staff

    if password_stdin:
        if password is not None:
            raise click.UsageError("give either --password or --password-stdin, not both")
        password = sys.stdin.readline().rstrip("\r\n")
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create_staff(email, role, password)
    click.echo(f"Created {user.role} {user.email}.")


commands = [init_db, create_staff_command]
