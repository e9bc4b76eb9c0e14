"""Named database locks held to the end of the current transaction, on PostgreSQL and SQLite alike."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from vocapp.extensions import db
from vocapp.models import Lock, utcnow

#: times a run that builds on the latest one is computed again when another run landed meanwhile
ATTEMPTS = 3


def hold_lock(name: str) -> None:
    """Take lock ``name`` until the session's transaction commits or rolls back; wait while another
    transaction holds it.

    An upsert of the lock's row: PostgreSQL keeps that row locked until the transaction ends; SQLite
    takes its single writer lock at the first write of a transaction. On SQLite, call it before the
    transaction's first write, so the wait happens on the lock and not half-way through the writes.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Lock).values(name=name, taken_at=utcnow())
    db.session.execute(statement.on_conflict_do_update(index_elements=[Lock.name],
                                                       set_={"taken_at": statement.excluded.taken_at}))
