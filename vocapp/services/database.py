"""Schema management: upgrade to the latest migration, reset a throw-away database."""
from __future__ import annotations

import io
from contextlib import redirect_stdout

from alembic.runtime.migration import MigrationContext
from flask_migrate import upgrade

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


def drop_everything() -> None:
    """Drop every vocapp table and the migration history (used by the demo's fresh start)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
