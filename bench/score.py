"""Benchmark the whole `vocapp score` process against a peer: the script an analyst would write.

    python bench/score.py [--database URL ...] [--n 10000 --n 100000] [--items-per-construct 8] [--runs 3]

For each database given (SQLite in a temporary file by default; repeat --database for several, e.g.
--database sqlite --database postgresql+psycopg://postgres@127.0.0.1:5432/bench) and each size n, stores
n contacts (one complete response each, n/3 accounts) x 24 Likert items (3 constructs x 8, 5-point, 1%
missing), then, --runs times, each as its own process started the same way and timed from outside:

- vocapp: `vocapp score --survey bench_survey --refit` (every check, the fit, parallel analysis, CFA,
  reliability, frozen model, contact and account scores, the run's summary figures);
- peer: `bench/score_peer.py` (one SQL read of the answers, pandas, factor_analyzer fit + transform on
  the complete rows, one `to_sql` of a score row per response), on the same database.

Earlier runs are deleted before each process (untimed). Prints one line per run as it goes, then the
medians per database and size with the ratio vocapp / peer (targets: <= 1.3x at 100,000 responses,
<= 1.5x at 10,000; peak < 1 GB at 300,000). Wall time, the process's CPU time (user + system) and peak
RSS come from the kernel (wait4), so a shared machine shows up as wall > CPU.
WARNING: each target database's vocapp tables are dropped and recreated.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
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

SURVEY_ID = "bench_survey"
CONSTRUCTS = ("trust", "appetite", "innovation")
RELATIONSHIPS = ("member", "customer", "both")  # three groups, so the invariance check runs
TARGETS = {10_000: 1.5, 100_000: 1.3}


def definition(items_per_construct: int) -> dict:
    """A survey definition with ``items_per_construct`` 5-point items per construct, 2 reverse-keyed each."""
    items = [{"id": f"{c}_{k}", "type": "likert", "text": f"{c} statement {k}", "scale": "agree5",
              "construct": c, "reverse": k > items_per_construct - 2}
             for c in CONSTRUCTS for k in range(1, items_per_construct + 1)]
    return {"id": SURVEY_ID, "title": "Benchmark", "version": 1, "languages": ["en"],
            "constructs": [{"id": c, "label": c, "description": c} for c in CONSTRUCTS],
            "scales": [{"id": "agree5", "min": 1, "max": 5, "labels": {1: "Strongly disagree", 5: "Strongly agree"}}],
            "pages": [{"id": "p1", "title": "Statements", "items": items}]}


def make_app(url: str):
    from vocapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def setup(url: str, n: int, items_per_construct: int) -> None:
    """Fresh schema, one survey version, n/3 accounts, n contacts, n complete responses."""
    import numpy as np
    from sqlalchemy import insert

    from vocapp.core.scoring import build_item_key
    from vocapp.core.synthetic.responses import simulate_responses
    from vocapp.extensions import db
    from vocapp.models import Contact, Response

    defn = definition(items_per_construct)
    key = build_item_key(defn)
    rng = np.random.default_rng(1)
    loadings = {i: float(rng.uniform(0.6, 0.8)) for i in key.items}
    phi = np.array([[1.0, 0.4, 0.2], [0.4, 1.0, 0.3], [0.2, 0.3, 1.0]])
    answers, _ = simulate_responses(key, loadings, n, phi, random_state=2, missing_rate=0.01)
    app = make_app(url)
    with app.app_context():
        n_accounts = max(1, n // 3)
        version = store_survey(SURVEY_ID, defn, n_accounts)
        roles = ["decision_maker", "influencer", "user"]
        now = datetime.now(timezone.utc)
        chunk = 20000
        records = answers.to_dict(orient="records")
        for start in range(0, n, chunk):
            ids = range(start + 1, min(n, start + chunk) + 1)
            db.session.execute(insert(Contact), [
                {"id": i, "account_id": 1 + i % n_accounts, "email": f"c{i}@example.org",
                 "relationship": RELATIONSHIPS[(i // 3) % 3], "role": roles[i % 3]} for i in ids])
            durations = rng.uniform(120, 600, len(ids))
            db.session.execute(insert(Response), [
                {"id": i, "survey_version_id": version.id, "contact_id": i, "source": "import",
                 "status": "complete", "started_at": now, "submitted_at": now, "duration_seconds": float(d),
                 "answers": {k: (None if v != v else int(v)) for k, v in records[i - 1].items()}}
                for i, d in zip(ids, durations)])
        db.session.commit()
        db.engine.dispose()


def clean(url: str) -> None:
    """Delete every scoring run (their scores go with them) and reclaim SQLite's free pages."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        for table in ("contact_scores", "account_scores", "scoring_runs"):  # no cascade without SQLite's pragma
            conn.execute(text(f"DELETE FROM {table}"))
    if url.startswith("sqlite"):
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE contact_scores")
            conn.exec_driver_sql("VACUUM ANALYZE account_scores")
    engine.dispose()


def run_child(command: list[str], env: dict[str, str]) -> dict:
    """Run ``command``; wall seconds, and CPU seconds (user + system) and peak RSS (MB) of that one
    process from wait4. This process never imports the app, so the child's peak is its own."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if process.returncode:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{text}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak": usage.ru_maxrss / 1024, "out": text}


def phase(name: str, *args: str) -> None:
    """Run one of this script's set-up phases in its own process (keeps this one small)."""
    subprocess.run([sys.executable, __file__, "--phase", name, "--arg", json.dumps(args)], check=True)


def backend_name(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


def fmt(result: dict) -> str:
    return f"{result['wall']:6.2f} s (cpu {result['cpu']:5.2f}, peak {result['peak']:4.0f} MB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append",
                        help="SQLAlchemy URL, or 'sqlite' for a temporary SQLite file; repeatable (default: sqlite)")
    parser.add_argument("--n", type=int, action="append", help="contacts with one response each; repeatable "
                        "(default: 10000 and 100000)")
    parser.add_argument("--items-per-construct", type=int, default=8, help="3 constructs x this many items")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each process per database and size")
    parser.add_argument("--vocapp", default=str(Path(sys.executable).parent / "vocapp"),
                        help="the vocapp executable to time (default: this environment's; e.g. another "
                             "checkout's, to compare versions on the same data and peer)")
    parser.add_argument("--phase", choices=["setup", "clean"], help=argparse.SUPPRESS)
    parser.add_argument("--arg", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        params = json.loads(args.arg)
        setup(params[0], int(params[1]), int(params[2])) if args.phase == "setup" else clean(params[0])
        return
    vocapp = args.vocapp
    peer = [sys.executable, str(ROOT / "bench" / "score_peer.py")]
    summary: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, target in enumerate(args.database or ["sqlite"]):
            url = f"sqlite:///{Path(tmp) / f'bench{k}.db'}" if target == "sqlite" else target
            backend = backend_name(url)
            env = {**os.environ, "VOCAPP_DATABASE_URL": url, "VOCAPP_INSTANCE_PATH": str(Path(tmp) / "instance")}
            for n in args.n or [10_000, 100_000]:
                start = time.perf_counter()
                phase("setup", url, str(n), str(args.items_per_construct))
                print(f"{backend}, {n} responses x {3 * args.items_per_construct} items: stored in "
                      f"{time.perf_counter() - start:.1f} s (set-up, not timed)", flush=True)
                ours, theirs = [], []
                for run in range(1, args.runs + 1):
                    phase("clean", url)
                    ours.append(run_child([vocapp, "score", "--survey", SURVEY_ID, "--refit"], env))
                    phase("clean", url)
                    theirs.append(run_child(peer + [url, SURVEY_ID], env))
                    print(f"  run {run}: vocapp score {fmt(ours[-1])}; peer {fmt(theirs[-1])}; "
                          f"ratio {ours[-1]['wall'] / theirs[-1]['wall']:.2f}x", flush=True)
                median = {name: {key: statistics.median(r[key] for r in results) for key in ("wall", "cpu", "peak")}
                          for name, results in (("vocapp", ours), ("peer", theirs))}
                ratio = median["vocapp"]["wall"] / median["peer"]["wall"]
                cpu_ratio = median["vocapp"]["cpu"] / median["peer"]["cpu"]
                target_text = f" (target <= {TARGETS[n]}x)" if n in TARGETS else ""
                summary.append(f"{backend:<10} {n:>7}  vocapp {fmt(median['vocapp'])}  peer {fmt(median['peer'])}  "
                               f"ratio {ratio:.2f}x{target_text}, cpu ratio {cpu_ratio:.2f}x")
    print()
    print(f"medians of {args.runs} runs, each process timed whole from outside (start-up included):")
    for line in summary:
        print(line)
    print("target: peak < 1024 MB at 300,000 responses (python bench/score.py --n 300000 --runs 1)")


if __name__ == "__main__":
    main()
