"""Benchmark `vocapp export contacts` in every format against writing the same DataFrame directly.

    python bench/export.py [--database URL] [--n 100000] [--formats csv xlsx sav parquet json] [--repeat 3]

Stores n scored contacts (one complete response and one contact_scores row each, three constructs,
n/3 accounts) in a database (SQLite in a temporary file by default; WARNING: a given database's vocapp
tables are dropped and recreated), then, each in a fresh process so peak memory is its own:

- export: ``write_export("contacts", fmt)`` end to end (chunked read from the database, shaping,
  neutralising, writing) -- what `vocapp export contacts --format FMT` runs;
- writer: the same writer fed the finished export table from memory in 10,000-row chunks (the
  export minus the database read);
- direct: the finished export table written in one call by the library: pandas ``to_csv``, openpyxl
  write-only ``append`` per row, pyreadstat ``write_sav``, pyarrow ``write_table``, pandas ``to_json``;
- bare: the export's own SELECT read through the DB-API in the same chunks, rows only (no frames,
  shaping or writing): the database's share, which no direct write of an in-memory frame pays.

The writing libraries are imported before the clock starts in every phase; each phase runs --repeat
times (default 3) in its process and the fastest run counts. Prints time and peak RSS (VmHWM, whole
process over its runs, including the ~200 MB of imported libraries) per phase and the ratios
export/direct (target 1.5x), export/(bare + direct) (the floor an export reading from a database can
reach) and writer/direct; peak target < 500 MB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _surveys import store_survey  # noqa: E402
from score import CONSTRUCTS, SURVEY_ID, definition, make_app  # noqa: E402

FORMATS = ("csv", "xlsx", "sav", "parquet", "json")


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def setup(url: str, n: int, table: Path) -> None:
    """Fresh schema; n contacts each with a complete response and a score in scoring run 1; the
    finished contacts export saved as Parquet (the 'same DataFrame' for the direct writes)."""
    import numpy as np
    from sqlalchemy import insert

    from vocapp.extensions import db
    from vocapp.models import Contact, ContactScore, Response, ScoringRun
    from vocapp.services.exports import write_export

    defn = definition(2)
    rng = np.random.default_rng(1)
    app = make_app(url)
    with app.app_context():
        n_accounts = max(1, n // 3)
        version = store_survey(SURVEY_ID, defn, n_accounts, external_id="A{:06d}")
        run = ScoringRun(survey_id=version.survey_id, method="efa", diagnostics={"constructs": list(CONSTRUCTS)})
        db.session.add(run)
        db.session.flush()
        roles = ["decision_maker", "influencer", "user", "=formula"]
        now = datetime.now(timezone.utc)
        for start in range(0, n, 20_000):
            ids = range(start + 1, min(n, start + 20_000) + 1)
            scores = rng.uniform(0, 100, (len(ids), len(CONSTRUCTS)))
            z = rng.normal(0, 1, (len(ids), len(CONSTRUCTS)))
            db.session.execute(insert(Contact), [
                {"id": i, "account_id": 1 + i % n_accounts, "email": f"c{i}@example.org",
                 "relationship": "member", "role": roles[i % 4]} for i in ids])
            db.session.execute(insert(Response), [
                {"id": i, "survey_version_id": version.id, "contact_id": i, "source": "import", "status": "complete",
                 "started_at": now, "submitted_at": now, "duration_seconds": 300.0, "answers": {}} for i in ids])
            db.session.execute(insert(ContactScore), [
                {"run_id": run.id, "response_id": i, "scores": dict(zip(CONSTRUCTS, s.tolist())),
                 "factor_scores": dict(zip(CONSTRUCTS, t.tolist())), "flags": "speeding" if i % 50 == 0 else None,
                 "excluded": i % 50 == 0} for i, s, t in zip(ids, scores, z)])
        db.session.commit()
        write_export("contacts", "parquet", table)


def _import_writers() -> None:
    """Import every writing library before the clock starts, in every phase alike (a web worker or a
    CLI run imports them once; the direct phase has them imported by reading the table)."""
    import openpyxl  # noqa: F401
    import orjson  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import pyreadstat  # noqa: F401


def phase_export(url: str, fmt: str, out: Path) -> dict:
    from vocapp.services.exports import write_export

    _import_writers()
    app = make_app(url)
    with app.app_context():
        start = time.perf_counter()
        rows, _, _ = write_export("contacts", fmt, out)
        return {"seconds": time.perf_counter() - start, "rows": rows, "peak_rss_mb": peak_rss_mb()}


def phase_bare(url: str, fmt: str, out: Path) -> dict:
    """The export's own SELECT read through the DB-API in the same chunks (server-side cursor on
    PostgreSQL), rows only: no frames, no shaping, no writing -- the database's share of an export."""
    from vocapp.services.exports import export_table, resolve_scope
    from vocapp.services.exports.tables import driver_rows

    app = make_app(url)
    with app.app_context():
        start = time.perf_counter()
        table = export_table("contacts", resolve_scope())
        rows = sum(len(chunk) for chunk in driver_rows(table.statement, 10_000))
        return {"seconds": time.perf_counter() - start, "rows": rows, "peak_rss_mb": peak_rss_mb()}


def _variables():
    from vocapp.core.exports import contact_variables
    from vocapp.core.scoring.quality import FLAG_COLUMNS
    return contact_variables(list(CONSTRUCTS), definition(2), FLAG_COLUMNS)


def _read(table: Path):
    import pandas as pd
    from vocapp.core.exports import conform
    return conform(pd.read_parquet(table), _variables())


def phase_writer_only(table: Path, fmt: str, out: Path) -> dict:
    from vocapp.core.exports import write_file

    frame, variables = _read(table), _variables()
    _import_writers()
    start = time.perf_counter()
    chunks = (frame.iloc[i:i + 10_000] for i in range(0, len(frame), 10_000))
    rows = write_file(fmt, variables, chunks, out, title="contacts", codebook={"contacts": variables})
    return {"seconds": time.perf_counter() - start, "rows": rows, "peak_rss_mb": peak_rss_mb()}


def phase_direct(table: Path, fmt: str, out: Path) -> dict:
    frame = _read(table)
    start = time.perf_counter()
    if fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "json":
        frame.to_json(out, orient="records", date_format="iso")
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), out)
    elif fmt == "sav":
        import pyreadstat
        from vocapp.core.exports.writers import spss_frame
        plain = spss_frame(frame, _variables())  # pyreadstat takes no nullable or tz-aware columns
        start = time.perf_counter()
        pyreadstat.write_sav(plain, str(out))
    else:
        from openpyxl import Workbook
        book = Workbook(write_only=True)
        sheet = book.create_sheet("contacts")
        sheet.append(list(frame.columns))
        plain = frame.astype(object).where(frame.notna(), None)
        plain["submitted_at"] = [None if t is None else t.to_pydatetime().replace(tzinfo=None)
                                 for t in plain["submitted_at"]]
        start = time.perf_counter()
        for row in plain.itertuples(index=False, name=None):
            sheet.append(row)
        book.save(out)
    return {"seconds": time.perf_counter() - start, "rows": len(frame), "peak_rss_mb": peak_rss_mb()}


def child(repeat: int, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--repeat", str(repeat), "--phase", *args],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"phase {args[0]} {args[2]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--n", type=int, default=100_000, help="scored contacts")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each phase in its process; the fastest counts (the machine may be shared)")
    parser.add_argument("--phase", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase, source, fmt, out = args.phase
        run = {"export": phase_export, "bare": phase_bare, "writer": phase_writer_only, "direct": phase_direct}[phase]
        runs = [run(source if phase in ("export", "bare") else Path(source), fmt, Path(out))
                for _ in range(args.repeat)]
        print(json.dumps({**min(runs, key=lambda r: r["seconds"]), "peak_rss_mb": peak_rss_mb()}))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        table = Path(folder) / "table.parquet"
        start = time.perf_counter()
        setup(url, args.n, table)
        print(f"setup: {args.n} scored contacts in {time.perf_counter() - start:.1f} s ({url.split(':')[0]})")
        print("bare: the export's SELECT through the DB-API, rows only, measured next to each format's export")
        print(f"{'format':<8} {'export s':>9} {'bare s':>7} {'writer s':>9} {'direct s':>9} {'export/direct':>14} "
              f"{'export/(bare+direct)':>21} {'writer/direct':>14} {'export MB':>10} {'bare MB':>8} {'writer MB':>10} "
              f"{'direct MB':>10} {'file MB':>8}")
        for fmt in args.formats:
            out = Path(folder) / f"out.{fmt}"
            bare = child(args.repeat, "bare", url, fmt, str(out))
            export = child(args.repeat, "export", url, fmt, str(out))
            size = out.stat().st_size / 2**20
            writer = child(args.repeat, "writer", str(table), fmt, str(out))
            direct = child(args.repeat, "direct", str(table), fmt, str(out))
            assert bare["rows"] == export["rows"] == writer["rows"] == direct["rows"] == args.n, (export, writer, direct)
            floor = bare["seconds"] + direct["seconds"]
            print(f"{fmt:<8} {export['seconds']:>9.2f} {bare['seconds']:>7.2f} {writer['seconds']:>9.2f} "
                  f"{direct['seconds']:>9.2f} "
                  f"{export['seconds'] / direct['seconds']:>13.2f}x {export['seconds'] / floor:>20.2f}x "
                  f"{writer['seconds'] / direct['seconds']:>13.2f}x "
                  f"{export['peak_rss_mb']:>10.0f} {bare['peak_rss_mb']:>8.0f} {writer['peak_rss_mb']:>10.0f} "
                  f"{direct['peak_rss_mb']:>10.0f} {size:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
