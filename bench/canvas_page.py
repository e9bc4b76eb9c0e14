"""Benchmark the canvas staff page (/canvas/) and its picture at several base sizes.

    python bench/canvas_page.py [--accounts 300 5000 20000] [--folder /tmp/canvas_bench] [--repeat 5]
    python bench/canvas_page.py --accounts 20000 --database-url postgresql+psycopg://.../canvas_bench

(with --database-url the database is rebuilt for each size: give an empty, throw-away database)

For each size, builds (once; reused when the file exists) a SQLite database with the demo pipeline
(synthetic base imported through the import services, scored, placed: the same as `vocapp demo`), then
through the Flask test client as a logged-in analyst prints the median response time and body size of:
the page (first, a middle and the last page of the account table; a zone filter; zoomed into a zone, a
rectangle and the leave-alone filter), the picture (/canvas/picture.svg: cold = drawn, warm = from the
server cache, gzip as a browser asks for it, and a 304 revalidation), the hover/click data canvas.js
loads (/canvas/points.json), the print-resolution PNG, and the time to draw the compact SVG alone from
its query. Each page time is also given as a ratio to a floor measured in the same run: a small staff
page of the same app (/canvas/definition), i.e. what any logged-in request costs.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from _pages import ANALYST, PASSWORD, median_seconds, size_arguments
from vocapp import create_app


def build(path: Path, n_accounts: int, database_url: str | None = None):
    """The app on ``path`` (or ``database_url``); the database is built with the demo pipeline when the
    file is missing (always, for a database URL)."""
    from vocapp.demo import DemoContext, build_demo
    from vocapp.extensions import db
    from vocapp.services.staff import create_staff

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{path.resolve()}",
                      "WTF_CSRF_ENABLED": False, "MAIL_OUTBOX": str(path.parent / "outbox")},
                     instance_path=str(path.parent / "instance"))
    if database_url or not path.exists():
        start = time.perf_counter()
        build_demo(DemoContext(app=app, workdir=path.parent / f"files-{n_accounts}", n_accounts=n_accounts),
                   echo=lambda line: None)
        with app.app_context():
            create_staff(ANALYST, "analyst", PASSWORD)
            db.session.commit()
        print(f"  built {'the database' if database_url else path.name} with the demo pipeline in {time.perf_counter() - start:.0f} s")
    return app


def timed_get(client, url: str, repeat: int, **kwargs) -> tuple[float, int, int]:
    """(median seconds, body bytes, status) of ``repeat`` GETs (bytes and status of the last)."""
    last = {}

    def action():
        response = client.get(url, **kwargs)
        last["body"], last["status"] = response.get_data(), response.status_code
    seconds = median_seconds(action, repeat)
    return seconds, len(last["body"]), last["status"]


def report(label: str, seconds: float, size: int, status: int = 200, floor: float | None = None) -> None:
    ratio = f"  {seconds / floor:5.1f}x floor" if floor else ""
    print(f"  {label:<44} {seconds * 1000:8.1f} ms {size / 1024:9.1f} KB{ratio}"
          + ("" if status in (200, 304) else f"  [{status}]"))


def bench_size(folder: Path, n_accounts: int, repeat: int, database_url: str | None = None) -> None:
    from vocapp.services.canvas_queries import count_placements, latest_placement_run, picture_points
    from vocapp.core.canvas.definition import build_canvas_definition
    from vocapp.web import canvas as canvas_web
    from vocapp.web.canvas_picture import canvas_svg

    print(f"{n_accounts} accounts")
    app = build(folder / f"canvas-{n_accounts}.db", n_accounts, database_url)
    client = app.test_client()
    assert client.post("/auth/login", data={"email": ANALYST, "password": PASSWORD}).status_code == 302
    with app.app_context():
        run = latest_placement_run()
        n_pages = max(1, -(-count_placements(run) // canvas_web.PER_PAGE))
        definition = build_canvas_definition(run.definition, "bench")
        queries = []
        for _ in range(repeat):
            start = time.perf_counter()
            points = picture_points(run)
            queries.append(time.perf_counter() - start)
        draws = []
        for _ in range(repeat):
            start = time.perf_counter()
            svg = canvas_svg(points, definition, [], detailed=False)
            draws.append(time.perf_counter() - start)
    print(f"  picture query ({len(points)} points) {statistics.median(queries) * 1000:.1f} ms; compact SVG drawn in "
          f"{statistics.median(draws) * 1000:.1f} ms ({len(svg) / 1024:.0f} KB)")
    floor, _, _ = timed_get(client, "/canvas/definition", repeat)
    print(f"  floor: /canvas/definition (a small staff page of the same app) {floor * 1000:.1f} ms")
    for label, url in [("page 1", "/canvas/"), (f"page {max(1, n_pages // 2)} of {n_pages}",
                                                f"/canvas/?page={max(1, n_pages // 2)}"),
                       (f"last page ({n_pages})", f"/canvas/?page={n_pages}"),
                       ("zone=Partner, page 1", "/canvas/?zone=Partner"),
                       ("zoom into Partner", "/canvas/?zoom=partner"),
                       ("rectangle opp 10-30, readiness 60-90", "/canvas/?x0=10&x1=30&y0=60&y1=90"),
                       ("leave alone only", "/canvas/?leave_alone=yes")]:
        seconds, size, status = timed_get(client, url, repeat)
        report(label, seconds, size, status, floor)
    canvas_web._PICTURES.clear()
    report("picture.svg cold (drawn, no gzip)", *timed_get(client, "/canvas/picture.svg", 1))
    report("picture.svg warm (server cache, no gzip)", *timed_get(client, "/canvas/picture.svg", repeat))
    gzip = {"headers": {"Accept-Encoding": "gzip"}}
    report("picture.svg warm, gzip", *timed_get(client, "/canvas/picture.svg", repeat, **gzip))
    etag = client.get("/canvas/picture.svg", **gzip).headers["ETag"]
    report("picture.svg revalidated (If-None-Match)",
           *timed_get(client, "/canvas/picture.svg", repeat, headers={"Accept-Encoding": "gzip",
                                                                      "If-None-Match": etag}))
    report("points.json (hover and click data)", *timed_get(client, "/canvas/points.json", repeat), floor=floor)
    etag = client.get("/canvas/points.json").headers["ETag"]
    report("points.json revalidated (If-None-Match)",
           *timed_get(client, "/canvas/points.json", repeat, headers={"If-None-Match": etag}))
    report("canvas.png (print resolution)", *timed_get(client, "/canvas/canvas.png", 1), floor=floor)


def main() -> None:
    args = size_arguments(__doc__, "--accounts", [300, 5000, 20000], "/tmp/canvas_bench", 5,
                          "an empty throw-away database (e.g. PostgreSQL) instead of SQLite files")
    for n_accounts in args.accounts:
        bench_size(args.folder, n_accounts, args.repeat, args.database_url)


if __name__ == "__main__":
    main()
