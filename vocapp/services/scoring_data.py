"""Scoring's database I/O: one query per table to read responses, bulk writes for scores.

No ORM objects are built per response or per score row: answers (one JSON object per response) come
back as plain rows and go into column arrays; scores go out through COPY (PostgreSQL) or a DB-API
executemany (other databases).
"""
from __future__ import annotations

import io
import math
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import insert, select

from vocapp.extensions import db
from vocapp.models import AccountScore, Contact, ContactScore, Response

ROLE_ITEM = "decision_role"
CONTACT_SCORE_COLUMNS = ("run_id", "response_id", "contact_id", "construct", "score", "factor_score",
                         "flags", "excluded")
ACCOUNT_SCORE_COLUMNS = ("run_id", "account_id", "construct", "score", "low", "high", "n_respondents")


def load_responses(version_ids: Sequence[int], items: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complete responses to the given survey versions, in one query joined to their contacts.

    Returns ``answers`` (index response_id, one column per item; NaN missing) and ``meta`` (index
    response_id: contact_id, account_id, role, relationship, duration_seconds, submitted_at). The role is
    the response's ``decision_role`` answer when there is one, else the contact's role.
    """
    stmt = (
        select(Response.id, Response.contact_id, Response.answers, Response.duration_seconds,
               Response.submitted_at, Contact.account_id, Contact.role, Contact.relationship)
        .outerjoin(Contact, Contact.id == Response.contact_id)
        .where(Response.survey_version_id.in_(list(version_ids)), Response.status == "complete")
        .order_by(Response.id)
    )
    rows = db.session.execute(stmt).all()
    ids, contact_ids, answers, durations, submitted, account_ids, roles, relationships = (
        list(col) for col in zip(*rows)) if rows else ([] for _ in range(8))
    index = pd.Index(ids, name="response_id", dtype="int64")
    columns = {item: pd.to_numeric(pd.Series([a.get(item) if a else None for a in answers], dtype=object),
                                   errors="coerce").to_numpy(dtype=float)
               for item in items}
    answer_frame = pd.DataFrame(columns, index=index)
    stated_roles = [a.get(ROLE_ITEM) if a else None for a in answers]
    meta = pd.DataFrame({
        "contact_id": pd.array(contact_ids, dtype="Int64"),
        "account_id": pd.array(account_ids, dtype="Int64"),
        "role": [s if isinstance(s, str) and s else r for s, r in zip(stated_roles, roles)],
        "relationship": relationships,
        "duration_seconds": pd.to_numeric(pd.Series(durations, dtype=object), errors="coerce").to_numpy(float),
        "submitted_at": pd.to_datetime(pd.Series(submitted, dtype=object), utc=True),
    }, index=index)
    return answer_frame, meta


def _copy_rows(table: str, columns: Sequence[str], frame: pd.DataFrame) -> None:
    """PostgreSQL COPY FROM STDIN (CSV) of ``frame`` on the session's connection."""
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False, na_rep="")
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())


def _records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Row tuples with NaN/NA turned into None and numpy scalars into Python ones."""
    cols = []
    for name in frame.columns:
        values = frame[name].astype(object).to_numpy()
        cols.append([None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
                     else (v.item() if isinstance(v, np.generic) else v) for v in values])
    return list(zip(*cols))


def bulk_insert(model: type, columns: Sequence[str], frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` (columns in ``columns`` order) into ``model``'s table."""
    if frame.empty:
        return
    frame = frame.loc[:, list(columns)]
    table = model.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        _copy_rows(table.name, columns, frame)
        return
    rows = _records(frame)
    if dialect == "sqlite":
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        db.session.connection().exec_driver_sql(sql, rows)
    else:
        db.session.execute(insert(table), [dict(zip(columns, r)) for r in rows])


def contact_score_rows(run_id: int, scores: pd.DataFrame, flags: pd.DataFrame, meta: pd.DataFrame,
                       constructs: Iterable[str]) -> pd.DataFrame:
    """Long rows (one per response and construct) for ``contact_scores``."""
    parts = []
    for construct in constructs:
        parts.append(pd.DataFrame({
            "run_id": run_id,
            "response_id": scores.index.to_numpy(),
            "contact_id": meta["contact_id"].reindex(scores.index).to_numpy(),
            "construct": construct,
            "score": scores[construct].to_numpy(),
            "factor_score": scores[f"{construct}_z"].to_numpy(),
            "flags": flags["flags"].reindex(scores.index).replace("", None).to_numpy(),
            "excluded": flags["excluded"].reindex(scores.index).to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True)


def store_scores(run_id: int, scores: pd.DataFrame, flags: pd.DataFrame, meta: pd.DataFrame,
                 accounts: pd.DataFrame, constructs: Sequence[str]) -> None:
    """Bulk-insert contact scores and account scores of a run (the caller commits)."""
    bulk_insert(ContactScore, CONTACT_SCORE_COLUMNS,
                contact_score_rows(run_id, scores, flags, meta, constructs))
    bulk_insert(AccountScore, ACCOUNT_SCORE_COLUMNS, accounts.assign(run_id=run_id))
