"""The app's database connections as a whole (no schema, no data)."""
from __future__ import annotations

from vocapp.extensions import db


def close_connections() -> None:
    """End the session and close every pooled connection of the current app's engines (a process
    about to exit would otherwise leave them to the garbage collector: a ResourceWarning and an
    unclean disconnect on PostgreSQL)."""
    db.session.remove()
    for engine in db.engines.values():
        engine.dispose()
