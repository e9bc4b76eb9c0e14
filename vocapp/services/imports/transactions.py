"""Import transactions in chunks with bulk writes (COPY on PostgreSQL, executemany elsewhere)."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import insert, select

from vocapp.core.imports import ALL_FORMATS, DEFAULT_CHUNK_ROWS, iter_table_chunks
from vocapp.core.imports.transactions import validate_transactions
from vocapp.extensions import db
from vocapp.models import Account, ImportRun, StaffUser, Transaction, utcnow

from .report import ImportReport
from .runs import execute_import

DEFAULT_CURRENCY = "GBP"
COLUMNS = ("account_id", "date", "amount", "currency", "category", "description", "reference",
           "import_run_id", "created_at")
INSERT_BATCH = 5000
CENT = Decimal("0.01")


def import_transactions(path: str | Path, create_accounts: bool = False, dry_run: bool = False,
                        filename: str | None = None, staff: StaffUser | None = None,
                        today: dt.date | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> ImportReport:
    """Import a CSV / XLSX / Parquet transactions file, chunk by chunk, in one transaction.

    Every chunk is validated; rows are bulk-written while no error has been seen,
    and any error anywhere rolls the whole import back.  A reference already
    stored or repeated in the file is skipped.  Unknown accounts are errors unless
    ``create_accounts`` (then they are created, named after their id).
    """
    return execute_import("transactions", path, filename, dry_run, staff, _work(
        lambda name: iter_table_chunks(path, name, chunk_rows, formats=ALL_FORMATS), create_accounts, dry_run, today))


def import_transactions_frame(frame: pd.DataFrame, sha256: str, filename: str, create_accounts: bool = False,
                              dry_run: bool = False, staff: StaffUser | None = None,
                              today: dt.date | None = None) -> ImportReport:
    """``import_transactions`` for a table already in hand (the API's JSON records, as text cells)."""
    return execute_import("transactions", None, filename, dry_run, staff,
                          _work(lambda name: iter([frame]), create_accounts, dry_run, today), sha256=sha256)


def _work(chunks: Callable[[str], Iterator[pd.DataFrame]], create_accounts: bool, dry_run: bool,
          today: dt.date | None) -> Callable[[ImportReport, ImportRun], None]:
    def work(report: ImportReport, run: ImportRun) -> None:
        accounts: dict[str, int] = dict(db.session.execute(select(Account.external_id, Account.id)).all())
        seen = {reference: 0 for reference in db.session.scalars(
            select(Transaction.reference).where(Transaction.reference.is_not(None)))}
        new_accounts: set[str] = set()
        for number, chunk in enumerate(chunks(report.filename)):
            report.set_preview(chunk)
            result = validate_transactions(chunk, report.filename, accounts.keys(), create_accounts, today, seen)
            header_row = chunk.attrs.get("header_row", 1)
            # header problems (missing, unexpected or repeated columns) are reported once, with the first chunk
            report.add_errors([issue for issue in result.errors if number == 0 or issue.row != header_row])
            report.add_skipped(result.skipped)
            if not report.ok:
                continue  # keep validating to report every error; nothing will be committed
            report.created += len(result.clean)
            unknown = set(result.clean["account_id"].unique()) - accounts.keys() - new_accounts
            new_accounts |= unknown
            if dry_run:
                continue
            if unknown:
                accounts.update(_create_accounts(sorted(unknown)))
            _write(result.clean, accounts, run.id)
        report.extra_counts["accounts_created"] = len(new_accounts)

    return work


def _create_accounts(external_ids: list[str]) -> dict[str, int]:
    db.session.execute(insert(Account), [{"external_id": external_id, "name": external_id}
                                         for external_id in external_ids])
    return dict(db.session.execute(
        select(Account.external_id, Account.id).where(Account.external_id.in_(external_ids))).all())


def _arrow_rows(clean: pd.DataFrame, accounts: dict[str, int], run_id: int) -> pa.Table:
    """The rows to store, as an Arrow table in COPY column order."""
    n = len(clean)

    def text(column: pd.Series) -> pa.Array:
        return pa.array(column, type=pa.string(), from_pandas=True)

    return pa.table({
        "account_id": pa.array(clean["account_id"].map(accounts).to_numpy(dtype="int64")),
        "date": pa.array(clean["date"].to_numpy().astype("datetime64[D]")),
        "amount": text(clean["amount_text"]),
        "currency": text(clean["currency"].fillna(DEFAULT_CURRENCY)),
        "category": text(clean["category"]),
        "description": text(clean["description"]),
        "reference": text(clean["reference"]),
        "import_run_id": pa.array(np.full(n, run_id, dtype="int64")),
        "created_at": pa.array([utcnow().isoformat()] * n, pa.string()),
    })


def _write(clean: pd.DataFrame, accounts: dict[str, int], run_id: int) -> None:
    if clean.empty:
        return
    rows = _arrow_rows(clean, accounts, run_id)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        _copy(connection, rows)
        return
    now = utcnow()
    records = rows.to_pylist()
    for record in records:
        record["amount"] = Decimal(record["amount"]).quantize(CENT, rounding=ROUND_HALF_UP)
        record["created_at"] = now
    table = Transaction.__table__
    for start in range(0, len(records), INSERT_BATCH):
        connection.execute(insert(table), records[start:start + INSERT_BATCH])


def _copy(connection, rows: pa.Table) -> None:
    """COPY the rows in CSV form through psycopg, inside the session's transaction."""
    buffer = io.BytesIO()
    pa_csv.write_csv(rows, buffer, write_options=pa_csv.WriteOptions(include_header=False))
    driver_connection = connection.connection.driver_connection
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY transactions ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
