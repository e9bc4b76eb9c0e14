"""Schema management: upgrade to the latest migration, reset a throw-away database."""
from __future__ import annotations

import io
from contextlib import redirect_stdout

from alembic.runtime.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from vocapp import MIGRATIONS_DIR
from vocapp.extensions import db


def upgrade_database() -> str:
    """Upgrade the app's database to the latest revision and return that revision id."""
    with redirect_stdout(io.StringIO()):
        upgrade(directory=str(MIGRATIONS_DIR))
    return current_revision() or "base"


def current_revision() -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def rebuild_database() -> str:
    """Drop everything and build the latest schema from scratch (the demo's fresh start); the revision."""
    drop_everything()
    return upgrade_database()


def drop_everything() -> None:
    """Drop every vocapp table and the migration history (used by the demo's fresh start)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def _schema_out_of_date(message: str) -> bool:
    """Whether a database error says a table or column is missing (SQLite's or PostgreSQL's wording)."""
    return any(words in message for words in ("no such table", "no such column", "has no column named")) or (
        "does not exist" in message and ("relation" in message or "column" in message))


def database_error_line(exc: BaseException) -> str | None:
    """One line telling a person what a database error means and what to do (None: not such an error)."""
    if isinstance(exc, (OperationalError, ProgrammingError)):
        first_line = str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0]
        hint = ("is the database initialised and up to date? run `vocapp init-db`"
                if _schema_out_of_date(first_line) else "check VOCAPP_DATABASE_URL")
        return f"database: {first_line} ({hint})"
    if isinstance(exc, ArgumentError):  # a VOCAPP_DATABASE_URL that is not a database URL
        return f"VOCAPP_DATABASE_URL: {str(exc).splitlines()[0]}"
    return None
