"""Bulk database I/O for services: whole columns in and out, no per-row ORM objects.

- ``bulk_insert``: a DataFrame into a table (PostgreSQL COPY CSV, SQLite executemany, else SQLAlchemy).
- ``pg_copy_binary``: numeric NumPy columns into a PostgreSQL table through binary COPY; the rows are
  packed by NumPy (fixed width, big-endian), so no Python object or text is made per value.
- ``pg_query_csv``: the result of a SELECT as CSV bytes through ``COPY (query) TO STDOUT``, for
  ``pandas.read_csv`` (C parser) instead of one Python tuple per row.
"""
from __future__ import annotations

import io
import struct
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import insert

from vocapp.extensions import db

#: NumPy kind -> (big-endian wire dtype, PostgreSQL type) for binary COPY
_PG_BINARY = {"i": (">i8", "int8"), "u": (">i8", "int8"), "f": (">f8", "float8"), "b": ("u1", "bool")}
_PG_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_PG_COPY_TRAILER = struct.pack(">h", -1)


def dialect_name() -> str:
    """Name of the session's database dialect ('sqlite', 'postgresql', ...)."""
    return db.session.get_bind().dialect.name


def driver_connection() -> Any:
    """The DB-API connection under the session's current transaction."""
    return db.session.connection().connection.driver_connection


def pg_column_type(values: np.ndarray) -> str:
    """PostgreSQL type used for a NumPy column in ``pg_copy_binary`` (int8, float8 or bool)."""
    return _PG_BINARY[np.asarray(values).dtype.kind][1]


def pg_copy_binary(table: str, columns: Mapping[str, np.ndarray]) -> None:
    """COPY equal-length int/float/bool NumPy columns into ``table`` (PostgreSQL, binary format).

    Values cannot be NULL (NaN floats arrive as float8 NaN; turn them into NULL in SQL with
    ``nullif(x, 'NaN')``). Runs on the session's connection, inside its transaction.
    """
    arrays = [np.asarray(v) for v in columns.values()]
    n = len(arrays[0]) if arrays else 0
    fields: list[tuple[str, str]] = [("n_fields", ">i2")]
    for k, values in enumerate(arrays):
        if len(values) != n:
            raise ValueError("pg_copy_binary: columns differ in length")
        fields += [(f"len{k}", ">i4"), (f"val{k}", _PG_BINARY[values.dtype.kind][0])]
    rows = np.empty(n, dtype=np.dtype(fields))  # packed (no alignment padding), as the wire format is
    rows["n_fields"] = len(arrays)
    for k, values in enumerate(arrays):
        wire = rows.dtype.fields[f"val{k}"][0]
        rows[f"len{k}"] = wire.itemsize
        rows[f"val{k}"] = values
    names = ", ".join(columns)
    with driver_connection().cursor() as cursor:
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT binary)") as copy:
            copy.write(_PG_COPY_HEADER)
            copy.write(rows.tobytes())
            copy.write(_PG_COPY_TRAILER)


def pg_query_csv(statement: Any) -> bytes:
    """Run a SQLAlchemy SELECT on PostgreSQL as ``COPY (...) TO STDOUT`` and return its CSV bytes.

    Parameters are merged client-side by psycopg (COPY takes no server-side parameters).
    """
    compiled = statement.compile(dialect=db.session.get_bind().dialect,
                                 compile_kwargs={"render_postcompile": True})
    out = bytearray()
    with driver_connection().cursor() as cursor:
        with cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)", compiled.params) as copy:
            for chunk in copy:
                out += chunk
    return bytes(out)


def _copy_rows(table: str, columns: Sequence[str], frame: pd.DataFrame) -> None:
    """PostgreSQL COPY FROM STDIN (CSV) of ``frame`` on the session's connection."""
    buffer = io.StringIO()
    # CRLF records: pandas then quotes a value holding a bare CR, which COPY refuses unquoted ("unquoted
    # carriage return found in data": a zone name or an imported text with a CR failed on PostgreSQL)
    frame.to_csv(buffer, header=False, index=False, na_rep="", lineterminator="\r\n")
    with driver_connection().cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())


def records(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
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
    dialect = dialect_name()
    if dialect == "postgresql":
        _copy_rows(table.name, columns, frame)
        return
    rows = records(frame)
    if dialect == "sqlite":
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        db.session.connection().exec_driver_sql(sql, rows)
    else:
        db.session.execute(insert(table), [dict(zip(columns, r)) for r in rows])
