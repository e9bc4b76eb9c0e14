"""10,000 contacts written through the REST API (POST /api/v1/contacts) against the floor: the same
records as a CSV file through ``vocapp.services.imports.import_contacts``. Prints seconds and the ratio.

    .venv/bin/python bench/api_contacts.py [--rows 10000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _records(n: int, tag: str) -> list[dict]:
    return [{"email": f"{tag}{i}@example.org", "first_name": f"P{i}", "account_id": f"{tag}-{i // 4}",
             "relationship": "member", "role": "user", "attributes": {"region": "North"}} for i in range(n)]


def _fresh(url: str):
    from vocapp import create_app
    from vocapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "API_RATE_LIMIT": "1000 per minute"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _timed(url: str, folder: Path, rows: int, through_api: bool) -> float:
    """Seconds to write ``rows`` contacts into a database at ``url`` holding one warm-up contact: a CSV import
    or one API call (each after a small warm-up of its own, so neither pays for first imports)."""
    app = _fresh(url)
    with app.app_context():
        from vocapp.extensions import db
        from vocapp.services.api.tokens import create_token
        from vocapp.services.imports import import_contacts
        from vocapp.services.staff import create_staff

        admin = create_staff("bench@example.org", "admin", "correct horse battery staple")
        _, secret = create_token("bench", ["write"], admin, staff_email=admin.email)
        records = _records(rows, "p")
        if through_api:
            client = app.test_client()
            warm = client.post("/api/v1/contacts", json=_records(5, "warm"), headers={"Authorization": f"Bearer {secret}"})
            assert warm.status_code == 200  # a running server has loaded pydantic and the schemas already
            started = time.perf_counter()
            response = client.post("/api/v1/contacts", json=records, headers={"Authorization": f"Bearer {secret}"})
            seconds = time.perf_counter() - started
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
        else:
            with open(folder / "contacts.csv", "w", newline="") as handle:
                writer = csv.DictWriter(handle, ["email", "first_name", "last_name", "account_id", "account_name",
                                                 "relationship", "role", "region"])
                writer.writeheader()
                writer.writerows({**{k: v for k, v in r.items() if k != "attributes"}, **r["attributes"]}
                                 for r in records)
            with open(folder / "warm.csv", "w", newline="") as handle:
                handle.write("email,first_name,last_name,account_id,account_name,relationship,role\n"
                             "warm@example.org,W,,W-1,,member,user\n")
            assert import_contacts(folder / "warm.csv").ok  # the readers loaded, as in a running process
            started = time.perf_counter()
            report = import_contacts(folder / "contacts.csv")
            seconds = time.perf_counter() - started
            assert report.ok, [str(e) for e in report.errors[:3]]
        db.engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (throw-away databases are made on it)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    figures = {}
    for through_api in (False, True):
        if args.postgres:
            from _databases import drop_database, make_database

            url = make_database(args.postgres)
        else:
            url = f"sqlite:///{folder / f'bench-{through_api}.db'}"
        figures[through_api] = _timed(url, folder, args.rows, through_api)
        if args.postgres:
            drop_database(args.postgres, url)
    floor, api = figures[False], figures[True]
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{args.rows:,} contacts into an empty {backend} database: CSV file import (floor) {floor:.2f} s, "
          f"one API call {api:.2f} s ({api / floor:.2f}x the floor)")


if __name__ == "__main__":
    main()
