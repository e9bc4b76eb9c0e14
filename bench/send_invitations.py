"""Benchmark sending a campaign: N invitations through ``send_campaign`` to a loopback SMTP sink.

    python bench/send_invitations.py [--n 10000] [--database-url URL] [--folder /tmp/send_bench]

(with --database-url the tables are dropped and recreated: give an empty, throw-away database)

The sink is aiosmtpd on 127.0.0.1 (port 0) in its own process, counting what it accepts. Prints
messages/s and peak memory (peak RSS of this process) of vocapp's send (render, DKIM-free, intent and
outcome rows, one SMTP connection per batch), then a bare ``smtplib`` loop sending the same number of
pre-rendered messages over one connection to the same sink, and the ratio. Targets: ratio >= 0.5,
peak memory < 400 MB.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import smtplib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from vocapp import PROJECT_ROOT, create_app  # noqa: E402


def sink(ports, stop, counts) -> None:
    """The SMTP sink process: report the port, count accepted messages until told to stop."""
    from smtp_sink import LoopbackSMTP, Recorder

    recorder = Recorder(keep=False)
    controller = LoopbackSMTP(recorder)
    controller.start()
    ports.put(controller.port)
    while not stop.wait(0.2):
        counts.value = recorder.accepted
    counts.value = recorder.accepted
    controller.stop()


def populate(n: int) -> None:
    """The default survey and ``n`` contacts at n/4 accounts, written in bulk."""
    from sqlalchemy import insert

    from vocapp.extensions import db
    from vocapp.models import Account, Contact, utcnow
    from vocapp.services.surveys import load_definition_file

    load_definition_file(PROJECT_ROOT / "survey_definitions" / "b2b_relationship.yaml")
    now = utcnow()
    n_accounts = max(1, n // 4)
    db.session.execute(insert(Account), [{"id": i + 1, "external_id": f"A{i:06d}", "name": f"Account {i} Ltd",
                                          "attributes": {}, "created_at": now, "updated_at": now}
                                         for i in range(n_accounts)])
    db.session.execute(insert(Contact), [{"account_id": i % n_accounts + 1, "email": f"contact{i}@example.org",
                                          "first_name": f"First{i}", "last_name": "Last", "relationship": "member",
                                          "attributes": {}, "created_at": now, "updated_at": now} for i in range(n)])
    db.session.commit()


def bare_loop(port: int, messages: list[tuple[str, bytes]], sender: str) -> float:
    """Seconds for smtplib to send ``messages`` over one connection."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to, data in messages:
            smtp.sendmail(sender, [to], data)
    return time.perf_counter() - start


def commit_floor(engine, n: int) -> float:
    """Seconds per durable one-row INSERT + COMMIT on the benchmark's database: what recording an intent
    before each message costs at the very least."""
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE bench_commit_floor (id INTEGER PRIMARY KEY, v INTEGER)"))
        connection.commit()
        start = time.perf_counter()
        for i in range(n):
            connection.execute(text("INSERT INTO bench_commit_floor (id, v) VALUES (:i, :i)"), {"i": i})
            connection.commit()
        seconds = (time.perf_counter() - start) / n
        connection.execute(text("DROP TABLE bench_commit_floor"))
        connection.commit()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--folder", default="/tmp/send_bench")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "send.db"
    db_path.unlink(missing_ok=True)
    url = args.database_url or f"sqlite:///{db_path}"

    ports, stop, counts = multiprocessing.Queue(), multiprocessing.Event(), multiprocessing.Value("i", 0)
    process = multiprocessing.Process(target=sink, args=(ports, stop, counts), daemon=True)
    process.start()
    port = ports.get(timeout=30)

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
                      "SEND_RATE_PER_MINUTE": 0, "MAIL_OUTBOX": None, "DKIM_KEY_FILE": None},
                      instance_path=str(folder / "instance"))
    from vocapp.extensions import db
    from vocapp.services.campaigns import create_campaign, send_campaign
    from vocapp.services.campaigns.mail import render_message

    with app.app_context():
        db.drop_all()
        db.create_all()
        populate(args.n)
        campaign, reach = create_campaign("b2b_relationship", "Benchmark")
        print(f"vocapp send: {len(reach.included)} invitations to the sink at 127.0.0.1:{port} "
              f"({db.engine.dialect.name}, batches of {app.config['SEND_BATCH_SIZE']})")
        start = time.perf_counter()
        result = send_campaign(campaign.id)
        ours = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        time.sleep(0.5)
        delivered = counts.value
        print(f"  sent {result['sent']} (failed {result['failed']}), sink accepted {delivered}: {ours:.1f} s, "
              f"{result['sent'] / ours:.0f} messages/s, peak memory {peak_mb:.0f} MB")

        values = {"first_name": "First", "last_name": "Last", "name": "First", "organisation": "Account Ltd",
                  "survey_title": "Your relationship with us", "closing_date": ""}
        with app.test_request_context():
            prerendered = [(f"contact{i}@example.org", render_message(
                "invitation", values, "en", "", "", "http://127.0.0.1/s/" + "x" * 43, "http://127.0.0.1/u/" + "y" * 43,
                "y" * 43, f"contact{i}@example.org", app.config).data) for i in range(args.n)]
        floor = commit_floor(db.engine, min(args.n, 1000))
    bare = bare_loop(port, prerendered, app.config["MAIL_FROM"])
    time.sleep(0.5)
    stop.set()
    process.join(timeout=10)
    print(f"bare smtplib loop, one connection, same pre-rendered messages: {bare:.1f} s, {args.n / bare:.0f} messages/s"
          f" (sink accepted {counts.value - delivered})")
    ratio = (result["sent"] / ours) / (args.n / bare)
    print(f"ratio vocapp / bare: {ratio:.2f} (target >= 0.5); peak memory {peak_mb:.0f} MB (target < 400 MB)")
    per_bare = bare / args.n
    print(f"floor: one durable INSERT + COMMIT on this database takes {floor * 1000:.2f} ms; a sender that records an "
          f"intent before each message cannot beat ratio {per_bare / (per_bare + floor):.2f} here "
          f"(bare {per_bare * 1000:.2f} ms per message)")


if __name__ == "__main__":
    main()
