"""Benchmark the scoring run page (/scoring/runs/<id>) and its distributions chart at several sizes.

    python bench/scoring_page.py [--n 10000 100000 300000] [--folder /tmp/scoring_page_bench] [--repeat 7]
    python bench/scoring_page.py --n 100000 --database-url postgresql+psycopg://.../bench

For each size n, builds (once; reused when the SQLite file exists; always for --database-url, which
is dropped and rebuilt: give a throw-away database) the `bench/score.py` survey with n responses and
scores it (`run_scoring`), then, through the Flask test client as a logged-in analyst, prints the
median time of --repeat views of:

- floor, run row: reading the run's row alone (``db.session.get`` of the ScoringRun, its JSON parsed);
- floor, trivial page: /scoring/runs/<id that does not exist> (same login, look-up and layout: a 404);
- the run page, and distributions.svg (matplotlib draws it from the stored summary each time);
- once: the first view of a run stored before summaries were kept (its summary computed from the
  stored scores, then kept), and the page's former read (every score row's JSON parsed in Python) for
  comparison.

Target (issue 10): the run page under 100 ms at 300,000 responses.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pages import ANALYST, PASSWORD, median_seconds, size_arguments  # noqa: E402
from score import SURVEY_ID, make_app, setup  # noqa: E402  (bench/score.py builds the same survey)


def build(url: str, n: int, rebuild: bool) -> int:
    """The scored bench survey on ``url`` (built when ``rebuild``); returns the run id."""
    from sqlalchemy import select

    from vocapp.extensions import db
    from vocapp.models import ScoringRun
    from vocapp.services.scoring import run_scoring
    from vocapp.services.staff import create_staff

    if rebuild:
        start = time.perf_counter()
        setup(url, n, 8)
        with make_app(url).app_context():
            run_scoring(SURVEY_ID, refit=True)
            create_staff(ANALYST, "analyst", PASSWORD)
            db.engine.dispose()
        print(f"  built and scored {n} responses in {time.perf_counter() - start:.0f} s (not timed)", flush=True)
    with make_app(url).app_context():
        run_id = db.session.scalar(select(ScoringRun.id).order_by(ScoringRun.id.desc()).limit(1))
        db.engine.dispose()
    return run_id


def get(client, url: str, status: int = 200):
    def action():
        response = client.get(url)
        response.get_data()
        assert response.status_code == status, (url, response.status_code)
    return action


def former_read(run_id: int) -> int:
    """What the page did before summaries were stored: every score row, its JSON parsed in Python."""
    import pandas as pd
    from sqlalchemy import select

    from vocapp.extensions import db
    from vocapp.models import Contact, ContactScore, Response

    rows = db.session.execute(
        select(ContactScore.scores, ContactScore.excluded, Contact.relationship)
        .join(Response, Response.id == ContactScore.response_id)
        .outerjoin(Contact, Contact.id == Response.contact_id).where(ContactScore.run_id == run_id)).all()
    wide = pd.DataFrame([r[0] for r in rows], index=pd.RangeIndex(len(rows)))
    wide["excluded"] = [r[1] for r in rows]
    wide["relationship"] = [r[2] for r in rows]
    long = wide.melt(id_vars=["excluded", "relationship"], var_name="construct", value_name="score")
    valid = long[~long["excluded"].astype(bool)]
    return len(valid.groupby(["construct", "relationship"])["score"].agg(["count", "mean", "median"]))


def bench_size(url: str, n: int, repeat: int, rebuild: bool) -> None:
    from sqlalchemy import update

    from vocapp.extensions import db
    from vocapp.models import ScoringRun

    print(f"{n} responses ({url.split(':', 1)[0]})", flush=True)
    run_id = build(url, n, rebuild)
    app = make_app(url)
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/auth/login").get_data(as_text=True))
    login = client.post("/auth/login", data={"email": ANALYST, "password": PASSWORD, "csrf_token": token.group(1)})
    assert login.status_code == 302, login.status_code
    page, chart = f"/scoring/runs/{run_id}", f"/scoring/runs/{run_id}/distributions.svg"
    with app.app_context():
        def run_row():
            db.session.expire_all()
            run = db.session.get(ScoringRun, run_id)
            return run.diagnostics, run.summary
        figures = {"floor: the run's row alone": median_seconds(run_row, repeat)}
        db.session.remove()
    get(client, page)()  # warm: templates compiled, first connection made, matplotlib imported
    get(client, chart)()
    figures["floor: trivial page (a run that does not exist)"] = median_seconds(
        get(client, "/scoring/runs/999999999", 404), repeat)
    figures["run page"] = median_seconds(get(client, page), repeat)
    figures["distributions.svg"] = median_seconds(get(client, chart), repeat)
    with app.app_context():
        stored = db.session.get(ScoringRun, run_id).summary
        db.session.execute(update(ScoringRun).where(ScoringRun.id == run_id).values(summary=None))
        db.session.commit()
        db.session.remove()
    figures["once: first view of a run stored without summary"] = median_seconds(get(client, page), 1)
    with app.app_context():
        db.session.execute(update(ScoringRun).where(ScoringRun.id == run_id).values(summary=stored))
        db.session.commit()
        figures["once: the page's former read of every score"] = median_seconds(lambda: former_read(run_id), 1)
        db.engine.dispose()
    floor = figures["floor: trivial page (a run that does not exist)"]
    for label, seconds in figures.items():
        print(f"  {label:<52} {seconds * 1000:8.1f} ms  {seconds / floor:6.1f}x the trivial page", flush=True)
    print(f"  run page: {figures['run page'] * 1000:.1f} ms (target < 100 ms at 300,000 responses)", flush=True)


def main() -> None:
    args = size_arguments(__doc__, "--n", [10_000, 100_000, 300_000], "/tmp/scoring_page_bench", 7,
                          "a throw-away database (e.g. PostgreSQL) instead of SQLite files")
    for n in args.n:
        path = args.folder / f"scoring-page-{n}.db"
        url = args.database_url or f"sqlite:///{path.resolve()}"
        bench_size(url, n, args.repeat, rebuild=bool(args.database_url) or not path.exists())


if __name__ == "__main__":
    main()
