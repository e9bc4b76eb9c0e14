"""Benchmark: import 1M generated transactions into PostgreSQL through the import machinery.

Prints the import time, the peak memory (max RSS) of the process that imports, and the
ratio to a bare COPY of the same file (targets: ratio <= 3, peak < 1 GB). Two baselines:

- "equivalent table": COPY into a copy of the transactions table with the same indexes,
  unique reference and foreign key to accounts (account ids in the file are the account
  ids in the database, so the file loads as it is) - what the database itself costs;
- "unconstrained table": COPY into a table of plain columns without any index or key.

    python bench/import_transactions.py [--rows 1000000] [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]

A throw-away database is created on the server and dropped at the end.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import make_url

from _databases import drop_database, make_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
N_ACCOUNTS = 5000
CATEGORIES = np.array(["membership_fee", "training", "events", "consultancy", "certification", "refund"])


def generate(path: Path, rows: int, seed: int = 0, block: int = 200_000) -> None:
    """Write ``rows`` transactions in CSV, block by block (bounded memory)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2021-01-01")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for offset in range(0, rows, block):
            n = min(block, rows - offset)
            frame = pd.DataFrame({
                "account_id": rng.integers(1, N_ACCOUNTS + 1, n),
                "date": (start + pd.to_timedelta(rng.integers(0, 1800, n), unit="D")).strftime("%Y-%m-%d"),
                "amount": np.round(rng.gamma(2.0, 300.0, n) * np.where(rng.random(n) < 0.03, -1, 1), 2),
                "category": CATEGORIES[rng.integers(0, len(CATEGORIES), n)],
                "currency": "GBP",
                "description": "Invoice line",
                "reference": [f"R{offset + i:09d}" for i in range(n)],
            })
            frame.to_csv(handle, index=False, header=offset == 0, float_format="%.2f")


def import_in_this_process(url: str, path: Path) -> None:
    """Child mode: set up the schema and accounts, import the file, print JSON figures."""
    from vocapp import create_app
    from vocapp.extensions import db
    from vocapp.services.imports import import_transactions

    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}, instance_path=instance)
        with app.app_context():
            db.metadata.create_all(db.engine)
            with db.engine.begin() as connection:
                connection.execute(text("INSERT INTO accounts (id, external_id, name, attributes, created_at, updated_at) "
                                        "SELECT i, i::text, 'Account ' || i, '{}', now(), now() "
                                        f"FROM generate_series(1, {N_ACCOUNTS}) AS i"))
            started = time.perf_counter()
            report = import_transactions(path)
            elapsed = time.perf_counter() - started
            stored = db.session.execute(text("SELECT count(*) FROM transactions")).scalar()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_mib": peak_kib / 1024, "created": report.created,
                      "errors": report.error_count, "stored": stored}))


EQUIVALENT_TABLE = """
CREATE TABLE bench_equivalent (LIKE transactions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
ALTER TABLE bench_equivalent ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE bench_equivalent ADD FOREIGN KEY (account_id) REFERENCES accounts (id);
"""
PLAIN_TABLE = ("CREATE TABLE bench_plain (account_id text, date date, amount numeric(14,2), category text, "
               "currency text, description text, reference text)")


def bare_copy(url: str, path: Path, setup: str, table: str) -> float:
    """Seconds for a plain COPY of the CSV file into ``table`` (created by ``setup``)."""
    import psycopg

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        for statement in filter(str.strip, setup.split(";")):
            connection.execute(statement)
        connection.commit()
        started = time.perf_counter()
        columns = "account_id, date, amount, category, currency, description, reference"
        with connection.cursor() as cursor, open(path, "rb") as handle:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    copy.write(block)
        connection.commit()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL server URL (a database is created on it)")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import_in_this_process(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "transactions.csv"
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) "
              f"in {time.perf_counter() - started:.1f} s")
        url = make_database(args.url)
        try:
            child = subprocess.run([sys.executable, __file__, "--child", url, str(path)], capture_output=True,
                                   text=True, check=True)
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            equivalent = bare_copy(url, path, EQUIVALENT_TABLE, "bench_equivalent")
            plain = bare_copy(url, path, PLAIN_TABLE, "bench_plain")
        finally:
            drop_database(args.url, url)
    seconds = figures["seconds"]
    print(f"import through vocapp: {seconds:.1f} s, {figures['created']:,} rows created, "
          f"{figures['stored']:,} stored, {figures['errors']} errors")
    print(f"peak memory of the importing process: {figures['peak_mib']:.0f} MiB (target < 1024 MiB)")
    print(f"bare COPY into an equivalent table (same indexes, unique reference, foreign key): {equivalent:.1f} s")
    print(f"bare COPY into an unconstrained table: {plain:.1f} s")
    print(f"ratio import / bare COPY, equivalent table: {seconds / equivalent:.2f}x (target <= 3x)")
    print(f"ratio import / bare COPY, unconstrained table: {seconds / plain:.2f}x")


if __name__ == "__main__":
    main()
