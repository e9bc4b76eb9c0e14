"""Profile of one respondent request path, in-process: SQL statements and CPU time per request type, and
where the time goes (cProfile, top functions by own time).

Drives ``--flows`` respondents through the default questionnaire with Flask's test client on a throw-away
PostgreSQL database (set up as bench/respondent_load.py does), then prints, per kind of request (welcome GET,
start POST, page GET, page POST, thank-you GET), the mean statements and milliseconds, and the floor: the
same app answering ``GET /s/<unknown>`` (one token look-up, one small template).

    python bench/respondent_profile.py [--flows 30] [--server-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from respondent_load import DEFAULT_URL, drop_database, make_database, set_up, simulated_answers  # noqa: E402

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SHOWN = re.compile(r'name="shown"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--server-url", default=DEFAULT_URL)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime or cumulative")
    parser.add_argument("--only", default="", help="only functions whose file matches this (e.g. vocapp)")
    parser.add_argument("--no-profile", action="store_true", help="time only (cProfile roughly doubles the cost)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="app setting for a comparison, e.g. RATELIMIT_ENABLED=false")
    args = parser.parse_args()
    from vocapp import create_app
    from vocapp.extensions import db

    url = make_database(args.server_url)
    try:
        with tempfile.TemporaryDirectory() as instance:
            tokens, _, definition = set_up(url, args.flows, instance)
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                              "RESPONDENT_RATE_LIMIT": "1000000 per minute",
                              "RESPONDENT_BAD_TOKEN_LIMIT": "1000000 per minute",
                              **{key: _value(value) for key, value in (pair.split("=", 1) for pair in args.set)}},
                             instance_path=instance)
            statements = [0]
            with app.app_context():
                event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
            stats = defaultdict(lambda: [0, 0, 0.0, 0.0])  # kind -> [requests, statements, CPU s, wall s]
            profile = cProfile.Profile()
            pages = {page["id"]: page for page in definition["pages"]}
            rng = random.Random(1)

            def timed(kind, call, *a, **k):
                before, start, wall = statements[0], time.process_time(), time.perf_counter()
                if not args.no_profile:
                    profile.enable()
                response = call(*a, **k)
                if not args.no_profile:
                    profile.disable()
                entry = stats[kind]
                entry[0] += 1
                entry[1] += statements[0] - before
                entry[2] += time.process_time() - start
                entry[3] += time.perf_counter() - wall
                return response

            for n, token in enumerate(tokens):
                client = app.test_client()
                timed("unknown link (floor)", client.get, f"/s/not-a-link-{n}")
                html = timed("welcome GET", client.get, f"/s/{token}").get_data(as_text=True)
                location = timed("start POST", client.post, f"/s/{token}/start",
                                 data={"csrf_token": _CSRF.search(html).group(1)}).headers["Location"]
                while "/page/" in location:
                    html = timed("page GET", client.get, location).get_data(as_text=True)
                    form = {"csrf_token": _CSRF.search(html).group(1), "shown": _SHOWN.search(html).group(1),
                            "nav": "next", **simulated_answers(definition, pages[location.rsplit("/", 1)[1]], rng)}
                    location = timed("page POST", client.post, location, data=form).headers["Location"]
                assert "Thank you" in timed("thank-you GET", client.get, location).get_data(as_text=True)
            with app.app_context():
                db.engine.dispose()
    finally:
        drop_database(args.server_url, url)

    print(f"{args.flows} respondents in-process on PostgreSQL (SQL statements sent, CPU and wall time per request"
          f"{'' if args.no_profile else ', inflated by cProfile'}) {' '.join(args.set)}")
    floor = stats["unknown link (floor)"][2] / stats["unknown link (floor)"][0]
    for kind, (count, sql, seconds, wall) in stats.items():
        print(f"{kind:>22}: {count:5d} requests  {sql / count:5.2f} statements  {seconds / count * 1000:6.2f} ms CPU"
              f" ({seconds / count / floor:4.1f}x the floor)  {wall / count * 1000:6.2f} ms wall")
    total = [sum(entry[i] for kind, entry in stats.items() if "floor" not in kind) for i in range(4)]
    print(f"{'one respondent':>22}: {total[0] / args.flows:5.1f} requests  {total[1] / args.flows:5.1f} statements  "
          f"{total[2] / args.flows * 1000:6.1f} ms CPU  {total[3] / args.flows * 1000:6.1f} ms wall")
    if not args.no_profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(*([args.only] if args.only else []), args.top)


def _value(text: str):
    """A --set value: true/false as booleans, anything else as the string."""
    return {"true": True, "false": False}.get(text.lower(), text)


if __name__ == "__main__":
    main()
