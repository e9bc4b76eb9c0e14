"""Scoring's database I/O: one query per table to read responses, bulk writes for scores.

No ORM objects are built per response or per score row: answers (one JSON object per response) come
back as plain rows and go into column arrays; scores go out through COPY (PostgreSQL) or a DB-API
executemany (other databases).
"""
from __future__ import annotations

import io
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import String, func, insert, select, type_coerce

from vocapp.extensions import db
from vocapp.models import AccountScore, Contact, ContactScore, Response

ROLE_ITEM = "decision_role"
CONTACT_SCORE_COLUMNS = ("run_id", "response_id", "contact_id", "construct", "score", "factor_score",
                         "flags", "excluded")
ACCOUNT_SCORE_COLUMNS = ("run_id", "account_id", "construct", "score", "low", "high", "n_respondents")


def _numeric(values: Sequence[Any]) -> np.ndarray:
    """Floats from extracted JSON values (numbers, numeric strings, None); anything else becomes NaN."""
    try:
        return np.array(values, dtype=float)
    except (TypeError, ValueError):
        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)


def _extract(item: str):
    """SQL for one answer: SQLite's json_extract keeps numbers numeric; elsewhere the JSON text (->>)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.json_extract(Response.answers, f'$."{item}"')
    return Response.answers[item].as_string()


def load_responses(version_ids: Sequence[int], items: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complete responses to the given survey versions, in one query joined to their contacts.

    The database extracts each item from the answers JSON (``json_extract`` on SQLite, ``->>`` on
    PostgreSQL), so no per-response JSON parsing happens in Python. Returns ``answers`` (index
    response_id, one float column per item; NaN missing or non-numeric) and ``meta`` (index response_id:
    contact_id, account_id, role, relationship, duration_seconds, submitted_at). The role is the
    response's ``decision_role`` answer when there is one, else the contact's role.
    """
    item_columns = [_extract(item).label(f"i{k}") for k, item in enumerate(items)]
    stmt = (
        select(Response.id, Response.contact_id, Response.duration_seconds,
               type_coerce(Response.submitted_at, String),  # parsed below, vectorised
               Contact.account_id, Contact.role, Contact.relationship,
               _extract(ROLE_ITEM), *item_columns)
        .outerjoin(Contact, Contact.id == Response.contact_id)
        .where(Response.survey_version_id.in_(list(version_ids)), Response.status == "complete")
        .order_by(Response.id)
    )
    # plain DB-API tuples: no ORM objects or per-row result processing (every column here is a number,
    # a string, a timestamp coerced to text, or a JSON value the database already extracted)
    result = db.session.connection().execute(stmt)
    rows = result.cursor.fetchall()
    result.close()
    meta_names = ["response_id", "contact_id", "duration_seconds", "submitted_at", "account_id", "contact_role",
                  "relationship", "stated_role"]
    columns = list(zip(*rows)) if rows else [() for _ in range(len(meta_names) + len(items))]
    frame = pd.DataFrame({name: pd.Series(col, dtype=object) for name, col in zip(meta_names, columns)})
    index = pd.Index(frame["response_id"].astype("int64"), name="response_id")
    first = len(meta_names)
    try:  # the usual case: every extracted value is a number or missing
        values = np.array([row[first:] for row in rows], dtype=float).reshape(len(rows), len(items))
    except (TypeError, ValueError):
        values = np.column_stack([_numeric(col) for col in columns[first:]]) if rows else \
            np.empty((0, len(items)))
    answers = pd.DataFrame(values, index=index, columns=list(items))
    stated = frame["stated_role"].where(frame["stated_role"].notna() & (frame["stated_role"] != ""))
    meta = pd.DataFrame({
        "contact_id": frame["contact_id"].astype("Int64"),
        "account_id": frame["account_id"].astype("Int64"),
        "role": stated.fillna(frame["contact_role"]),
        "relationship": frame["relationship"],
        "duration_seconds": pd.to_numeric(frame["duration_seconds"], errors="coerce").astype(float),
        "submitted_at": pd.to_datetime(frame["submitted_at"], utc=True, format="mixed"),
    }).set_axis(index)
    return answers, meta


def _copy_rows(table: str, columns: Sequence[str], frame: pd.DataFrame) -> None:
    """PostgreSQL COPY FROM STDIN (CSV) of ``frame`` on the session's connection."""
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False, na_rep="")
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())


def _records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Row tuples of Python values with NaN/NA turned into None (column-wise, in C where possible)."""
    columns = [frame[c].to_numpy(dtype=object, na_value=None).tolist() if frame[c].hasnans
               else frame[c].tolist() for c in frame.columns]
    return list(zip(*columns))


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
