"""Benchmark sending a campaign: N invitations through ``send_campaign`` to a loopback SMTP sink.

    python bench/send_invitations.py [--n 10000] [--intent-batch 1,20] [--database-url URL] [--folder DIR]

(with --database-url the tables are dropped and recreated: give an empty, throw-away database)

The sink is aiosmtpd on 127.0.0.1 (port 0) in its own process, counting what it accepts. Prints
messages/s and peak memory (peak RSS of this process) of vocapp's send (render, DKIM-free, intent and
outcome rows, one SMTP connection per batch), then a bare ``smtplib`` loop sending the same number of
pre-rendered messages over one connection to the same sink, and the ratio. With several
--intent-batch values (VOCAPP_MAIL_INTENT_BATCH) each gets its own campaign over the same contacts;
each vocapp run sits between two bare loops and is compared with their mean (the load changes). Targets: ratio >= 0.5, peak memory
< 400 MB.
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
    parser.add_argument("--intent-batch", default="20", help="comma-separated VOCAPP_MAIL_INTENT_BATCH values")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--folder", default="/tmp/send_bench")
    args = parser.parse_args()
    batches = [int(value) for value in args.intent_batch.split(",")]
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
                      "SEND_RATE_PER_MINUTE": 0, "MAIL_OUTBOX": None, "DKIM_KEY_FILE": None,
                      "CONTACT_MAX_EMAILS": 1000}, instance_path=str(folder / "instance"))
    from vocapp.extensions import db
    from vocapp.services.campaigns import create_campaign, send_campaign
    from vocapp.services.campaigns.mail import render_message

    with app.app_context():
        db.drop_all()
        db.create_all()
        populate(args.n)
        values = {"first_name": "First", "last_name": "Last", "name": "First", "organisation": "Account Ltd",
                  "survey_title": "Your relationship with us", "closing_date": ""}
        with app.test_request_context():
            prerendered = [(f"contact{i}@example.org", render_message(
                "invitation", values, "en", "", "", "http://127.0.0.1/s/" + "x" * 43, "http://127.0.0.1/u/" + "y" * 43,
                "y" * 43, f"contact{i}@example.org", app.config).data) for i in range(args.n)]
        floor = commit_floor(db.engine, min(args.n, 1000))
        print(f"{db.engine.dialect.name}: {args.n} invitations per run to the sink at 127.0.0.1:{port}, SMTP "
              f"connections of {app.config['SEND_BATCH_SIZE']}; one durable INSERT + COMMIT: {floor * 1000:.2f} ms")
        rows = []
        for batch in batches:
            app.config["MAIL_INTENT_BATCH"] = batch
            before = counts.value
            bare_before = bare_loop(port, prerendered, app.config["MAIL_FROM"])
            campaign, reach = create_campaign("b2b_relationship", f"Benchmark {batch}")
            start = time.perf_counter()
            result = send_campaign(campaign.id)
            ours = time.perf_counter() - start
            bare_after = bare_loop(port, prerendered, app.config["MAIL_FROM"])
            bare = (bare_before + bare_after) / 2
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            time.sleep(0.5)
            accepted = counts.value - before
            ratio = (result["sent"] / ours) / (args.n / bare)
            per_bare = bare / args.n
            ceiling = per_bare / (per_bare + floor / batch)
            rows.append((batch, result["sent"] / ours, args.n / bare, ratio, ceiling, peak_mb))
            print(f"  intent batch {batch:>4}: vocapp {result['sent']} sent (failed {result['failed']}) in {ours:.1f} s = "
                  f"{result['sent'] / ours:.0f} msg/s; bare smtplib loop {args.n / bare_before:.0f} msg/s before, "
                  f"{args.n / bare_after:.0f} after; ratio {ratio:.2f} to their mean (target >= 0.5; commit-only "
                  f"ceiling {ceiling:.2f}); sink accepted {accepted} (expected {result['sent'] + 2 * args.n}); "
                  f"peak memory {peak_mb:.0f} MB (target < 400 MB)")
    stop.set()
    process.join(timeout=10)
    print("| intent batch | vocapp msg/s | bare msg/s | ratio | commit-only ceiling | peak MB |")
    for batch, ours_rate, bare_rate, ratio, ceiling, peak_mb in rows:
        print(f"| {batch} | {ours_rate:.0f} | {bare_rate:.0f} | {ratio:.2f} | {ceiling:.2f} | {peak_mb:.0f} |")


if __name__ == "__main__":
    main()
