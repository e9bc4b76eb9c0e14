"""Benchmark `vocapp score` end to end against the in-memory floor.

    python bench/score.py [--database URL ...] [--n 100000] [--items-per-construct 8] [--runs 2]

Stores n contacts (one complete response each, n/3 accounts) x 24 Likert items (3 constructs x 8,
5-point) in each database given (SQLite in a temporary file by default; repeat --database for several,
e.g. --database sqlite --database postgresql+psycopg://postgres@127.0.0.1:5432/bench), then, --runs
times per database, each in a fresh process so peak memory is the scoring's own:

- score: `run_scoring(refit=True)` (what `vocapp score --refit` calls) -> time split into read / fit /
  score / write, the process's CPU time and peak RSS (earlier runs' scores are deleted first, untimed);
- floor: the same matrix read from Parquet, then factor_analyzer FactorAnalyzer fit + transform.

Prints one line per run as it goes and a final table with the ratio end-to-end / floor (target <= 3x,
peak < 1 GB). The machine is shared, so the CPU columns show how much of the wall time was ours.
WARNING: each target database's vocapp tables are dropped and recreated.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SURVEY_ID = "bench_survey"
CONSTRUCTS = ("trust", "appetite", "innovation")


def definition(items_per_construct: int) -> dict:
    """A survey definition with ``items_per_construct`` 5-point items per construct, 2 reverse-keyed each."""
    items = [{"id": f"{c}_{k}", "type": "likert", "text": f"{c} statement {k}", "scale": "agree5",
              "construct": c, "reverse": k > items_per_construct - 2}
             for c in CONSTRUCTS for k in range(1, items_per_construct + 1)]
    return {"id": SURVEY_ID, "title": "Benchmark", "version": 1, "languages": ["en"],
            "constructs": [{"id": c, "label": c, "description": c} for c in CONSTRUCTS],
            "scales": [{"id": "agree5", "min": 1, "max": 5, "labels": {1: "Strongly disagree", 5: "Strongly agree"}}],
            "pages": [{"id": "p1", "title": "Statements", "items": items}]}


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would carry the parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app(url: str):
    from vocapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def setup(url: str, n: int, items_per_construct: int, parquet: Path) -> None:
    """Fresh schema, one survey version, n/3 accounts, n contacts, n complete responses; Parquet copy."""
    import numpy as np
    from sqlalchemy import insert

    from vocapp.core.surveys import content_hash
    from vocapp.core.scoring import build_item_key, response_matrix
    from vocapp.core.synthetic.responses import simulate_responses
    from vocapp.extensions import db
    from vocapp.models import Account, Contact, Response, Survey, SurveyVersion

    defn = definition(items_per_construct)
    key = build_item_key(defn)
    rng = np.random.default_rng(1)
    loadings = {i: float(rng.uniform(0.6, 0.8)) for i in key.items}
    phi = np.array([[1.0, 0.4, 0.2], [0.4, 1.0, 0.3], [0.2, 0.3, 1.0]])
    answers, _ = simulate_responses(key, loadings, n, phi, random_state=2, missing_rate=0.01)
    response_matrix(answers, key).to_parquet(parquet)
    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        survey = Survey(slug=SURVEY_ID, title="Benchmark")
        db.session.add(survey)
        db.session.flush()
        version = SurveyVersion(survey_id=survey.id, number=1, definition=defn, content_hash=content_hash(defn))
        db.session.add(version)
        db.session.flush()
        n_accounts = max(1, n // 3)
        db.session.execute(insert(Account), [{"id": a, "external_id": f"A{a}", "name": f"Account {a}"}
                                             for a in range(1, n_accounts + 1)])
        roles = ["decision_maker", "influencer", "user"]
        now = datetime.now(timezone.utc)
        chunk = 20000
        records = answers.to_dict(orient="records")
        for start in range(0, n, chunk):
            ids = range(start + 1, min(n, start + chunk) + 1)
            db.session.execute(insert(Contact), [
                {"id": i, "account_id": 1 + i % n_accounts, "email": f"c{i}@example.org",
                 "relationship": "member", "role": roles[i % 3]} for i in ids])
            durations = rng.uniform(120, 600, len(ids))
            db.session.execute(insert(Response), [
                {"id": i, "survey_version_id": version.id, "contact_id": i, "source": "import",
                 "status": "complete", "started_at": now, "submitted_at": now, "duration_seconds": float(d),
                 "answers": {k: (None if v != v else int(v)) for k, v in records[i - 1].items()}}
                for i, d in zip(ids, durations)])
        db.session.commit()


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(pid: int | None) -> float | None:
    """CPU time of a local PostgreSQL backend process (None when not readable, e.g. a remote server)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phase_score(url: str) -> dict:
    from sqlalchemy import text

    from vocapp.extensions import db
    from vocapp.models import ScoringRun
    from vocapp.services.scoring import run_scoring

    app = make_app(url)
    with app.app_context():
        db.session.execute(ScoringRun.__table__.delete())  # earlier runs' scores go with them (cascade)
        db.session.commit()
        db.engine.dispose()
        # one pooled connection, so the backend whose CPU we read is the one run_scoring uses
        pid = db.session.scalar(text("SELECT pg_backend_pid()")) if url.startswith("postgresql") else None
        db.session.commit()
        cpu, server, start = cpu_seconds(), server_cpu_seconds(pid), time.perf_counter()
        run = run_scoring(SURVEY_ID, refit=True)
        total = time.perf_counter() - start
        server_after = server_cpu_seconds(pid)
        return {"total": total, **run.timings, "cpu": cpu_seconds() - cpu, "n_responses": run.n_responses,
                "server_cpu": None if server is None or server_after is None else server_after - server,
                "run_id": run.id, "peak_rss_mb": peak_rss_mb()}


def phase_floor(parquet: str) -> dict:
    import warnings

    import pandas as pd
    from factor_analyzer import FactorAnalyzer

    cpu, start = cpu_seconds(), time.perf_counter()
    matrix = pd.read_parquet(parquet).dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fa = FactorAnalyzer(n_factors=len(CONSTRUCTS), rotation="oblimin").fit(matrix.to_numpy())
        fa.transform(matrix.to_numpy())
    return {"total": time.perf_counter() - start, "cpu": cpu_seconds() - cpu, "peak_rss_mb": peak_rss_mb()}


def child(phase: str, arg: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--arg", arg],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{phase} phase failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def backend_name(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


TABLE = ("{backend:<11} {run:>3} {total:>7} {read:>6} {fit:>6} {score:>6} {write:>6} {cpu:>6} {db_cpu:>6} "
         "{peak:>8} {floor:>6} {floor_cpu:>9} {ratio:>6}")


def table_row(backend: str, run: int, score: dict, floor: dict) -> str:
    db_cpu = "-" if score.get("server_cpu") is None else f"{score['server_cpu']:.2f}"
    return TABLE.format(backend=backend, run=run, total=f"{score['total']:.2f}", read=f"{score['read']:.2f}",
                        fit=f"{score['fit']:.2f}", score=f"{score['score']:.2f}", write=f"{score['write']:.2f}",
                        cpu=f"{score['cpu']:.2f}", db_cpu=db_cpu, peak=f"{score['peak_rss_mb']:.0f}",
                        floor=f"{floor['total']:.2f}", floor_cpu=f"{floor['cpu']:.2f}",
                        ratio=f"{score['total'] / floor['total']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append",
                        help="SQLAlchemy URL, or 'sqlite' for a temporary SQLite file; repeatable (default: sqlite)")
    parser.add_argument("--n", type=int, default=100_000, help="contacts with one response each")
    parser.add_argument("--items-per-construct", type=int, default=8, help="3 constructs x this many items")
    parser.add_argument("--runs", type=int, default=2, help="timed scoring runs per database")
    parser.add_argument("--phase", choices=["score", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--arg", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "score":
        print(json.dumps(phase_score(args.arg)))
        return
    if args.phase == "floor":
        print(json.dumps(phase_floor(args.arg)))
        return
    rows: list[str] = []
    best: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        parquet = Path(tmp) / "matrix.parquet"
        for k, target in enumerate(args.database or ["sqlite"]):
            url = f"sqlite:///{Path(tmp) / f'bench{k}.db'}" if target == "sqlite" else target
            backend = backend_name(url)
            start = time.perf_counter()
            setup(url, args.n, args.items_per_construct, parquet)
            print(f"{backend}: stored {args.n} contacts x {3 * args.items_per_construct} items "
                  f"in {time.perf_counter() - start:.1f} s (setup, not timed)", flush=True)
            for run in range(1, args.runs + 1):
                score = child("score", url)
                floor = child("floor", str(parquet))
                rows.append(table_row(backend, run, score, floor))
                best.setdefault(backend, []).append((score["total"], floor["total"]))
                print(f"  run {run}: vocapp score {score['total']:.2f} s (read {score['read']:.2f}, fit "
                      f"{score['fit']:.2f}, score {score['score']:.2f}, write {score['write']:.2f}; "
                      f"{score['n_responses']} responses), peak {score['peak_rss_mb']:.0f} MB; floor "
                      f"{floor['total']:.2f} s; ratio {score['total'] / floor['total']:.1f}x", flush=True)
    print()
    print(f"vocapp score, {args.n} responses x {3 * args.items_per_construct} items; seconds (wall) unless noted; "
          "cpu = CPU seconds of the scoring process, db cpu = of its PostgreSQL backend (local server only)")
    print(TABLE.format(backend="backend", run="run", total="total", read="read", fit="fit", score="score",
                       write="write", cpu="cpu", db_cpu="db cpu", peak="peak MB", floor="floor", floor_cpu="floor cpu",
                       ratio="ratio"))
    for row in rows:
        print(row)
    for backend, pairs in best.items():
        fastest, floor = min(t for t, _ in pairs), min(f for _, f in pairs)
        print(f"{backend}: fastest end to end {fastest:.2f} s / fastest floor {floor:.2f} s = {fastest / floor:.1f}x")
    print("targets: ratio <= 3x (end to end / floor), peak < 1024 MB. "
          "floor = Parquet read + factor_analyzer fit + transform, in its own process.")


if __name__ == "__main__":
    main()
